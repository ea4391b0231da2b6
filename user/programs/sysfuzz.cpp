// sysfuzz SECONDS [SEED]: random system calls with random arguments, for a
// bounded time. The kernel must stay up, answer every call with a result
// or an error, and leak nothing.
//
// The parent spawns children one after another until the time is up; each
// child (`sysfuzz child SEED`) makes kCallsPerChild calls drawn from every
// syscall number (and some past the last) with arguments drawn from values
// that hit edges: null, its own buffers, a region it mapped, kernel
// addresses, unaligned and wrapping pointers, its handles, stale and forged
// handles, zero, huge and wrapping lengths. It never calls exit (that just
// ends it early); a child may still end itself (signal on itself, a fault
// from a write that clobbered its own memory through the kernel): the parent
// counts how children ended and starts the next. Children get no console
// handle (a read of it would wait for a person), only directories and a
// file. At the end the parent prints
//   SYSFUZZ calls=N children=N exited=N faulted=N killed=N free_before=N free_after=N
// comparing free pages (sys/memory.json, counting the slab pages kept empty
// for reuse as free) before and after.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

constexpr u64 kCallsPerChild = 3000;

struct Random {
    u64 state;
    u64 next() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
    u64 below(u64 n) { return next() % n; }
};


alignas(64) u8 g_buffer[8192];

