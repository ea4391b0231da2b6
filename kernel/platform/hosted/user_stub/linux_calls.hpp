// Raw Linux system calls for code with no C library (the user stub and the
// hosted user runtime), and the one loop both run: apply the kernel's
// commands until a Start or a Reply arrives.
#pragma once

#include <stdint.h>

#include "platform/hosted/user_wire.hpp"

namespace mote::hosted_linux {

#if defined(__x86_64__)
enum : long { kRead = 0, kWrite = 1, kMmap = 9, kMprotect = 10, kMunmap = 11, kExitGroup = 231 };
inline long call(long n, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0) {
    register long r10 asm("r10") = d;
    register long r8 asm("r8") = e;
    register long r9 asm("r9") = f;
    long ret;
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return ret;
}
#elif defined(__aarch64__)
enum : long { kRead = 63, kWrite = 64, kMmap = 222, kMprotect = 226, kMunmap = 215, kExitGroup = 94 };
inline long call(long n, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0) {
    register long x8 asm("x8") = n;
    register long x0 asm("x0") = a;
    register long x1 asm("x1") = b;
    register long x2 asm("x2") = c;
    register long x3 asm("x3") = d;
    register long x4 asm("x4") = e;
    register long x5 asm("x5") = f;
    asm volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
    return x0;
}
#else
#error "hosted user programs: no Linux system calls for this ISA"
#endif

[[noreturn]] inline void exit_group(int status) {
    for (;;) call(kExitGroup, status);
}

inline constexpr long kProtRead = 1, kProtWrite = 2, kProtExec = 4;
inline constexpr long kMapShared = 0x01, kMapFixed = 0x10;
inline constexpr uint64_t kPage = 4096;

inline long prot_of(uint64_t access) {
    long prot = 0;
    if (access & hosted_wire::kRead) prot |= kProtRead;
    if (access & hosted_wire::kWrite) prot |= kProtWrite;
    if (access & hosted_wire::kExecute) prot |= kProtExec;
    return prot;
}

// Applies commands until a Start or Reply, which it returns. The kernel
// going away (EOF) or a command that cannot be applied ends the process:
// the kernel sees the socket close and reports it.
inline hosted_wire::Command serve() {
    using namespace hosted_wire;
    for (;;) {
        Command command;
        long got = call(kRead, kSocketFd, long(&command), sizeof(command));
        if (got != long(sizeof(command))) exit_group(120);
        long result = 0;
        switch (command.kind) {
        case kMap:
            result = call(kMmap, long(command.a), long(command.c * kPage), prot_of(command.d), kMapShared | kMapFixed,
                          kMemoryFd, long(command.b));
            if (result != long(command.a)) exit_group(121);
            break;
        case kUnmap: result = call(kMunmap, long(command.a), long(command.b * kPage)); break;
        case kProtect: result = call(kMprotect, long(command.a), long(command.b * kPage), prot_of(command.c)); break;
        case kStart:
        case kReply: return command;
        default: exit_group(122);
        }
        if (result < 0) exit_group(123);
    }
}

}  // namespace mote::hosted_linux
