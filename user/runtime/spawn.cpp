#include "spawn.hpp"

#include "base/memory.hpp"

namespace mote::user {

SysOr<usize> pack_argv(Span<const StringView> words, Span<char> out) {
    usize limit = min(out.size(), usize(abi::kMaxArgvBytes));
    usize used = 0;
    for (StringView word : words) {
        for (char c : word)
            if (c == '\0') return abi::Err::InvalidArgument;
        if (word.length() + 1 > limit - used) return abi::Err::Overflow;
        mem_copy(out.data() + used, word.data(), word.length());
        used += word.length();
        out[used++] = '\0';
    }
    return used;
}

SysOr<Handle> spawn(Handle dir, StringView path, Span<const StringView> argv, Span<const Handle> handles,
                    u64 flags) {
    if (handles.size() > abi::kMaxSpawnHandles) return abi::Err::TooMany;
    char packed[abi::kMaxArgvBytes];
    usize length = TRY(pack_argv(argv, Span<char>(packed, sizeof(packed))));
    abi::SpawnArgs args {
        .dir = dir,
        .path = u64(uptr(path.data())),
        .path_length = path.length(),
        .argv = u64(uptr(packed)),
        .argv_length = length,
        .argc = argv.size(),
        .handles = u64(uptr(handles.data())),
        .handle_count = handles.size(),
        .flags = flags,
    };
    return sys::spawn(args);
}

bool describe_exit(const abi::ExitInfo& info, FormatBuffer& out) {
    switch (abi::ExitReason(info.reason)) {
    case abi::ExitReason::Exited:
        if (info.status == 0) return true;
        format_append(out, "[exit {}]", info.status);
        return false;
    case abi::ExitReason::Killed:
        // Ctrl-C (or kill -int), as the user will remember doing it.
        out.append(info.status == i32(abi::Signal::Interrupt) ? "[interrupted]" : "[killed]");
        return false;
    case abi::ExitReason::Fault:
        // The cause is the ISA's own word (scause, ESR_EL1, the vector):
        // hex, and unsigned, or an aarch64 ESR reads as a negative number.
        format_append(out, "[fault cause={:#x} pc={:#x} address={:#x}]", u32(info.status), info.fault_pc,
                      info.fault_address);
        return false;
    }
    format_append(out, "[ended reason={} status={}]", info.reason, info.status);
    return false;
}

}  // namespace mote::user
