#include "startup.hpp"

namespace mote::user {

namespace {
Startup g_startup;
}  // namespace

const char* start_fault_name(StartFault fault) {
    switch (fault) {
    case StartFault::None: return "None";
    case StartFault::NullStartInfo: return "NullStartInfo";
    case StartFault::TooManyHandles: return "TooManyHandles";
    case StartFault::TooManyArguments: return "TooManyArguments";
    case StartFault::NullArgv: return "NullArgv";
    case StartFault::NullArgument: return "NullArgument";
    }
    return "Unknown";
}

StartFault decode_start_info(const abi::StartInfo* info, Startup& out) {
    out = Startup {};
    if (!info) return StartFault::NullStartInfo;
    StartFault fault = StartFault::None;
    usize handles = usize(info->handle_count);
    if (info->handle_count > abi::kMaxSpawnHandles) {
        fault = StartFault::TooManyHandles;
        handles = abi::kMaxSpawnHandles;  // still usable for the report
    }
    out.handle_count = handles;
    for (usize i = 0; i < handles; ++i) out.handles[i] = info->handles[i];
    if (fault != StartFault::None) return fault;

    if (info->argc > Startup::kMaxArguments) return StartFault::TooManyArguments;
    auto* argv = reinterpret_cast<const char* const*>(uptr(info->argv));
    if (info->argc > 0 && !argv) return StartFault::NullArgv;
    for (u64 i = 0; i < info->argc; ++i)
        if (!argv[i]) return StartFault::NullArgument;
    out.argc = usize(info->argc);
    out.argv = argv;
    return StartFault::None;
}

const Startup& startup() { return g_startup; }
void set_startup(const Startup& startup) { g_startup = startup; }

usize argc() { return g_startup.argc; }

StringView arg(usize i) { return i < g_startup.argc ? StringView(g_startup.argv[i]) : StringView(); }

Handle start_handle(abi::StartHandle which) {
    return which < g_startup.handle_count ? g_startup.handles[which] : abi::kNoHandle;
}

}  // namespace mote::user
