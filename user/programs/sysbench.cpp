// sysbench [ITERATIONS] [BENCH...] [ITERATIONS BENCH...]...: times system
// calls from user space. Benchmarks (all by default):
//   null_syscall  the yield syscall (with nothing else runnable, a round trip)
//   spawn         spawn and wait of bin/true
//   map           map 1 MiB, write one byte per page, unmap
//   channel_pingpong  a round trip of a 1-byte message over a channel to a
//                 child (this program again, `sysbench channel_echo`, the
//                 channel's other end as its stdin) that sends each back
//   channel_call  the same round trip as one channel_call each side (the
//                 child, `sysbench channel_serve`, answers each request and
//                 waits for the next in one call)
//   ring_batch    32 reads of 64 bytes (bin/sysbench, 32 offsets) submitted
//                 at once through the submission ring, one ring_enter
//   read_batch    the same 32 reads as 32 read syscalls, for comparison
// A number sets the iteration count (default 1000) of the benchmarks named
// after it, so one run can give each its own: a yield costs microseconds
// under TCG, a spawn milliseconds (`./mote bench sys` runs
// `sysbench 20000 null_syscall 200 spawn 100 map`). With no benchmark named,
// all of them run with the last count.
// One line each: SYSBENCH name=<n> iterations=<N> ns_per_op=<X>
// (one op of ring_batch and read_batch is the whole batch of 32 reads).
// Under QEMU's -icount shift=0 the clock advances 1 ns per guest
// instruction, so ns_per_op is then instructions per op.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

constexpr u64 kDefaultIterations = 1000;
constexpr usize kMapBytes = 1 << 20;

// As the Linux peer times getppid(): a tight loop of the call itself
// (through the runtime's wrapper), after 1000 untimed ones.
SysOr<u64> null_syscalls(u64 iterations) {
    for (u64 i = 0; i < 1000; ++i) TRY(sys::yield());
    u64 start = sys::clock();
    for (u64 i = 0; i < iterations; ++i) TRY(sys::yield());
    return sys::clock() - start;
}

SysOr<void> spawn_true() {
    const Handle handles[] = {std_in(), std_out(), std_err(), working_dir(), root_dir()};
    const StringView argv[] = {"true"};
    Handle child = TRY(spawn(root_dir(), "bin/true", argv, handles));
    abi::ExitInfo info {};
    auto waited = sys::wait(child, info, kForever);
    (void)sys::close(child);
    TRY(waited);
    if (info.reason != u32(abi::ExitReason::Exited) || info.status != 0) return abi::Err::BadState;
    return {};
}

SysOr<void> map_touch_unmap() {
    void* region = TRY(sys::map(kMapBytes, abi::kMapRead | abi::kMapWrite));
    auto* bytes = static_cast<volatile u8*>(region);
    for (usize offset = 0; offset < kMapBytes; offset += abi::kPageSize) bytes[offset] = 1;
    return sys::unmap(region, kMapBytes);
}

// --- channel_pingpong ------------------------------------------------------

// Untimed round trips first, like the Linux peer's pipe_pingpong (100):
// the child's first pages fault in and both threads settle.
constexpr u64 kWarmupRoundTrips = 100;

// The child: receives each 1-byte message on its stdin (a channel end) and
// sends it back, until the parent closes its end.
int channel_echo() {
    Handle end = std_in();
    for (;;) {
        u8 byte = 0;
        auto got = sys::channel_recv(end, &byte, 1);
        if (got.is_error()) {
            if (got.error() == abi::Err::PeerClosed) return 0;
            print_err("sysbench channel_echo: receive: {}\n", got.error());
            return 1;
        }
        if (got.value() != 1) {
            print_err("sysbench channel_echo: a {}-byte message, 1 expected\n", got.value());
            return 1;
        }
        auto sent = sys::channel_send(end, &byte, 1);
        if (sent.is_error()) {
            if (sent.error() == abi::Err::PeerClosed) return 0;
            print_err("sysbench channel_echo: send: {}\n", sent.error());
            return 1;
        }
    }
}

// The child of channel_call: the same echo, each answer and the wait for
// the next request one channel_call.
int channel_serve() {
    Handle end = std_in();
    u8 byte = 0;
    auto got = sys::channel_recv(end, &byte, 1);
    while (got.ok()) {
        if (got.value() != 1) {
            print_err("sysbench channel_serve: a {}-byte message, 1 expected\n", got.value());
            return 1;
        }
        got = sys::channel_call(end, &byte, 1, &byte, 1);
    }
    if (got.error() == abi::Err::PeerClosed) return 0;
    print_err("sysbench channel_serve: {}\n", got.error());
    return 1;
}

