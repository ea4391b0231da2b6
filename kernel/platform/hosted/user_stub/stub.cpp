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
constexpr long kPrctl = 157, kSigaction = 13, kSigaltstack = 131;
#elif defined(__aarch64__)
constexpr long kPrctl = 167, kSigaction = 134, kSigaltstack = 132;
#endif
constexpr long kSetParentDeathSignal = 1;  // PR_SET_PDEATHSIG
constexpr long kSigKill = 9;
constexpr long kSaSiginfo = 4, kSaOnstack = 0x0800'0000, kSaRestorer = 0x0400'0000;
// The faults a program can cause (SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV).
constexpr int kFaultSignals[] = {4, 5, 7, 8, 11};

struct KernelSigaction {
    void (*handler)(int, void*, void*);
    unsigned long flags;
    void (*restorer)();
    uint64_t mask;
};
struct AltStack {
    void* base;
    int flags;
    uint64_t size;
};

// The handler runs here, so a program that overflowed its stack is still
// reported.
alignas(16) char g_signal_stack[65536];  // room for the largest FP state

// A fault in the program: tell the kernel what and where (the one-line
// report bare metal gives), then end; the kernel sees the socket close.
void on_fault(int signal, void* info, void* context) {
    uint64_t address = *reinterpret_cast<uint64_t*>(static_cast<char*>(info) + 16);  // si_addr
    uint64_t pc = 0, frame_pointer = 0;
#if defined(__x86_64__)
    // ucontext_t: flags, link, stack (24 bytes), then mcontext's gregs;
    // REG_RIP is gregs[16], REG_RBP gregs[10] (where the kernel's
    // backtrace of the program starts, as on bare metal).
    const char* gregs = static_cast<char*>(context) + 40;
    pc = *reinterpret_cast<const uint64_t*>(gregs + 16 * 8);
    frame_pointer = *reinterpret_cast<const uint64_t*>(gregs + 10 * 8);
#else
    (void)context;
#endif
    hosted_wire::Request report {hosted_wire::kFault, uint64_t(signal), {address, pc, frame_pointer, 0, 0, 0}};
    hosted_linux::call(hosted_linux::kWrite, hosted_wire::kSocketFd, long(&report), sizeof(report));
    hosted_linux::exit_group(128 + signal);
}

// x86_64 Linux refuses to deliver a signal without a restorer; the
// handler never returns, so this never runs.
[[noreturn]] void never_returns() { hosted_linux::exit_group(127); }

void catch_faults() {
    AltStack stack {g_signal_stack, 0, sizeof(g_signal_stack)};
    hosted_linux::call(kSigaltstack, long(&stack), 0);
    KernelSigaction action {on_fault, kSaSiginfo | kSaOnstack | kSaRestorer, never_returns, 0};
    for (int signal : kFaultSignals) hosted_linux::call(kSigaction, signal, long(&action), 0, sizeof(action.mask));
}
}  // namespace

extern "C" [[noreturn]] void stub_main() {
    // If the kernel dies, so does every program, even one that never
    // makes a syscall again.
    hosted_linux::call(kPrctl, kSetParentDeathSignal, kSigKill);
    catch_faults();
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