int child(u64 seed) {
    Random random {seed | 1};
    u64 mapped = 0;
    if (auto region = sys::map(64 * 1024, abi::kMapRead | abi::kMapWrite); region.ok()) mapped = u64(region.value());
    // What a handle argument may be: ours, made up, or one we closed.
    u64 handles[8] = {root_dir(), working_dir(), start_handle(abi::kStdin), 0, 0xffffffff, 1, 0x101, 0};
    u64 stale = 0;
    if (auto h = sys::open(root_dir(), "etc/motd", abi::kOpenRead); h.ok()) {
        stale = h.value();
        (void)sys::close(h.value());
    }
    handles[7] = stale;
    auto pointer = [&]() -> u64 {
        u64 base[] = {0,
                      u64(g_buffer),
                      u64(g_buffer) + 4093,
                      mapped,
                      mapped + 64 * 1024 - 8,
                      0xffffffc000000000ull,
                      0xffff800000000000ull,
                      0xfffffffffffff000ull,
                      abi::kMapBase + (u64(1) << 30),
                      abi::kUserLimit - 8,
                      0x400000,
                      random.next()};
        return base[random.below(sizeof(base) / sizeof(base[0]))];
    };
    auto length = [&]() -> u64 {
        u64 base[] = {0, 1, 8, 512, 4096, 4097, 64 * 1024, u64(1) << 40, ~u64(0), ~u64(0) - 7, random.below(8192)};
        return base[random.below(sizeof(base) / sizeof(base[0]))];
    };
    auto small = [&]() -> u64 {
        u64 base[] = {0, 1, 2, 3, 4, 5, 7, 16, 17, 64, ~u64(0), random.next()};
        return base[random.below(sizeof(base) / sizeof(base[0]))];
    };
    auto time = [&]() -> u64 { return random.below(3) == 0 ? 0 : random.below(1000000); };  // < 1 ms: never waits for long
    for (u64 i = 0; i < kCallsPerChild; ++i) {
        u64 number = random.below(u64(abi::Sys::Count) + 3);
        u64 a[6];
        for (auto& v : a) {
            switch (random.below(4)) {
            case 0: v = pointer(); break;
            case 1: v = length(); break;
            case 2: v = handles[random.below(8)]; break;
            default: v = small(); break;
            }
        }
        switch (abi::Sys(number)) {
        case abi::Sys::Exit: continue;
        case abi::Sys::Sleep: a[0] = time(); break;
        case abi::Sys::Wait:
        case abi::Sys::Poll: a[2] = time(); break;
        case abi::Sys::Read:
            // stdin is the console only for the parent; children have none,
            // but keep reads off handle 0 slots that could be one.
            if (a[0] == start_handle(abi::kStdin)) a[0] = root_dir();
            break;
        case abi::Sys::Signal:
            // A signal to a process handle we hold: our own children only.
            break;
        default: break;
        }
        (void)sys::raw(number, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    return 0;
}

// One of each filesystem call on a scratch directory under tmp/, undone.
void warm_filesystem_calls(Handle root) {
    (void)sys::mkdir(root, "tmp/.sysfuzz");
    if (auto file = sys::open(root, "tmp/.sysfuzz/f", abi::kOpenRead | abi::kOpenWrite | abi::kOpenCreate | abi::kOpenTruncate);
        file.ok()) {
        (void)sys::write(file.value(), "x", 1);
        (void)sys::truncate(file.value(), 0);
        (void)sys::set_times(file.value(), abi::kTimeNow, abi::kTimeNow);
        (void)sys::sync(file.value(), abi::kSyncFilesystem);
        abi::FsStat stat {};
        (void)sys::statfs(file.value(), stat);
        (void)sys::close(file.value());
    }
    (void)sys::symlink(root, "tmp/.sysfuzz/l", "f");
    (void)sys::link(root, "tmp/.sysfuzz/f", root, "tmp/.sysfuzz/g");
    (void)sys::rename(root, "tmp/.sysfuzz/g", root, "tmp/.sysfuzz/h");
    if (auto through = sys::open(root, "tmp/.sysfuzz/l", abi::kOpenRead); through.ok()) (void)sys::close(through.value());
    static const char* const kMade[] = {"tmp/.sysfuzz/f", "tmp/.sysfuzz/h", "tmp/.sysfuzz/l"};
    for (const char* name : kMade) (void)sys::unlink(root, name);
    (void)sys::unlink(root, "tmp/.sysfuzz", abi::kUnlinkDirectory);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 3 && StringView(argv[1]) == "child") {
        auto seed = parse_u64(StringView(argv[2]));
        return child(seed.ok() ? seed.value() : 1);
    }
    u64 seconds = 10;
    u64 seed = 0x9e3779b97f4a7c15ull;
    if (argc >= 2) {
        auto parsed = parse_u64(StringView(argv[1]));
        if (parsed.is_error()) {
            print_err("usage: sysfuzz [SECONDS [SEED]]\n");
            return 2;
        }
        seconds = parsed.value();
    }
    if (argc >= 3) seed = parse_u64(StringView(argv[2])).value_or(seed);
    Random random {seed};
    u64 end = sys::clock() + seconds * 1000000000ull;
    u64 children = 0, exited = 0, faulted = 0, killed = 0;
    u64 before = 0;
    while (sys::clock() < end || children < 2) {
        // No console: a child's read would wait for a person.
        const Handle handles[] = {root_dir(), kNoHandle, kNoHandle, working_dir(), root_dir()};
        char seed_text[24];
        FormatBuffer text(Span<char>(seed_text, sizeof(seed_text)));
        format_append(text, "{}", random.next());
        const StringView args[] = {"sysfuzz", "child", text.view()};
        auto child = spawn(root_dir(), "bin/sysfuzz", args, Span<const Handle>(handles, 1));
        if (child.is_error()) {
            print_err("sysfuzz: spawn: {}\n", child.error());
            return 1;
        }
        abi::ExitInfo info {};
        auto waited = sys::wait(child.value(), info, kForever);
        (void)sys::close(child.value());
        if (waited.is_error()) {
            print_err("sysfuzz: wait: {}\n", waited.error());
            return 1;
        }
        ++children;
        if (info.reason == u32(abi::ExitReason::Exited)) ++exited;
        else if (info.reason == u32(abi::ExitReason::Fault)) ++faulted;
        else ++killed;
        // The first child warms the slab caches; measure from after it.
        if (children == 1) {
            warm_filesystem_calls(root_dir());
            before = free_pages_now();
        }
    }
    u64 after = free_pages_now();
    print_out("SYSFUZZ calls={} children={} exited={} faulted={} killed={} free_before={} free_after={}\n",
              children * kCallsPerChild, children, exited, faulted, killed, before, after);
    return before == after && before != 0 ? 0 : 1;
}
