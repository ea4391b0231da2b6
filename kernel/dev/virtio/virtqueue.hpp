// A split virtqueue (virtio 1.2, 2.7): the driver side.
//
// Memory layout (one contiguous, page-aligned DmaRegion, the legacy layout
// of 2.7.2 so that one format serves both legacy and modern devices):
//
//   descriptor table  16 * size bytes                      (2.7.5)
//   available ring    flags, idx, ring[size], used_event   (2.7.6)
//   padding to the next 4 KiB boundary
//   used ring         flags, idx, ring[size] of {id, len}, avail_event (2.7.8)
//
// Free descriptors are chained through a private `next` array: the list
// never lives in device-visible memory, so a device that scribbles on the
// descriptor table cannot corrupt it. Every chain in flight is remembered
// privately too (its head, length, token, and how many bytes the device may
// write), and the used ring is decoded against that record before anything
// is acted on (2.7.8.1 is what a well-behaved device promises; we check):
//
//   * the used index may advance by at most `size` since we last looked,
//   * each used id must be < size and the head of a chain in flight,
//   * each used length must not exceed the chain's writable bytes.
//
// A violation stops the reaping at once (nothing is followed), records a
// fault description and returns Error::Io; the driver then resets the device
// and fails what was in flight. Not synchronised: loop context only.
#pragma once

#include "base/format.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "dev/virtio/barrier.hpp"
#include "dev/virtio/dma.hpp"
#include "dev/virtio/transport.hpp"

namespace mote::virtio {

// One buffer of a chain as the driver describes it.
struct Segment {
    BusAddr bus = 0;
    u32 length = 0;
    bool device_writes = false;  // VIRTQ_DESC_F_WRITE: device-writable
};

class Virtqueue {
public:
    static constexpr u16 kMaxSize = 256;
    static constexpr usize kAlign = 4096;

    Virtqueue() = default;
    Virtqueue(const Virtqueue&) = delete;
    Virtqueue& operator=(const Virtqueue&) = delete;

    // Bytes of DMA memory a queue of `size` entries needs.
    static usize memory_size(u16 size);

    // Takes `memory` (zeroed, at least memory_size(size) bytes, 4 KiB
    // aligned). `size` must be a power of two, 1 .. kMaxSize (2.7: split
    // queue sizes are powers of two). Resets all state.
    Result<void> init(u16 index, u16 size, DmaRegion memory);

    u16 index() const { return m_index; }
    u16 size() const { return m_size; }
    u16 free_descriptors() const { return m_free_count; }
    u16 in_flight() const { return m_in_flight; }
    // The descriptor the next submit() will use as its head: lets a driver
    // fill per-head state (a request header) before the chain is published.
    u16 next_head() const { return m_free_head; }
    QueueAddresses addresses() const;

    // Chains `segments` (device-readable ones first, as 2.7.4.2 requires)
    // and publishes the chain in the available ring. `token` (non-null) comes
    // back from reap(). Validates everything first: Busy if there are not
    // enough free descriptors, InvalidArgument for an empty chain, a
    // zero-length segment or a readable segment after a writable one.
    Result<u16> submit(Span<const Segment> segments, void* token);

    // True if the device should be notified about what submit() published
    // since the last call (it may suppress notifications, 2.7.10).
    bool should_notify();

    // Calls done(token, written_bytes, head) for each chain the device has
    // returned, in used-ring order (head: the chain's first descriptor, as
    // next_head() said before its submit). On a malformed used ring stops, records
    // fault() and returns Io; the queue must then be abandoned.
    template <typename F>
    Result<usize> reap(F&& done);

    // After the device was reset (it no longer touches memory): hands every
    // token still in flight to lost(token, head) and frees all descriptors.
    template <typename F>
    void abandon(F&& lost);

    // Whether the device has returned chains that reap() has not seen.
    bool has_used() const;

    StringView fault() const { return m_fault.view(); }
    u64 faults() const { return m_faults; }

private:
    struct Descriptor {
        u64 addr;
        u32 len;
        u16 flags;
        u16 next;
    };
    struct UsedElement {
        u32 id;
        u32 len;
    };

    volatile Descriptor* descriptors() const { return reinterpret_cast<volatile Descriptor*>(m_memory.virt); }
    volatile u16* avail() const { return reinterpret_cast<volatile u16*>(m_memory.virt + m_avail_offset); }
    volatile u16* used_header() const { return reinterpret_cast<volatile u16*>(m_memory.virt + m_used_offset); }
    volatile UsedElement* used_ring() const {
        return reinterpret_cast<volatile UsedElement*>(m_memory.virt + m_used_offset + 4);
    }
    u16 read_used_index() const;

    // Checks one used element; on success frees its chain and returns its token.
    Result<void*> take_used(u16 slot, u32& written, u16& head);
    void free_chain(u16 head);
    template <typename... Args>
    void set_fault(StringView fmt, const Args&... args) {
        m_fault.clear();
        m_fault.appendf(fmt, args...);
        ++m_faults;
    }

    DmaRegion m_memory;
    usize m_avail_offset = 0;
    usize m_used_offset = 0;
    u16 m_index = 0;
    u16 m_size = 0;

    u16 m_free_head = 0;
    u16 m_free_count = 0;
    u16 m_in_flight = 0;
    u16 m_avail_index = 0;     // next available-ring index the driver publishes
    u16 m_last_used = 0;       // used-ring index up to which we have reaped
    u16 m_published_at_notify = 0;

    // Private shadow of the chains, indexed by descriptor.
    u16 m_next[kMaxSize] {};
    u16 m_chain_length[kMaxSize] {};  // at a head in flight: descriptors in the chain; else 0
    u32 m_writable[kMaxSize] {};      // at a head in flight: device-writable bytes
    void* m_token[kMaxSize] {};

    FixedString<120> m_fault;
    u64 m_faults = 0;
};

template <typename F>
Result<usize> Virtqueue::reap(F&& done) {
    usize count = 0;
    u16 used_index = read_used_index();
    u16 pending = u16(used_index - m_last_used);
    if (pending > m_in_flight) {
        set_fault("queue {}: used index jumped from {} to {} with {} in flight (size {})", m_index, m_last_used,
                  used_index, m_in_flight, m_size);
        return Error::Io;
    }
    // The index is read before the elements it covers (2.7.13).
    dma_rmb();
    while (m_last_used != used_index) {
        u32 written = 0;
        u16 head = 0;
        void* token = TRY(take_used(u16(m_last_used % m_size), written, head));
        ++m_last_used;
        done(token, written, head);
        ++count;
    }
    return count;
}

template <typename F>
void Virtqueue::abandon(F&& lost) {
    for (u16 head = 0; head < m_size; ++head) {
        if (!m_chain_length[head]) continue;
        void* token = m_token[head];
        free_chain(head);
        lost(token, head);
    }
    m_last_used = read_used_index();
}

}  // namespace mote::virtio
