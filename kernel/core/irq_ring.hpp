// The interrupt -> loop hand-off.
//
// An interrupt handler does almost nothing: it acknowledges the device and
// posts the interrupt's source number here. The loop drains the ring and runs
// the real handler in loop context, where it may touch any kernel state.
//
// Single producer (interrupt context on this CPU; interrupts do not nest in
// Mote), single consumer (this CPU's loop). Lock-free: the producer only
// writes `m_tail`, the consumer only `m_head`, each published with
// release/acquire ordering.
//
// A storm cannot corrupt anything: when the ring is full the source is set in
// an overflow bitmask instead and counted. The loop drains that mask too, so
// every source that interrupted is serviced at least once; only the count of
// interrupts is coalesced, and the coalescing is visible in overflows().
#pragma once

#include "base/types.hpp"

namespace mote {

inline constexpr u32 kMaxIrqSources = 256;

template <usize Capacity>
class IrqRing {
    static_assert((Capacity & (Capacity - 1)) == 0, "capacity must be a power of two");

public:
    // Interrupt context. Never fails: overflow degrades to the bitmask.
    void post(u32 source) {
        if (source >= kMaxIrqSources) source = kMaxIrqSources - 1;  // clamp: counted, never out of bounds
        u32 tail = __atomic_load_n(&m_tail, __ATOMIC_RELAXED);
        u32 head = __atomic_load_n(&m_head, __ATOMIC_ACQUIRE);
        if (tail - head >= Capacity) {
            __atomic_fetch_or(&m_overflow_mask[source / 64], u64(1) << (source % 64), __ATOMIC_RELEASE);
            __atomic_fetch_add(&m_overflows, 1, __ATOMIC_RELAXED);
            // After the mask: a drain that clears the flag first sees the bit.
            __atomic_store_n(&m_overflowed, true, __ATOMIC_RELEASE);
            return;
        }
        m_slots[tail % Capacity] = source;
        __atomic_store_n(&m_tail, tail + 1, __ATOMIC_RELEASE);
    }

    // Loop context. Calls `handle(source)` for every posted event, then once
    // for every source that overflowed. Returns how many calls were made.
    template <typename F>
    usize drain(F&& handle) {
        usize calls = 0;
        u32 head = __atomic_load_n(&m_head, __ATOMIC_RELAXED);
        u32 tail = __atomic_load_n(&m_tail, __ATOMIC_ACQUIRE);
        while (head != tail) {
            u32 source = m_slots[head % Capacity];
            ++head;
            __atomic_store_n(&m_head, head, __ATOMIC_RELEASE);
            handle(source);
            ++calls;
        }
        if (!__atomic_load_n(&m_overflowed, __ATOMIC_ACQUIRE)) return calls;
        __atomic_store_n(&m_overflowed, false, __ATOMIC_RELAXED);
        for (u32 w = 0; w < kMaxIrqSources / 64; ++w) {
            u64 bits = __atomic_exchange_n(&m_overflow_mask[w], u64(0), __ATOMIC_ACQUIRE);
            while (bits) {
                u32 bit = u32(__builtin_ctzll(bits));
                bits &= bits - 1;
                handle(w * 64 + bit);
                ++calls;
            }
        }
        return calls;
    }

    // Asked before every return to user mode, so two loads: the ring's
    // indices and the overflow flag, not the whole mask.
    bool pending() const {
        return __atomic_load_n(&m_tail, __ATOMIC_ACQUIRE) != __atomic_load_n(&m_head, __ATOMIC_RELAXED) ||
               __atomic_load_n(&m_overflowed, __ATOMIC_ACQUIRE);
    }

    u64 overflows() const { return __atomic_load_n(&m_overflows, __ATOMIC_RELAXED); }
    static constexpr usize capacity() { return Capacity; }

private:
    u32 m_slots[Capacity] {};
    u32 m_head = 0;
    u32 m_tail = 0;
    u64 m_overflow_mask[kMaxIrqSources / 64] {};
    bool m_overflowed = false;  // some bit of the mask may be set
    u64 m_overflows = 0;
};

}  // namespace mote
