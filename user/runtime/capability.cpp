#include "capability.hpp"

#include "fs_text.hpp"
#include "print.hpp"
#include "startup.hpp"
#include "sys.hpp"

namespace mote::user {

namespace {

// A path below the root: "dev/NAME" still goes to the dev capability.
PathAt resolve_under_root(StringView path) {
    if (path.starts_with("dev/") && dev_cap() != abi::kNoHandle) return {dev_cap(), path.substr(4)};
    return {root_dir(), path};
}

}  // namespace

PathAt resolve_path(StringView path) {
    if (path.starts_with("/") && root_dir() != abi::kNoHandle) {
        usize at = 0;
        while (at < path.length() && path[at] == '/') ++at;
        StringView rest = path.substr(at);
        return resolve_under_root(rest.empty() ? StringView(".") : rest);
    }
    if (path.starts_with("dev/") && dev_cap() != abi::kNoHandle) return {dev_cap(), path.substr(4)};
    return {working_dir(), path};
}

SysOr<abi::Handle> open_path(StringView path, u64 flags) {
    PathAt at = resolve_path(path);
    return sys::open(at.dir, at.path, flags);
}

bool is_directory(StringView path) {
    auto dir = open_path(path, abi::kOpenRead | abi::kOpenDirectory);
    if (dir.is_error()) return false;
    (void)sys::close(dir.value());
    return true;
}

int for_each_source(int argc, char** argv, StringView program, bool (*act)(StringView source, StringView target)) {
    if (argc < 3) {
        print_err("usage: {} SRC DST, or {} SRC... DIR\n", program, program);
        return 2;
    }
    const StringView last = argv[argc - 1];
    const bool into = is_directory(last);
    if (argc > 3 && !into) {
        print_err("{}: {}: NotDirectory\n", program, last);
        return 1;
    }
    int status = 0;
    for (int i = 1; i < argc - 1; ++i) {
        const StringView source = argv[i];
        char storage[abi::kNameMax * 4];
        const StringView target = into ? join_path(last, base_name(source), Span<char>(storage, sizeof(storage))) : last;
        if (target.empty()) {
            print_err("{}: {}: Overflow\n", program, source);
            status = 1;
            continue;
        }
        if (!act(source, target)) status = 1;
    }
    return status;
}

int show_capability(StringView program, abi::Handle cap, StringView what) {
    if (cap == abi::kNoHandle) {
        print_err("{}: not given the {} capability (see etc/caps, or run it as +{} {})\n", program, what, what, program);
        return 1;
    }
    static char buffer[2048];
    u64 offset = 0;
    for (;;) {
        auto n = sys::read(cap, buffer, sizeof(buffer), offset);
        if (n.is_error()) {
            print_err("{}: {}: {}\n", program, what, n.error());
            return 1;
        }
        if (n.value() == 0) return 0;
        offset += n.value();
        if (write_all(std_out(), StringView(buffer, n.value())).is_error()) return 1;
    }
}

SysOr<CapsPolicy> load_caps_policy(abi::Handle root) {
    static char text[2048];
    abi::Handle file = TRY(sys::open(root, "etc/caps", abi::kOpenRead));
    usize length = 0;
    for (;;) {
        auto n = sys::read(file, text + length, sizeof(text) - length, length);
        if (n.is_error()) {
            (void)sys::close(file);
            return n.error();
        }
        if (n.value() == 0) break;
        length += n.value();
        if (length == sizeof(text)) break;
    }
    (void)sys::close(file);
    if (length == sizeof(text)) return abi::Err::Overflow;
    CapsFault fault;
    usize line = 0;
    auto policy = CapsPolicy::parse(StringView(text, length), &fault, &line);
    if (policy.is_error()) {
        print_err("etc/caps:{}: {}\n", line, caps_fault_name(fault));
        return abi::Err::Malformed;
    }
    return policy.value();
}

void pass_caps(u32 caps, abi::Handle* handles) {
    for (u32 i = 0; i < kCapCount; ++i) {
        abi::StartHandle which = abi::StartHandle(abi::kPowerCap + i);
        handles[which] = (caps & (1u << i)) ? start_handle(which) : abi::kNoHandle;
    }
}

}  // namespace mote::user
