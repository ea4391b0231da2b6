// TickClock: a free-running hardware counter (riscv `time`, the arm generic
// timer, the x86 TSC) seen as the loop's monotonic nanoseconds, and loop
// deadlines turned back into counter values for the one-shot timer.
//
// Both directions are Q32 fixed-point multiplications with factors computed
// once, exactly, in 64-bit arithmetic: the freestanding images have no
// 128-bit division, and a 4 GHz TSC already overflows `frequency << 32`.
#pragma once

#include "base/verify.hpp"
#include "core/timer.hpp"

namespace mote {

class TickClock {
public:
    // `counter_now` becomes time zero.
    void start(u64 frequency_hz, u64 counter_now) {
        VERIFY(frequency_hz > 0);
        m_frequency = frequency_hz;
        m_start = counter_now;
        m_ns_per_tick_q32 = q32_ratio(kSecond, frequency_hz);
        m_ticks_per_ns_q32 = q32_ratio(frequency_hz, kSecond);
    }

    u64 frequency() const { return m_frequency; }

    // Nanoseconds since start() at counter value `counter`.
    Nanoseconds to_ns(u64 counter) const { return ticks_to_ns(counter - m_start); }
    // A length of `ticks` counter ticks.
    Nanoseconds ticks_to_ns(u64 ticks) const { return mul_q32(ticks, m_ns_per_tick_q32); }

    // A counter value at which to_ns() says `deadline` has passed, at most a
    // tick or two after the first such value. The two factors are rounded
    // independently, so the first estimate can land early (by ~2 ms for a
    // deadline a day away at 10 MHz): a timer armed there would fire, find
    // nothing due, and re-arm for the same instant, spinning. Each correction
    // shrinks the error by the rounding ratio (~2^-32), so two rounds settle.
    u64 counter_at(Nanoseconds deadline) const {
        u64 ticks = mul_q32(deadline, m_ticks_per_ns_q32) + 1;
        for (int round = 0; round < 4; ++round) {
            Nanoseconds at = mul_q32(ticks, m_ns_per_tick_q32);
            if (at >= deadline) break;
            ticks += mul_q32(deadline - at, m_ticks_per_ns_q32) + 1;
        }
        return m_start + ticks;
    }

private:
    // floor(a * 2^32 / b), exactly, by 32 steps of long division (b < 2^63,
    // so the doubled remainder never overflows).
    static u64 q32_ratio(u64 a, u64 b) {
        u64 quotient = a / b, rest = a % b;
        VERIFY(quotient < (u64(1) << 32) && b < (u64(1) << 63));
        for (int bit = 0; bit < 32; ++bit) {
            rest <<= 1;
            quotient <<= 1;
            if (rest >= b) {
                rest -= b;
                quotient |= 1;
            }
        }
        return quotient;
    }
    static u64 mul_q32(u64 value, u64 factor_q32) {
        return u64((static_cast<unsigned __int128>(value) * factor_q32) >> 32);
    }

    u64 m_frequency = 0;
    u64 m_start = 0;
    u64 m_ns_per_tick_q32 = 0;
    u64 m_ticks_per_ns_q32 = 0;
};

}  // namespace mote
