// Fixed-capacity FIFO ring buffer with storage inside the object.
//
// Single-threaded (the loop's own queues, the log, the console). For the
// interrupt -> loop hand-off, which crosses contexts, see core/irq_ring.hpp.
// A full ring refuses the push (returns false): the caller decides whether
// that is a counted drop or backpressure. Nothing here allocates.
#pragma once

#include "base/types.hpp"
#include "base/verify.hpp"

namespace mote {

template <typename T, usize Capacity>
class RingBuffer {
    static_assert(Capacity > 0, "a ring needs room for at least one element");

public:
    bool empty() const { return m_count == 0; }
    bool full() const { return m_count == Capacity; }
    usize size() const { return m_count; }
    static constexpr usize capacity() { return Capacity; }

    [[nodiscard]] bool push(const T& value) {
        if (full()) return false;
        m_items[(m_head + m_count) % Capacity] = value;
        ++m_count;
        return true;
    }

    // Pushes, discarding the oldest element when full (for history/log rings).
    void push_overwrite(const T& value) {
        if (full()) {
            m_head = (m_head + 1) % Capacity;
            --m_count;
        }
        (void)push(value);
    }

    [[nodiscard]] bool pop(T& out) {
        if (empty()) return false;
        out = m_items[m_head];
        m_head = (m_head + 1) % Capacity;
        --m_count;
        return true;
    }

    // i-th element from the oldest (0) to the newest (size()-1).
    const T& at(usize i) const {
        VERIFY(i < m_count);
        return m_items[(m_head + i) % Capacity];
    }
    T& at(usize i) {
        VERIFY(i < m_count);
        return m_items[(m_head + i) % Capacity];
    }

    void clear() { m_head = m_count = 0; }

private:
    T m_items[Capacity] {};
    usize m_head = 0;
    usize m_count = 0;
};

}  // namespace mote
