// sysbench [ITERATIONS] [BENCH...] [ITERATIONS BENCH...]...: times system
// calls from user space. Benchmarks (all by default):
//   null_syscall  the yield syscall (with nothing else runnable, a round trip)
//   spawn         spawn and wait of bin/true
//   map           map 1 MiB, write one byte per page, unmap
// A number sets the iteration count (default 1000) of the benchmarks named
// after it, so one run can give each its own: a yield costs microseconds
// under TCG, a spawn milliseconds (`./mote bench sys` runs
// `sysbench 20000 null_syscall 200 spawn 100 map`). With no benchmark named,
// all of them run with the last count.
// One line each: SYSBENCH name=<n> iterations=<N> ns_per_op=<X>
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

constexpr u64 kDefaultIterations = 1000;
constexpr usize kMapBytes = 1 << 20;

SysOr<void> null_syscall() { return sys::yield(); }

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

struct Bench {
    StringView name;
    SysOr<void> (*run)();
};
constexpr Bench kBenches[] = {
    {"null_syscall", null_syscall},
    {"spawn", spawn_true},
    {"map", map_touch_unmap},
};

bool run_bench(const Bench& bench, u64 iterations) {
    u64 start = sys::clock();
    for (u64 i = 0; i < iterations; ++i) {
        auto result = bench.run();
        if (result.is_error()) {
            print_err("sysbench: {}: iteration {}: {}\n", bench.name, i, result.error());
            return false;
        }
    }
    u64 ns = sys::clock() - start;
    print_out("SYSBENCH name={} iterations={} ns_per_op={}\n", bench.name, iterations, ns / iterations);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
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
            print_err("sysbench: unknown benchmark {} (null_syscall, spawn, map)\n", argv[i]);
            ok = false;
            continue;
        }
        ok &= run_bench(*found, iterations);
    }
    if (!named)
        for (const Bench& bench : kBenches) ok &= run_bench(bench, iterations);
    return ok ? 0 : 1;
}
