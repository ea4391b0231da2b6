// The hosted kernel <-> user process protocol. A user program under the
// hosted kernel is a Linux process (the stub, user_stub/) on one end of a
// SOCK_SEQPACKET socket pair; every message is one of the fixed-size
// records below, so a short or oversized message is a protocol fault.
//
//   kernel -> process: Map/Unmap/Protect change the process's view of
//   physical memory (the memfd, a frame = an offset), Start jumps to the
//   program, Reply ends the syscall in progress. Commands are applied in
//   order, and a Reply only after every command sent before it: a page the
//   kernel unmapped is gone before the program runs again.
//   process -> kernel: Syscall, while the process then waits for the reply;
//   Fault, from the stub's signal handler just before the process exits.
//
// Included by the kernel, the stub and the hosted user runtime; plain
// integers only.
#pragma once

#include <stdint.h>

namespace mote::hosted_wire {

// The descriptors a user process is started with.
inline constexpr int kSocketFd = 3;
inline constexpr int kMemoryFd = 4;

enum Kind : uint64_t {
    kMap = 1,      // va, file offset, count pages, access (UserAccess bits)
    kUnmap = 2,    // va, count pages
    kProtect = 3,  // va, count pages, access
    kStart = 4,    // entry, sp, argument
    kReply = 5,    // value
    kSyscall = 16, // number, a[6]
    kFault = 17,   // number = host signal, a[0] = fault address, a[1] = pc, a[2] = frame pointer
};

struct Command {
    uint64_t kind;
    uint64_t a;
    uint64_t b;
    uint64_t c;
    uint64_t d;
};

struct Request {
    uint64_t kind;
    uint64_t number;
    uint64_t a[6];
};

// The access bits of a map command (same values as UserAccess).
inline constexpr uint64_t kRead = 1, kWrite = 2, kExecute = 4;

}  // namespace mote::hosted_wire
