// fault KIND: makes the named user fault, so tests can check the kernel's
// report and that the kernel (and the shell) carry on.
//   null      load from address 0
//   kernel    load from a kernel-half address (0xffffffc000000000)
//   exec      jump into the (non-executable) data segment
//   stack     recurse until the stack's guard page
//   illegal   an undefined instruction
//   write-ro  store into the read-only rodata segment
// Before faulting it prints "fault: KIND at 0xADDRESS" (the address it is
// about to touch, when there is one). Exits 1 if the fault did not happen.
// Each fault is made in a function of its own (load_from, store_to,
// illegal_instruction, recurse) called from main, so the kernel's crash
// report has a backtrace to name: the function, then main.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

constexpr u64 kKernelAddress = 0xffffffc000000000;

// Hides a value from the optimiser so the faulting access is really made.
template <typename T>
T launder(T value) {
    asm volatile("" : "+r"(value));
    return value;
}

const char kReadOnly[16] = "read only";
// Data, not code: a jump here must fault under W^X.
u8 g_not_code[64] = {0};

[[gnu::noinline]] u64 recurse(u64 depth) {
    // Never true (the stack ends long before), but it makes the recursion
    // look finite to the compiler.
    if (depth == ~u64(0)) return 0;
    volatile u8 frame[512];
    frame[0] = u8(depth);
    // The use after the call keeps this from becoming a loop.
    return recurse(depth + 1) + frame[0];
}

[[gnu::noinline]] void load_from(volatile u64* p) { (void)*p; }

[[gnu::noinline]] void store_to(volatile char* p) { *p = 'X'; }

[[gnu::noinline, noreturn]] void illegal_instruction() {
#if defined(__riscv)
    asm volatile("unimp");
#elif defined(__aarch64__)
    asm volatile("udf #0");
#elif defined(__x86_64__)
    asm volatile("ud2");
#else
#error "fault: no undefined instruction for this ISA"
#endif
    __builtin_unreachable();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        print_err("usage: fault null|kernel|exec|stack|illegal|write-ro\n");
        return 2;
    }
    StringView kind(argv[1]);
    if (kind == "null") {
        auto* p = launder(static_cast<volatile u64*>(nullptr));
        print_out("fault: null at {:#x}\n", uptr(p));
        load_from(p);
    } else if (kind == "kernel") {
        auto* p = launder(reinterpret_cast<volatile u64*>(kKernelAddress));
        print_out("fault: kernel at {:#x}\n", uptr(p));
        load_from(p);
    } else if (kind == "exec") {
        auto target = launder(reinterpret_cast<void (*)()>(reinterpret_cast<uptr>(g_not_code)));
        print_out("fault: exec at {:#x}\n", reinterpret_cast<uptr>(target));
        target();
    } else if (kind == "stack") {
        print_out("fault: stack at {:#x}\n", abi::kStackTop - abi::kStackSize - abi::kPageSize);
        return int(recurse(0) & 0);
    } else if (kind == "illegal") {
        print_out("fault: illegal at {:#x}\n", reinterpret_cast<uptr>(&illegal_instruction));
        illegal_instruction();
    } else if (kind == "write-ro") {
        auto* p = launder(const_cast<volatile char*>(kReadOnly));
        print_out("fault: write-ro at {:#x}\n", uptr(p));
        store_to(p);
    } else {
        print_err("fault: unknown kind {}\n", kind);
        return 2;
    }
    print_err("fault: {} did not fault\n", kind);
    return 1;
}
