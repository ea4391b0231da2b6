// What a program was started with: its arguments and its start handles,
// decoded once from the kernel's StartInfo (abi/syscalls.hpp) by
// runtime_start and readable from anywhere in the program.
//
// The StartInfo is input from outside the program, so it is checked before
// use: a handle count above kMaxSpawnHandles, a null argv with arguments,
// or a null argument is a StartFault, and runtime_start refuses to run
// main() on it.
#pragma once

#include "abi/syscalls.hpp"
#include "base/span.hpp"

namespace mote::user {

using abi::Handle;

enum class StartFault : u8 { None, NullStartInfo, TooManyHandles, TooManyArguments, NullArgv, NullArgument };
const char* start_fault_name(StartFault fault);

struct Startup {
    // The most arguments a packed argv of kMaxArgvBytes can hold (each at
    // least its NUL).
    static constexpr usize kMaxArguments = abi::kMaxArgvBytes;

    usize argc = 0;
    const char* const* argv = nullptr;
    usize handle_count = 0;
    Handle handles[abi::kMaxSpawnHandles] {};
};

// Fills `out` from `info`. Handles are decoded even when the arguments are
// bad, so the caller can still report on stderr.
StartFault decode_start_info(const abi::StartInfo* info, Startup& out);

// The running program's Startup (runtime_start sets it; tests may too).
const Startup& startup();
void set_startup(const Startup& startup);

usize argc();
// Argument `i`, or an empty view past the end.
StringView arg(usize i);
// The handle passed at position `which`, or kNoHandle if it was not passed.
Handle start_handle(abi::StartHandle which);

inline Handle std_in() { return start_handle(abi::kStdin); }
inline Handle std_out() { return start_handle(abi::kStdout); }
inline Handle std_err() { return start_handle(abi::kStderr); }
inline Handle working_dir() { return start_handle(abi::kWorkingDir); }
inline Handle root_dir() { return start_handle(abi::kRootDir); }
// The privileged capabilities, kNoHandle unless this program was given them.
inline Handle power_cap() { return start_handle(abi::kPowerCap); }
inline Handle log_cap() { return start_handle(abi::kLogCap); }
inline Handle audit_cap() { return start_handle(abi::kAuditCap); }
inline Handle dev_cap() { return start_handle(abi::kDevCap); }
inline Handle net_cap() { return start_handle(abi::kNetCap); }

}  // namespace mote::user