// One round trip: send a byte, receive the echo, check it is the same byte.
SysOr<void> send_and_receive(Handle end, u8 byte) {
    TRY(sys::channel_send(end, &byte, 1));
    u8 echoed = 0;
    usize n = TRY(sys::channel_recv(end, &echoed, 1));
    if (n != 1 || echoed != byte) return abi::Err::Malformed;
    return {};
}

// The same round trip as one channel_call.
SysOr<void> call_once(Handle end, u8 byte) {
    u8 echoed = 0;
    usize n = TRY(sys::channel_call(end, &byte, 1, &echoed, 1));
    if (n != 1 || echoed != byte) return abi::Err::Malformed;
    return {};
}

using RoundTrip = SysOr<void> (*)(Handle end, u8 byte);

SysOr<u64> timed_round_trips(Handle end, u64 iterations, RoundTrip round_trip) {
    for (u64 i = 0; i < kWarmupRoundTrips; ++i) TRY(round_trip(end, u8(i)));
    u64 start = sys::clock();
    for (u64 i = 0; i < iterations; ++i) TRY(round_trip(end, u8(i)));
    return sys::clock() - start;
}

// Returns the time of `iterations` round trips: a channel, the child
// (`sysbench <child_mode>`) spawned with one end, the round trips, then the
// parent's end closed (the child sees PeerClosed and exits 0) and the child
// waited for.
SysOr<u64> channel_round_trips(u64 iterations, StringView child_mode, RoundTrip round_trip) {
    Handle ends[2] = {kNoHandle, kNoHandle};
    TRY(sys::channel_create(ends));
    const Handle handles[] = {ends[1], std_out(), std_err()};
    const StringView argv[] = {"sysbench", child_mode};
    auto child = spawn(root_dir(), "bin/sysbench", argv, handles);
    // The child holds its own copy of ends[1] (the end has kRightDuplicate):
    // close ours, so the child alone answers and its exit closes the channel.
    (void)sys::close(ends[1]);
    if (child.is_error()) {
        (void)sys::close(ends[0]);
        return child.error();
    }
    auto ns = timed_round_trips(ends[0], iterations, round_trip);
    (void)sys::close(ends[0]);
    abi::ExitInfo info {};
    auto waited = sys::wait(child.value(), info, kForever);
    (void)sys::close(child.value());
    TRY(ns);
    TRY(waited);
    if (info.reason != u32(abi::ExitReason::Exited) || info.status != 0) return abi::Err::BadState;
    return ns;
}

SysOr<u64> channel_pingpong(u64 iterations) { return channel_round_trips(iterations, "channel_echo", send_and_receive); }

SysOr<u64> channel_call(u64 iterations) { return channel_round_trips(iterations, "channel_serve", call_once); }

// --- ring_batch and read_batch ---------------------------------------------

constexpr u32 kBatch = 32;
constexpr usize kReadBytes = 64;
constexpr u32 kRingEntries = 64;
constexpr u64 kWarmupBatches = 10;

// One buffer per read, so both ways copy into the same 32 places.
u8 g_buffers[kBatch][kReadBytes];

// The file both batches read: this program's own file, 32 offsets 64 bytes
// apart (2 KiB; any program is larger).
SysOr<Handle> open_batch_file() { return sys::open(root_dir(), "bin/sysbench", abi::kOpenRead); }

SysOr<void> plain_batch(Handle file) {
    for (u32 i = 0; i < kBatch; ++i) {
        usize n = TRY(sys::read(file, g_buffers[i], kReadBytes, u64(i) * kReadBytes));
        if (n != kReadBytes) return abi::Err::Malformed;
    }
    return {};
}

// The ring is per process and set up once: the first ring_batch maps it.
abi::RingHeader* g_ring = nullptr;

SysOr<void> ring_batch_once(Handle file) {
    abi::RingHeader* ring = g_ring;
    auto* entries = reinterpret_cast<abi::RingEntry*>(reinterpret_cast<u8*>(ring) + ring->sq_offset);
    auto* completions = reinterpret_cast<abi::RingCompletion*>(reinterpret_cast<u8*>(ring) + ring->cq_offset);
    u32 mask = ring->entries - 1;
    u32 tail = ring->sq_tail;
    for (u32 i = 0; i < kBatch; ++i) {
        abi::RingEntry& entry = entries[(tail + i) & mask];
        entry.op = u32(abi::Sys::Read);
        entry.handle = file;
        entry.arg1 = u64(uptr(g_buffers[i]));
        entry.arg2 = kReadBytes;
        entry.arg3 = u64(i) * kReadBytes;
        entry.user_data = i;
    }
    ring->sq_tail = tail + kBatch;
    usize ready = TRY(sys::ring_enter(kBatch, kBatch));
    if (ready < kBatch) return abi::Err::BadState;
    // Reap: every read exactly once, each whole.
    u32 seen = 0;
    u32 head = ring->cq_head;
    for (u32 i = 0; i < kBatch; ++i) {
        const abi::RingCompletion& done = completions[(head + i) & mask];
        if (done.result < 0) return abi::Err(-done.result);
        if (done.result != i64(kReadBytes) || done.user_data >= kBatch) return abi::Err::Malformed;
        seen |= 1u << done.user_data;
    }
    ring->cq_head = head + kBatch;
    if (seen != ~0u) return abi::Err::Malformed;
    return {};
}

