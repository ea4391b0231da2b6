// The one function every target implements for the system call itself
// (and, for the common calls of up to four arguments, the same trap written
// in place: mote_trap below). Everything else in the runtime is portable
// C++ above it.
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

// The trap in place, for the runtime's own wrappers (sys.cpp): a call sets
// only the registers it passes and calls no function. Defined for the
// bare-metal programs only (MOTE_USER_TRAP_INLINE); hosted programs, and
// the host's tests of the runtime (which answer mote_syscall from a
// script), go through mote_syscall. The kernel restores every register but
// the result (and rcx, r11, which SYSRET itself uses on x86_64).
// A call without arguments (yield, clock) sets only the number.
inline int64_t mote_trap(uint64_t number) {
#if MOTE_USER_TRAP_INLINE && defined(__riscv)
    register uint64_t x10 asm("a0");
    register uint64_t x17 asm("a7") = number;
    asm volatile("ecall" : "=r"(x10) : "r"(x17) : "memory");
    return int64_t(x10);
#elif MOTE_USER_TRAP_INLINE && defined(__aarch64__)
    register uint64_t x0 asm("x0");
    register uint64_t x8 asm("x8") = number;
    asm volatile("svc #0" : "=r"(x0) : "r"(x8) : "memory");
    return int64_t(x0);
#elif MOTE_USER_TRAP_INLINE && defined(__x86_64__)
    int64_t result;
    asm volatile("syscall" : "=a"(result) : "a"(number) : "rcx", "r11", "memory");
    return result;
#else
    return mote_syscall(0, 0, 0, 0, 0, 0, number);
#endif
}

inline int64_t mote_trap(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
#if MOTE_USER_TRAP_INLINE && defined(__riscv)
    register uint64_t x10 asm("a0") = a0;
    register uint64_t x11 asm("a1") = a1;
    register uint64_t x12 asm("a2") = a2;
    register uint64_t x13 asm("a3") = a3;
    register uint64_t x17 asm("a7") = number;
    asm volatile("ecall" : "+r"(x10) : "r"(x11), "r"(x12), "r"(x13), "r"(x17) : "memory");
    return int64_t(x10);
#elif MOTE_USER_TRAP_INLINE && defined(__aarch64__)
    register uint64_t x0 asm("x0") = a0;
    register uint64_t x1 asm("x1") = a1;
    register uint64_t x2 asm("x2") = a2;
    register uint64_t x3 asm("x3") = a3;
    register uint64_t x8 asm("x8") = number;
    asm volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3), "r"(x8) : "memory");
    return int64_t(x0);
#elif MOTE_USER_TRAP_INLINE && defined(__x86_64__)
    register uint64_t r10 asm("r10") = a3;
    int64_t result;
    asm volatile("syscall" : "=a"(result) : "a"(number), "D"(a0), "S"(a1), "d"(a2), "r"(r10) : "rcx", "r11", "memory");
    return result;
#else
    return mote_syscall(a0, a1, a2, a3, 0, 0, number);
#endif
}
