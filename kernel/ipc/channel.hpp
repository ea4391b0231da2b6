// Channel: Mote's one IPC. A channel is two connected endpoints; a message
// sent through one is queued at the other, whole (up to
// abi::kChannelMaxBytes bytes and abi::kChannelMaxHandles handles) and in
// order. Each endpoint's queue holds at most abi::kChannelQueueDepth
// messages: a sender to a full queue parks (or gets WouldBlock when it asked
// not to wait) until the receiver takes one, so backpressure is visible and
// memory is bounded.
//
// Waiting is the kernel's usual split: a thread that must wait parks on the
// endpoint with its request's user addresses in Thread::pending; whoever
// makes progress possible (a send, a receive, a close) finishes the request
// for it, copying straight into the parked thread's address space, and wakes
// it. Timeouts use the thread's timer; Signal::Cancel and a kill take the
// thread off the endpoint's lists (cancel_wait).
//
// Handles in a message move: they leave the sender's table when the message
// is queued and enter the receiver's when it is taken, all of them or none.
// A message in a queue holds its handles' references, so nothing a process
// sends is lost while it travels; a queue torn down (its endpoint closed)
// drops them. An endpoint cannot be sent through its own channel (the queue
// would keep itself alive).
//
// Ownership: a Channel (both endpoints, their counters) comes from the
// ChannelTable's slab cache and goes back when both endpoints are closed.
// A message header comes from another slab cache; bytes up to kInlineBytes
// live in it, longer ones in pages from the page allocator.
#pragma once

#include "base/list.hpp"
#include "core/timer.hpp"
#include "mm/slab_cache.hpp"
#include "proc/handle_table.hpp"
#include "proc/poller_set.hpp"
#include "proc/wait_list.hpp"

namespace mote {

class Channel;
class ChannelTable;

struct ChannelStats {
    u64 messages = 0;       // sent
    u64 bytes = 0;          // sent
    u64 handles = 0;        // moved with messages
    u64 high_water = 0;     // the most messages one queue has held
    u64 times_full = 0;     // sends that found the queue full
    u64 handed_over = 0;    // of `messages`, taken by a parked receiver without being queued
};

struct ChannelMessage {
    static constexpr u32 kInlineBytes = 192;

    ListNode node;
    u32 length = 0;    // bytes in the message
    u32 consumed = 0;  // bytes already taken by stream reads
    u32 handle_count = 0;
    HandleRef handles[abi::kChannelMaxHandles];
    PhysAddr pages = 0;  // the bytes, when longer than kInlineBytes
    usize page_count = 0;
    u8 inline_bytes[kInlineBytes];
};

class ChannelEnd final : public KernelObject {
public:
    // The most bytes a send hands straight to a receiver parked on an empty
    // queue, not queued (they pass through the kernel stack).
    static constexpr u64 kHandOverBytes = 256;

    ChannelEnd() : KernelObject(ObjectType::Channel) {}

    Channel& channel() { return *m_channel; }
    ChannelEnd& peer();
    bool peer_closed();
    u32 queued() const { return u32(m_inbox.size()); }

    // What send() and receive() did: a value (>= 0, or -abi::Err) or parked.
    struct Done {
        i64 value = 0;
        bool parked = false;
    };
    // channel_send of the abi::ChannelMessage at `message_address` in
    // `thread`'s memory, its handles from `thread`'s table. Parks while the
    // peer's queue is full, up to `timeout`; with timeout 0 or `no_wait`,
    // WouldBlock instead.
    Done send(Thread& thread, u64 message_address, Nanoseconds timeout, bool no_wait);
    // channel_recv into the abi::ChannelMessage at `message_address`.
    Done receive(Thread& thread, u64 message_address, Nanoseconds timeout, bool no_wait);
    // channel_call: send the request at `request_address` without waiting
    // (WouldBlock when the peer's queue is full), then receive into
    // `reply_address` as receive() does. The reply header is checked
    // before the send, so every failure before it leaves nothing sent.
    Done call(Thread& thread, u64 request_address, u64 reply_address, Nanoseconds timeout);

