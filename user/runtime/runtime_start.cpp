// runtime_start: the C++ side of each program's entry (arch/<isa>/start.S
// calls it with the kernel's StartInfo). It decodes the StartInfo, runs the
// static constructors, calls main and exits with its status.
#include "runtime.hpp"

// Programs are compiled -ffreestanding, where main is an ordinary function
// with an ordinary (Itanium, the same on every ISA here) mangled name. C++
// may not name main itself, so this declares a function with that symbol.
// A hosted target keeps this: its entry file defines the process's real,
// unmangled main, which builds a StartInfo and calls runtime_start.
int program_main(int argc, char** argv) __asm__("_Z4mainiPPc");

extern "C" {
// Bounds of .init_array, from user/user.ld.
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
}

extern "C" [[noreturn]] void runtime_start(const mote::abi::StartInfo* info) {
    using namespace mote::user;
    Startup decoded;
    StartFault fault = decode_start_info(info, decoded);
    set_startup(decoded);
    if (fault != StartFault::None) {
        print_err("runtime: bad StartInfo ({})\n", start_fault_name(fault));
        sys::exit(kBadStartStatus);
    }
    for (auto* init = __init_array_start; init != __init_array_end; ++init) (*init)();
    int status = program_main(int(decoded.argc), const_cast<char**>(decoded.argv));
    sys::exit(status);
}
