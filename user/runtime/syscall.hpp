// The one function every target implements for the system call itself.
// Everything else in the runtime is portable C++ above it.
//
// The number comes last so that on every bare-metal ISA the six arguments
// already sit in the registers the kernel reads them from (abi/syscalls.hpp:
// a0..a5, x0..x5, rdi rsi rdx rcx->r10 r8 r9): each arch/<isa>/syscall.S is
// a move of the number, the trap instruction and a return. A hosted target
// (programs as Linux processes talking to the hosted kernel over a socket)
// implements the same function in C++.
#pragma once

#include <stdint.h>

extern "C" int64_t mote_syscall(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                                uint64_t number);