    // KernelObject: the stream view (pipes).
    Result<Outcome> read(IoArgs& io) override;
    Result<Outcome> write(IoArgs& io) override;
    Result<void> stat(abi::Stat& stat) override;
    u32 poll_ready(u32 events) override;
    void watch(Thread& thread) override { m_pollers.watch(thread); }
    void unwatch(Thread& thread) override { m_pollers.unwatch(thread); }
    void cancel_wait(Thread& thread) override;
    KernelObject* counterpart() override { return peer_closed() ? nullptr : &peer(); }

private:
    friend class Channel;
    friend class ChannelTable;
    void destroy() override;

    // The request kinds a parked thread's pending[2] records.
    enum Mode : u64 { kMessage = 0, kStream = 1 };
    // Performs a send (a message or a stream write) now: -Busy when the
    // peer's queue is full, other -abi::Err as they come.
    i64 try_send(Thread& thread, u64 address, u64 length, Mode mode);
    // Performs a receive now: -WouldBlock when the queue is empty.
    i64 try_receive(Thread& thread, u64 address, u64 length, Mode mode);
    static constexpr i64 kNotHandedOver = -i64(abi::kErrorLimit) - 1;
    // Finishes the receive `waiter` is parked in with `count` bytes and no
    // handles, as try_receive would with such a message at the head of the
    // queue: its result, or kNotHandedOver (nothing was delivered) when
    // the queue must carry the message instead.
    i64 hand_over(Thread& waiter, const u8* bytes, u64 count);
    // Parks `thread` on `list` with its request in pending[].
    void park(Thread& thread, bool sending, u64 address, u64 length, Mode mode, Nanoseconds timeout);
    // After a message was queued here: finish parked receivers, tell the poller.
    void on_message();
    // After a message was taken from here: finish the peer's parked senders.
    void on_room();
    void on_peer_closed();

    Channel* m_channel = nullptr;
    IntrusiveList<ChannelMessage, &ChannelMessage::node> m_inbox;  // messages sent to this end
    WaitList m_receivers;  // parked in a receive on this end
    WaitList m_senders;    // parked sending through this end
    // Threads in poll() on this end (the pipe's reader and whoever else holds it).
    PollerSet m_pollers;
    bool m_closed = false;
};

class Channel {
public:
    ChannelEnd& end(u32 which) { return m_ends[which]; }
    ChannelTable& table() { return *m_table; }
    const ChannelStats& stats() const { return m_stats; }
    u32 id() const { return m_ends[0].id(); }
    bool closed(u32 which) const { return m_ends[which].m_closed; }

    ListNode node;

private:
    friend class ChannelEnd;
    friend class ChannelTable;

    ChannelTable* m_table = nullptr;
    ChannelEnd m_ends[2];
    ChannelStats m_stats;
};

struct ChannelTableStats {
    u64 created = 0;
    u64 live = 0;
    u64 message_failures = 0;  // no memory for a message
};

class ChannelTable {
public:
    explicit ChannelTable(PageAllocator& pages);
    ~ChannelTable();

    // A new channel whose ends nobody holds yet (installing them in a
    // handle table takes the first references).
    Result<Channel*> create();

    template <typename Fn>
    void for_each(Fn&& fn) {
        for (Channel& channel : m_all) fn(channel);
    }
    const ChannelTableStats& stats() const { return m_stats; }

private:
    friend class ChannelEnd;
    Result<ChannelMessage*> allocate_message(u32 length);
    void free_message(ChannelMessage& message);
    u8* message_bytes(ChannelMessage& message);
    void free_channel(Channel& channel);

    PageAllocator& m_pages;
    SlabCache m_channels;
    SlabCache m_messages;
    IntrusiveList<Channel, &Channel::node> m_all;
    ChannelTableStats m_stats;
};

}  // namespace mote
