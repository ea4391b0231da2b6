// spin [SECONDS]: a CPU hog for scheduler tests. Counts loop iterations
// for SECONDS (fractions allowed) and prints the count; without an
// argument it spins until killed, printing the count once a second.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

constexpr u64 kSecond = 1'000'000'000;
// The clock is read once per this many iterations, so the loop is mostly
// arithmetic, not syscalls.
constexpr u64 kBatch = 4096;

// A little work the optimiser cannot remove.
u64 work(u64 state) {
    for (u64 i = 0; i < kBatch; ++i) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        asm volatile("" : "+r"(state));
    }
    return state;
}

}  // namespace

int main(int argc, char** argv) {
    u64 duration = ~u64(0);
    if (argc > 2) {
        print_err("usage: spin [SECONDS]\n");
        return 2;
    }
    if (argc == 2) {
        auto parsed = parse_seconds(argv[1]);
        if (parsed.is_error()) {
            print_err("spin: {}: {}\n", argv[1], parsed.error());
            return 2;
        }
        duration = parsed.value();
    }
    u64 start = sys::clock();
    u64 next_report = start + kSecond;
    u64 iterations = 0;
    u64 state = start;
    for (;;) {
        state = work(state);
        iterations += kBatch;
        u64 now = sys::clock();
        if (now - start >= duration) {
            print_out("spin: {} iterations in {} ms\n", iterations, (now - start) / 1'000'000);
            return int(state & 0);  // state is used, the status is 0
        }
        if (argc == 1 && now >= next_report) {
            print_out("spin: {} iterations\n", iterations);
            next_report += kSecond;
        }
    }
}