// Times `iterations` batches, after kWarmupBatches untimed ones.
SysOr<u64> timed_batches(Handle file, u64 iterations, SysOr<void> (*batch)(Handle)) {
    for (u64 i = 0; i < kWarmupBatches; ++i) TRY(batch(file));
    u64 start = sys::clock();
    for (u64 i = 0; i < iterations; ++i) TRY(batch(file));
    return sys::clock() - start;
}

SysOr<u64> batches(u64 iterations, SysOr<void> (*batch)(Handle)) {
    Handle file = TRY(open_batch_file());
    auto ns = timed_batches(file, iterations, batch);
    (void)sys::close(file);
    return ns;
}

SysOr<u64> ring_batch(u64 iterations) {
    if (!g_ring) g_ring = TRY(sys::ring_setup(kRingEntries));
    return batches(iterations, ring_batch_once);
}

SysOr<u64> read_batch(u64 iterations) { return batches(iterations, plain_batch); }

// --- the table and the driver ---------------------------------------------

// A benchmark is either one operation the driver times in a loop (`run`),
// or a whole timed run with its own setup (`run_all`: returns the
// nanoseconds its `iterations` operations took).
struct Bench {
    StringView name;
    SysOr<void> (*run)();
    SysOr<u64> (*run_all)(u64 iterations);
};
constexpr Bench kBenches[] = {
    {"null_syscall", nullptr, null_syscalls},
    {"spawn", spawn_true, nullptr},
    {"map", map_touch_unmap, nullptr},
    {"channel_pingpong", nullptr, channel_pingpong},
    {"channel_call", nullptr, channel_call},
    {"ring_batch", nullptr, ring_batch},
    {"read_batch", nullptr, read_batch},
};

SysOr<u64> time_loop(const Bench& bench, u64 iterations) {
    u64 start = sys::clock();
    for (u64 i = 0; i < iterations; ++i) {
        auto result = bench.run();
        if (result.is_error()) {
            print_err("sysbench: {}: iteration {}: {}\n", bench.name, i, result.error());
            return result.error();
        }
    }
    return sys::clock() - start;
}

bool run_bench(const Bench& bench, u64 iterations) {
    auto timed = bench.run_all ? bench.run_all(iterations) : time_loop(bench, iterations);
    if (timed.is_error()) {
        print_err("sysbench: {}: {}\n", bench.name, timed.error());
        return false;
    }
    u64 ns = timed.value();
    print_out("SYSBENCH name={} iterations={} ns_per_op={}\n", bench.name, iterations, ns / iterations);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && StringView(argv[1]) == StringView("channel_echo")) return channel_echo();
    if (argc == 2 && StringView(argv[1]) == StringView("channel_serve")) return channel_serve();
    u64 iterations = kDefaultIterations;
    bool named = false;
    bool ok = true;
    for (int i = 1; i < argc; ++i) {
        auto parsed = parse_u64(argv[i]);
        if (parsed.ok()) {
            iterations = parsed.value();
            if (iterations == 0) {
                print_err("sysbench: ITERATIONS must be at least 1\n");
                return 2;
            }
            // A count that no benchmark follows is a mistake (e.g. the
            // count written after the name), unless nothing was named: then
            // it applies to all of them, below.
            if (named && i + 1 == argc) {
                print_err("sysbench: {} iterations of no benchmark (counts go before the names)\n", argv[i]);
                return 2;
            }
            continue;
        }
        named = true;
        const Bench* found = nullptr;
        for (const Bench& bench : kBenches)
            if (bench.name == StringView(argv[i])) found = &bench;
        if (!found) {
            print_err("sysbench: unknown benchmark {} (null_syscall, spawn, map, channel_pingpong, channel_call, "
                      "ring_batch, read_batch)\n",
                      argv[i]);
            ok = false;
            continue;
        }
        ok &= run_bench(*found, iterations);
    }
    if (!named)
        for (const Bench& bench : kBenches) ok &= run_bench(bench, iterations);
    return ok ? 0 : 1;
}
