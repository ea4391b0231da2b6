// fpcheck [ITERATIONS]: floating point and SIMD in a user program, and its
// registers kept while other programs run and while it is in the kernel.
//
// Each check computes a result twice, or against a value known exactly, and
// fails loudly if they differ: IEEE arithmetic is deterministic, so a
// difference means registers were lost or mixed with another thread's.
//   * arithmetic: sqrt(2) by Newton's method, single precision, conversions;
//   * SIMD: a float sum the compiler vectorises, against its exact value;
//   * across syscalls: an accumulator kept through 1000 `yield`s;
//   * across preemption: ITERATIONS (default 2,000,000) steps of the
//     logistic map, twice; run several at once (`fpcheck & fpcheck`) and
//     every copy must print the same bits.
// Prints "fpcheck: ok ... logistic BITS" and exits 0, or names the failed
// check and exits 1.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

// Inputs the optimiser cannot fold away: the work must run at run time.
volatile double g_two = 2.0;
volatile double g_seed = 0.1234;
volatile double g_rate = 3.99;
volatile float g_three = 3.0f;

u64 bits_of(double value) {
    u64 bits;
    __builtin_memcpy(&bits, &value, sizeof(bits));
    return bits;
}

// "1.41421356237": the integer part and 11 decimals (values in 0..1e6).
void format_fixed(FormatBuffer& out, double value) {
    if (value < 0) {
        out.append("-");
        value = -value;
    }
    u64 whole = u64(value);
    u64 fraction = u64((value - double(whole)) * 1e11 + 0.5);
    if (fraction >= 100'000'000'000ull) {
        ++whole;
        fraction -= 100'000'000'000ull;
    }
    format_append(out, "{}.{:011}", whole, fraction);
}

double newton_sqrt(double a) {
    double x = a;
    for (int i = 0; i < 60; ++i) x = 0.5 * (x + a / x);
    return x;
}

double logistic(u64 iterations) {
    double x = g_seed;
    const double r = g_rate;
    for (u64 i = 0; i < iterations; ++i) x = r * x * (1.0 - x);
    return x;
}

// Doubles every value, in a loop the compiler turns into SIMD multiplies
// (element-wise, so no reordering of rounding is needed to vectorise it).
void simd_double(float* values, usize n) {
    for (usize i = 0; i < n; ++i) values[i] = values[i] * 2.0f;
}

bool fail(const char* what, u64 got, u64 want) {
    print_err("fpcheck: FAIL {}: got {:#x}, want {:#x}\n", what, got, want);
    return false;
}

bool check_arithmetic() {
    const double root = newton_sqrt(g_two);
    // sqrt(2) rounded to double: 0x3ff6a09e667f3bcd (1.4142135623730951).
    const u64 want = 0x3ff6a09e667f3bcdull;
    if (bits_of(root) != want && bits_of(root) != want + 1 && bits_of(root) != want - 1)
        return fail("sqrt(2) by Newton", bits_of(root), want);
    const float third = g_three / 9.0f;
    if (u64(third * 900.0f + 0.5f) != 300) return fail("single precision", u64(third * 900.0f + 0.5f), 300);
    const double big = g_two * 5e14 + 0.75;  // 1e15 + 0.75
    if (i64(big) != 1'000'000'000'000'000ll) return fail("double to integer", u64(i64(big)), 1'000'000'000'000'000ull);
    if (double(i64(-7)) * g_two != -14.0) return fail("integer to double", bits_of(double(i64(-7)) * g_two), bits_of(-14.0));
    return true;
}

bool check_simd() {
    static float values[2048];
    for (usize i = 0; i < 2048; ++i) values[i] = float(i + 1) * (g_three / 3.0f);
    simd_double(values, 2048);
    // 2 * (1 + ... + 2048) = 4,196,352: every partial sum is an integer
    // below 2^24, so the float sum is exact.
    float sum = 0;
    for (usize i = 0; i < 2048; ++i) sum += values[i];
    if (u64(sum) != 4'196'352) return fail("SIMD multiplies, summed", u64(sum), 4'196'352);
    return true;
}

bool check_across_syscalls() {
    double with = 1.0, without = 1.0;
    for (int i = 0; i < 1000; ++i) {
        with = with * 1.0000001 + g_two * i;
        (void)sys::yield();
    }
    for (int i = 0; i < 1000; ++i) without = without * 1.0000001 + g_two * i;
    if (bits_of(with) != bits_of(without)) return fail("an accumulator across 1000 yields", bits_of(with), bits_of(without));
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    u64 iterations = 2'000'000;
    if (argc > 2) {
        print_err("usage: fpcheck [ITERATIONS]\n");
        return 2;
    }
    if (argc == 2) {
        auto parsed = parse_u64(argv[1]);
        if (parsed.is_error() || parsed.value() == 0) {
            print_err("fpcheck: {}: not a positive count\n", argv[1]);
            return 2;
        }
        iterations = parsed.value();
    }
    if (!check_arithmetic() || !check_simd() || !check_across_syscalls()) return 1;
    const double first = logistic(iterations);
    const double second = logistic(iterations);
    if (bits_of(first) != bits_of(second)) {
        fail("the logistic map, run twice", bits_of(second), bits_of(first));
        return 1;
    }
    char storage[160];
    FormatBuffer line(Span<char>(storage, sizeof(storage)));
    line.append("fpcheck: ok: sqrt(2) ");
    format_fixed(line, newton_sqrt(g_two));
    format_append(line, ", {} logistic steps twice: ", iterations);
    format_fixed(line, first);
    format_append(line, " (bits {:#018x})\n", bits_of(first));
    print_out("{}", line.view());
    return 0;
}
