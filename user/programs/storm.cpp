// storm: stress tests whose verdict is a line tests read.
//   storm spawn N        N sequential spawn+wait of bin/true
//   storm concurrent N   N children alive at once (bin/sleep 0.2), then all waited for
//   storm memory         map 8 MiB regions until the kernel says NoMemory, touch every page,
//                        then unmap them all
//   storm limit N        start up to N children that sleep (bin/sleep 60) until a spawn
//                        fails, then end them all: `STORM limit started=K error=NAME`
//                        (NAME "none" when all N started). Without the spawn capability
//                        a program's tree holds 16 processes (kernel/proc/spawn_capability.hpp).
// Each prints `STORM <test> ok ...` or `STORM <test> FAIL ...`, and then
// `STORM free_before=X free_after=Y` from sys/memory.json, read before the
// test (after one warm-up round, so slab caches already hold their first
// slab) and after: the kernel must give every page back.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {


SysOr<Handle> start(StringView path, Span<const StringView> argv) {
    const Handle handles[] = {std_in(), std_out(), std_err(), working_dir(), root_dir()};
    return spawn(root_dir(), path, argv, handles);
}

SysOr<void> finish(Handle child) {
    abi::ExitInfo info {};
    auto waited = sys::wait(child, info, kForever);
    (void)sys::close(child);
    TRY(waited);
    if (info.reason != u32(abi::ExitReason::Exited) || info.status != 0) return abi::Err::BadState;
    return {};
}

SysOr<void> spawn_sequential(u64 count) {
    const StringView argv[] = {"true"};
    for (u64 i = 0; i < count; ++i) {
        Handle child = TRY(start("bin/true", argv));
        TRY(finish(child));
    }
    return {};
}

SysOr<void> spawn_concurrent(u64 count) {
    constexpr u64 kMax = 128;
    if (count > kMax) return abi::Err::InvalidArgument;
    Handle children[kMax];
    const StringView argv[] = {"sleep", "0.2"};
    u64 started = 0;
    SysOr<void> result = SysOr<void>();
    for (; started < count; ++started) {
        auto child = start("bin/sleep", argv);
        if (child.is_error()) {
            result = child.error();
            break;
        }
        children[started] = child.value();
    }
    for (u64 i = 0; i < started; ++i) {
        auto done = finish(children[i]);
        if (done.is_error() && !result.is_error()) result = done.error();
    }
    return result;
}

u64 g_regions = 0;
SysOr<void> map_until_full(u64) {
    constexpr usize kRegion = 8 << 20;
    constexpr u64 kMax = 4096;
    static void* regions[kMax];
    u64 count = 0;
    abi::Err stopped = abi::Err::Busy;
    while (count < kMax) {
        auto region = sys::map(kRegion, abi::kMapRead | abi::kMapWrite);
        if (region.is_error()) {
            stopped = region.error();
            break;
        }
        auto* bytes = static_cast<volatile u8*>(region.value());
        for (usize offset = 0; offset < kRegion; offset += abi::kPageSize) bytes[offset] = u8(offset);
        regions[count++] = region.value();
    }
    g_regions = count;
    for (u64 i = 0; i < count; ++i) TRY(sys::unmap(regions[i], kRegion));
    // Running out must be a clean NoMemory (or the region table filling up).
    if (stopped != abi::Err::NoMemory && stopped != abi::Err::TooMany) return stopped;
    if (count == 0) return abi::Err::NoMemory;
    return {};
}

// Children that sleep until killed, as many as the kernel allows (at most
// `count`); then each is ended and waited for.
int spawn_until_refused(u64 count) {
    constexpr u64 kMax = 128;
    if (count > kMax) {
        print_err("storm: limit: at most {}\n", kMax);
        return 2;
    }
    Handle children[kMax];
    const StringView argv[] = {"sleep", "60"};
    u64 started = 0;
    SysOr<Handle> child = abi::Err::InvalidArgument;
    for (; started < count; ++started) {
        child = start("bin/sleep", argv);
        if (child.is_error()) break;
        children[started] = child.value();
    }
    int status = 0;
    for (u64 i = 0; i < started; ++i) {
        abi::ExitInfo info {};
        if (sys::signal(children[i], abi::Signal::Terminate).is_error() || sys::wait(children[i], info).is_error())
            status = 1;
        (void)sys::close(children[i]);
    }
    if (started == count) print_out("STORM limit started={} error=none\n", started);
    else print_out("STORM limit started={} error={}\n", started, child.error());
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_err("usage: storm spawn N | concurrent N | memory | limit N\n");
        return 2;
    }
    StringView test = argv[1];
    u64 count = 0;
    if (argc >= 3) {
        auto parsed = parse_u64(StringView(argv[2]));
        if (parsed.is_error()) {
            print_err("storm: bad count '{}'\n", argv[2]);
            return 2;
        }
        count = parsed.value();
    }
    if (test == "limit") return spawn_until_refused(count);
    SysOr<void> (*run)(u64) = nullptr;
    if (test == "spawn") run = spawn_sequential;
    else if (test == "concurrent") run = spawn_concurrent;
    else if (test == "memory") run = map_until_full;
    else {
        print_err("storm: unknown test '{}'\n", test);
        return 2;
    }
    // Warm-up, the same size: slab caches grow to what the test needs and
    // keep that (an empty slab or two is kept on purpose, not leaked).
    (void)run(test == "spawn" && count > 4 ? 4 : count);
    u64 before = free_pages_now();
    u64 start = sys::clock();
    auto result = run(count);
    u64 ms = (sys::clock() - start) / 1000000;
    u64 after = free_pages_now();
    if (result.is_error()) print_out("STORM {} FAIL {} after {} ms\n", test, result.error(), ms);
    else print_out("STORM {} ok count={} regions={} ms={}\n", test, count, g_regions, ms);
    print_out("STORM free_before={} free_after={}\n", before, after);
    return result.is_error() || before != after || before == 0 ? 1 : 0;
}
