#include "capability.hpp"

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
