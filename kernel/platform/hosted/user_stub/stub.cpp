// mote-user-stub: the Linux process a user program runs in under the hosted
// kernel. It has no C library and owns nothing at user addresses (it is
// linked far above abi::kUserLimit): it waits on its socket for the
// kernel's Map commands, which place frames of the kernel's physical memory
// (the memfd) at the program's addresses, then for Start, and jumps to the
// program's entry with the kernel's stack pointer and argument, exactly as
// the bare-metal ports enter user mode. From then on the program's own
// runtime (user/runtime/arch/hosted) talks to the kernel.
#include "platform/hosted/user_stub/linux_calls.hpp"

using namespace mote;

namespace {
#if defined(__x86_64__)
constexpr long kPrctl = 157;
#elif defined(__aarch64__)
constexpr long kPrctl = 167;
#endif
constexpr long kSetParentDeathSignal = 1;  // PR_SET_PDEATHSIG
constexpr long kSigKill = 9;
}  // namespace

extern "C" [[noreturn]] void stub_main() {
    // If the kernel dies, so does every program, even one that never
    // makes a syscall again.
    hosted_linux::call(kPrctl, kSetParentDeathSignal, kSigKill);
    hosted_wire::Command start = hosted_linux::serve();
    if (start.kind != hosted_wire::kStart) hosted_linux::exit_group(124);
    // Nothing of the stub's state is needed after this.
#if defined(__x86_64__)
    register uint64_t entry asm("r11") = start.a;
    register uint64_t sp asm("r10") = start.b;
    register uint64_t argument asm("rdi") = start.c;
    asm volatile(
        "mov %0, %%rsp\n"
        "xor %%ebp, %%ebp\n"
        "xor %%eax, %%eax\n"
        "xor %%ebx, %%ebx\n"
        "xor %%ecx, %%ecx\n"
        "xor %%edx, %%edx\n"
        "xor %%esi, %%esi\n"
        "jmp *%2\n"
        :
        : "r"(sp), "r"(argument), "r"(entry)
        : "memory");
#elif defined(__aarch64__)
    register uint64_t entry asm("x17") = start.a;
    register uint64_t sp asm("x16") = start.b;
    register uint64_t argument asm("x0") = start.c;
    asm volatile(
        "mov sp, %0\n"
        "mov x29, xzr\n"
        "mov x30, xzr\n"
        "br %2\n"
        :
        : "r"(sp), "r"(argument), "r"(entry)
        : "memory");
#endif
    __builtin_unreachable();
}

#if defined(__x86_64__)
asm(".globl _start\n"
    "_start:\n"
    "  xor %ebp, %ebp\n"
    "  and $-16, %rsp\n"
    "  call stub_main\n"
    "  ud2\n");
#elif defined(__aarch64__)
asm(".globl _start\n"
    "_start:\n"
    "  mov x29, xzr\n"
    "  bl stub_main\n"
    "  brk #0\n");
#endif
