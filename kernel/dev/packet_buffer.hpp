// Packet buffers and the fixed pools they come from.
//
// A PacketBuffer is one frame's storage (kSize bytes) with a movable window
// [offset, offset + length) that holds the bytes. The window starts kHeadroom
// bytes in, so each layer can prepend its header in place on the way out
// (push) and strip it on the way in (pull) without copying the payload.
//
// Ownership: a buffer has exactly one owner at a time: its pool (free), a
// driver (posted for receive, or transmitting), the stack (queued for ARP,
// waiting in a socket's receive queue) or a frame in flight through a call.
// The owner may thread it on one of its own lists through `node`. Whoever
// owns it last calls release(), which returns it to the pool it came from;
// a second release is a VERIFY failure, as is releasing a buffer that is
// still linked on someone's list.
//
// Pools never allocate: the caller provides the buffers (a static array, or
// pages from the page allocator; a device that DMAs into them needs them
// physically contiguous). allocate() returns nullptr when the pool is empty
// and counts it: running out is a counted drop, never a crash or a stall.
//
// Layering: it lives in dev/ because the network device interface
// (dev/net_device.hpp) hands frames over in it; net/, above dev/, builds and
// strips its headers in the same buffers. It depends only on base/.
#pragma once

#include "base/list.hpp"
#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {

class PacketPool;

class PacketBuffer {
public:
    // Storage per buffer: room for a 1514-byte Ethernet frame, a driver
    // header and the headroom, with some to spare.
    static constexpr usize kSize = 2048;
    // Default space in front of the data after reset(): a device header
    // (virtio-net's is 12 bytes) + Ethernet (14) + IPv4 with options (60) +
    // UDP (8) fits with room to spare.
    static constexpr usize kHeadroom = 128;

    PacketBuffer() = default;
    PacketBuffer(const PacketBuffer&) = delete;
    PacketBuffer& operator=(const PacketBuffer&) = delete;

    // The bytes in the window.
    u8* data() { return m_storage + m_offset; }
    const u8* data() const { return m_storage + m_offset; }
    usize length() const { return m_length; }
    Bytes bytes() { return Bytes(data(), m_length); }
    ReadonlyBytes bytes() const { return ReadonlyBytes(data(), m_length); }

    usize headroom() const { return m_offset; }
    usize tailroom() const { return kSize - m_offset - m_length; }
    // The free space after the data: where a device writes a received frame
    // before the driver commits it with put(n).
    Bytes tail_space() { return Bytes(m_storage + m_offset + m_length, tailroom()); }

    // Empties the window and places its start `headroom` bytes in.
    void reset(usize headroom = kHeadroom);

    // Grows the window by `n` bytes at the front (to write a header there)
    // and returns them. Overflow if the headroom is smaller than `n`.
    Result<Bytes> push(usize n);
    // Grows the window by `n` bytes at the end and returns them (their
    // contents are whatever the storage held). Overflow past the storage.
    Result<Bytes> put(usize n);
    // Appends a copy of `bytes`.
    Result<void> append(ReadonlyBytes bytes);
    // Shrinks the window by `n` bytes at the front (a parsed header).
    // OutOfRange if the window is shorter than `n`; nothing changes then.
    Result<void> pull(usize n);
    // Cuts the window to `length` bytes (drops trailing padding).
    // OutOfRange if the window is shorter than `length`.
    Result<void> trim(usize length);

    // Returns the buffer to its pool. The caller must own it and must have
    // unlinked it from its own lists.
    void release();

    PacketPool* pool() const { return m_pool; }
    bool in_use() const { return m_in_use; }

    // For the current owner's queues (one at a time).
    ListNode node;
    // For the current owner's bookkeeping (a driver's descriptor index, the
    // stack's next-hop address while it waits for ARP). Cleared by allocate().
    u64 owner_data = 0;

private:
    friend class PacketPool;

    PacketPool* m_pool = nullptr;
    u16 m_offset = 0;
    u16 m_length = 0;
    bool m_in_use = false;
    alignas(16) u8 m_storage[kSize];
};

using PacketList = IntrusiveList<PacketBuffer, &PacketBuffer::node>;

// Releases every buffer on `list`.
void release_all(PacketList& list);

struct PacketPoolStats {
    usize total = 0;
    usize free = 0;
    usize low_water = 0;    // fewest free buffers ever seen
    u64 allocations = 0;
    u64 exhausted = 0;      // allocate() calls that found the pool empty
};

class PacketPool {
public:
    using AvailableHook = void (*)(PacketPool& pool, void* context);

    PacketPool() = default;
    PacketPool(const PacketPool&) = delete;
    PacketPool& operator=(const PacketPool&) = delete;
    // Every buffer must be back: a missing one is a leak.
    ~PacketPool();

    // Takes the caller's buffers (once). `name` is for reports ("rx", "tx").
    void init(Span<PacketBuffer> storage, StringView name);

    // A free buffer, reset to the default headroom, or nullptr (counted).
    PacketBuffer* allocate();

    // Called (in the releasing context) when a release makes the pool go
    // from empty to non-empty, so a waiter can retry. Keep it short: post a
    // Deferred.
    void set_available_hook(AvailableHook hook, void* context) {
        m_hook = hook;
        m_hook_context = context;
    }

    StringView name() const { return m_name; }
    PacketPoolStats stats() const;
    usize free_count() const { return m_free.size(); }
    usize total() const { return m_total; }

private:
    friend class PacketBuffer;
    void give_back(PacketBuffer& buffer);

    PacketList m_free;
    usize m_total = 0;
    usize m_low_water = 0;
    u64 m_allocations = 0;
    u64 m_exhausted = 0;
    AvailableHook m_hook = nullptr;
    void* m_hook_context = nullptr;
    StringView m_name = "pool";
};

}  // namespace mote
