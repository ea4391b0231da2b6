#include "ipc/channel.hpp"

#include "core/log.hpp"
#include "proc/abi_error.hpp"
#include "proc/audit_log.hpp"
#include "proc/process.hpp"
#include "proc/process_table.hpp"

namespace mote {

// --- ChannelTable ----------------------------------------------------------

ChannelTable::ChannelTable(PageAllocator& pages)
    : m_pages(pages),
      m_channels("channel", sizeof(Channel), alignof(Channel), pages),
      m_messages("channel-message", sizeof(ChannelMessage), alignof(ChannelMessage), pages) {}

ChannelTable::~ChannelTable() {
    // Every endpoint is closed with the handle tables that held it. What
    // can be left is a cycle nobody can reach (an endpoint queued in a
    // channel whose own endpoint is queued in the first): the pages go
    // with the machine; say so.
    if (!m_all.empty()) log_warn("ipc", "{} channels left in unreachable queues at shutdown", m_all.size());
    while (m_all.pop_front()) {}
}

Result<Channel*> ChannelTable::create() {
    void* memory = TRY(m_channels.allocate());
    auto* channel = new (memory) Channel();
    channel->m_table = this;
    for (u32 i = 0; i < 2; ++i) channel->m_ends[i].m_channel = channel;
    m_all.push_back(*channel);
    ++m_stats.created;
    ++m_stats.live;
    return channel;
}

void ChannelTable::free_channel(Channel& channel) {
    m_all.remove(channel);
    --m_stats.live;
    channel.~Channel();
    m_channels.free(&channel);
}

Result<ChannelMessage*> ChannelTable::allocate_message(u32 length) {
    auto memory = m_messages.allocate();
    if (memory.is_error()) {
        ++m_stats.message_failures;
        return memory.error();
    }
    // Default-initialised, not value-initialised: the members have their
    // initialisers, and zeroing the inline bytes (most of the object) would
    // be wasted on every message; only `length` bytes of them are ever read.
    auto* message = new (memory.value()) ChannelMessage;
    message->length = length;
    if (length > ChannelMessage::kInlineBytes) {
        usize count = (length + kPageSize - 1) / kPageSize;
        auto pages = m_pages.allocate_pages(count);
        if (pages.is_error()) {
            ++m_stats.message_failures;
            m_messages.free(message);
            return pages.error();
        }
        message->pages = pages.value();
        message->page_count = count;
    }
    return message;
}

u8* ChannelTable::message_bytes(ChannelMessage& message) {
    if (message.page_count) return static_cast<u8*>(m_pages.to_virtual(message.pages));
    return message.inline_bytes;
}

void ChannelTable::free_message(ChannelMessage& message) {
    for (u32 i = 0; i < message.handle_count; ++i) message.handles[i].object->release();
    if (message.page_count) m_pages.free_pages(message.pages, message.page_count);
    message.~ChannelMessage();
    m_messages.free(&message);
}

// --- ChannelEnd ------------------------------------------------------------

ChannelEnd& ChannelEnd::peer() { return m_channel->m_ends[this == &m_channel->m_ends[0] ? 1 : 0]; }

bool ChannelEnd::peer_closed() { return peer().m_closed; }

i64 ChannelEnd::try_send(Thread& thread, u64 address, u64 length, Mode mode) {
    if (peer_closed()) return abi_failure(abi::Err::PeerClosed);
    ChannelEnd& to = peer();
    if (to.queued() >= abi::kChannelQueueDepth) return abi_failure(abi::Err::Busy);
    AddressSpace& space = thread.process().space();
    HandleTable& table = thread.process().handles();

    // Decode the whole request before anything moves.
    u64 bytes_at = address;
    u64 byte_count = length < abi::kChannelMaxBytes ? length : abi::kChannelMaxBytes;  // a stream write may be cut
    abi::Handle values[abi::kChannelMaxHandles];
    u32 handle_count = 0;
    if (mode == kMessage) {
        abi::ChannelMessage request {};
        if (space.copy_in(Span<u8>(reinterpret_cast<u8*>(&request), sizeof(request)), address).is_error())
            return abi_failure(abi::Err::BadAddress);
        if (request.byte_count > abi::kChannelMaxBytes || request.handle_count > abi::kChannelMaxHandles)
            return abi_failure(abi::Err::InvalidArgument);
        bytes_at = request.bytes;
        byte_count = request.byte_count;
        handle_count = request.handle_count;
        if (handle_count &&
            space.copy_in(Span<u8>(reinterpret_cast<u8*>(values), handle_count * sizeof(abi::Handle)), request.handles)
                .is_error())
            return abi_failure(abi::Err::BadAddress);
        for (u32 i = 0; i < handle_count; ++i) {
            auto found = table.get(values[i]);
            if (found.is_error()) return abi_failure(deny(thread, abi::Err::BadHandle, nullptr, 0, abi::kRightTransfer));
            HandleRef held = found.value();
            if (!(held.rights & abi::kRightTransfer))
                return abi_failure(deny(thread, abi::Err::AccessDenied, held.object, held.rights, abi::kRightTransfer));
            // An endpoint of this channel in its own queue would keep the
            // channel alive for ever.
            if (held.object == this || held.object == &to) return abi_failure(abi::Err::InvalidArgument);
            for (u32 j = 0; j < i; ++j)
                if (values[j] == values[i]) return abi_failure(abi::Err::InvalidArgument);
        }
    }

    // Then perform. A receiver already parked on an empty queue takes a
    // small message straight from the sender's memory: no kernel message
    // is made, queued and freed. Whatever that cannot finish exactly as
    // the queue would (handles to move, a buffer too small, a bad address
    // on either side) takes the queue, which reports it as before.
    if (handle_count == 0 && byte_count <= kHandOverBytes && to.m_inbox.empty()) {
        if (Thread* waiter = to.m_receivers.front()) {
            u8 bytes[kHandOverBytes];
            if (byte_count && space.copy_in(Span<u8>(bytes, usize(byte_count)), bytes_at).is_error())
                return abi_failure(abi::Err::BadAddress);
            i64 got = to.hand_over(*waiter, bytes, byte_count);
            if (got >= 0) {
                ChannelStats& stats = m_channel->m_stats;
                ++stats.messages;
                ++stats.handed_over;
                stats.bytes += byte_count;
                to.m_receivers.remove(*waiter);
                waiter->wake(got);
                return mode == kStream ? i64(byte_count) : 0;
            }
        }
    }
    ChannelTable& channels = m_channel->table();
    auto made = channels.allocate_message(u32(byte_count));
    if (made.is_error()) return abi_failure(abi::Err::NoMemory);
    ChannelMessage& message = *made.value();
    if (byte_count && space.copy_in(Span<u8>(channels.message_bytes(message), usize(byte_count)), bytes_at).is_error()) {
        channels.free_message(message);
        return abi_failure(abi::Err::BadAddress);
    }
    for (u32 i = 0; i < handle_count; ++i) {
        // Cannot fail: each value was just looked up and nothing ran since.
        message.handles[i] = MUST(table.take(values[i]));
        audit(thread, AuditAction::Send, message.handles[i].object, message.handles[i].rights,
              message.handles[i].rights);
    }
    message.handle_count = handle_count;
    to.m_inbox.push_back(message);
    ChannelStats& stats = m_channel->m_stats;
    ++stats.messages;
    stats.bytes += byte_count;
    stats.handles += handle_count;
    if (to.queued() > stats.high_water) stats.high_water = to.queued();
    to.on_message();
    return mode == kStream ? i64(byte_count) : 0;
}

i64 ChannelEnd::try_receive(Thread& thread, u64 address, u64 length, Mode mode) {
    ChannelMessage* front = m_inbox.front();
    // The stream view skips empty messages: a read of 0 means the end.
    while (mode == kStream && front && front->length == 0 && front->handle_count == 0) {
        m_inbox.remove(*front);
        m_channel->table().free_message(*front);
        on_room();
        front = m_inbox.front();
    }
    if (!front) {
        if (!peer_closed()) return abi_failure(abi::Err::WouldBlock);
        return mode == kStream ? 0 : abi_failure(abi::Err::PeerClosed);  // a stream's end is a read of 0
    }
    ChannelMessage& message = *front;
    ChannelTable& channels = m_channel->table();
    AddressSpace& space = thread.process().space();
    const u8* bytes = channels.message_bytes(message) + message.consumed;
    u64 remaining = message.length - message.consumed;

    if (mode == kStream) {
        // The stream view cannot carry handles: leave such a message for
        // channel_recv rather than lose them.
        if (message.handle_count) return abi_failure(abi::Err::BadState);
        u64 n = length < remaining ? length : remaining;
        if (n && space.copy_out(address, Span<const u8>(bytes, usize(n))).is_error()) return abi_failure(abi::Err::BadAddress);
        message.consumed += u32(n);
        if (message.consumed == message.length) {
            m_inbox.remove(message);
            channels.free_message(message);
            on_room();
        }
        return i64(n);
    }

    abi::ChannelMessage request {};
    if (space.copy_in(Span<u8>(reinterpret_cast<u8*>(&request), sizeof(request)), address).is_error())
        return abi_failure(abi::Err::BadAddress);
    if (request.byte_count < remaining || request.handle_count < message.handle_count) {
        // Too small: say what it takes; the message stays queued.
        request.byte_count = remaining;
        request.handle_count = message.handle_count;
        if (space.copy_out(address, Span<const u8>(reinterpret_cast<const u8*>(&request), sizeof(request))).is_error())
            return abi_failure(abi::Err::BadAddress);
        return abi_failure(abi::Err::Overflow);
    }
    HandleTable& table = thread.process().handles();
    if (table.free_slots() < message.handle_count)
        return abi_failure(deny(thread, abi::Err::TooMany, this, 0, 0));  // stays queued: nothing lost
    // Handles must not fail half-way once they leave the message: with some
    // to install, both buffers are checked first. Without, nothing has moved
    // yet and the copy itself is the check. An empty part needs no buffer (a
    // receiver that expects no handles passes none, and a null pointer would
    // fail check_access's user-half test).
    if (message.handle_count &&
        ((remaining && space.check_access(request.bytes, remaining, true).is_error()) ||
         space.check_access(request.handles, message.handle_count * sizeof(abi::Handle), true).is_error()))
        return abi_failure(abi::Err::BadAddress);
    if (remaining && space.copy_out(request.bytes, Span<const u8>(bytes, usize(remaining))).is_error())
        return abi_failure(abi::Err::BadAddress);
    abi::Handle values[abi::kChannelMaxHandles];
    for (u32 i = 0; i < message.handle_count; ++i) {
        HandleRef& moving = message.handles[i];
        values[i] = MUST(table.install(*moving.object, moving.rights));
        audit(thread, AuditAction::Receive, moving.object, moving.rights, moving.rights);
        moving.object->release();  // the message's reference: the table holds its own now
    }
    if (message.handle_count)
        MUST(space.copy_out(request.handles,
                            Span<const u8>(reinterpret_cast<const u8*>(values), message.handle_count * sizeof(abi::Handle))));
    request.byte_count = remaining;
    request.handle_count = message.handle_count;
    message.handle_count = 0;
    m_inbox.remove(message);
    channels.free_message(message);
    (void)space.copy_out(address, Span<const u8>(reinterpret_cast<const u8*>(&request), sizeof(request)));
    on_room();
    return i64(remaining);
}

i64 ChannelEnd::hand_over(Thread& waiter, const u8* bytes, u64 count) {
    AddressSpace& space = waiter.process().space();
    const u64 address = waiter.pending[0];
    if (Mode(waiter.pending[2]) == kStream) {
        // A stream read skips empty messages and may take part of one:
        // both stay with the queue.
        if (count == 0 || waiter.pending[1] < count) return kNotHandedOver;
        if (space.copy_out(address, Span<const u8>(bytes, usize(count))).is_error()) return kNotHandedOver;
        return i64(count);
    }
    abi::ChannelMessage request {};
    if (space.copy_in(Span<u8>(reinterpret_cast<u8*>(&request), sizeof(request)), address).is_error() ||
        request.byte_count < count)
        return kNotHandedOver;
    if (count && space.copy_out(request.bytes, Span<const u8>(bytes, usize(count))).is_error()) return kNotHandedOver;
    request.byte_count = count;
    request.handle_count = 0;
    (void)space.copy_out(address, Span<const u8>(reinterpret_cast<const u8*>(&request), sizeof(request)));
    return i64(count);
}

void ChannelEnd::park(Thread& thread, bool sending, u64 address, u64 length, Mode mode, Nanoseconds timeout) {
    thread.pending[0] = address;
    thread.pending[1] = length;
    thread.pending[2] = mode;
    thread.pending[3] = sending;
    (sending ? m_senders : m_receivers).push_back(thread);
    thread.park_with_timeout(sending ? "channel send" : "channel receive", *this, timeout);
}

ChannelEnd::Done ChannelEnd::send(Thread& thread, u64 message_address, Nanoseconds timeout, bool no_wait) {
    i64 sent = try_send(thread, message_address, 0, kMessage);
    if (sent != abi_failure(abi::Err::Busy)) return {sent, false};
    ++m_channel->m_stats.times_full;
    if (no_wait) return {abi_failure(abi::Err::WouldBlock), false};  // a ring entry: it stays pending
    if (timeout == 0) return {abi_failure(deny(thread, abi::Err::WouldBlock, this, 0, 0)), false};
    park(thread, true, message_address, 0, kMessage, timeout);
    return {0, true};
}

ChannelEnd::Done ChannelEnd::receive(Thread& thread, u64 message_address, Nanoseconds timeout, bool no_wait) {
    i64 got = try_receive(thread, message_address, 0, kMessage);
    if (got != abi_failure(abi::Err::WouldBlock) || timeout == 0 || no_wait) return {got, false};
    park(thread, false, message_address, 0, kMessage, timeout);
    return {0, true};
}

ChannelEnd::Done ChannelEnd::call(Thread& thread, u64 request_address, u64 reply_address, Nanoseconds timeout) {
    if (thread.process().space().check_access(reply_address, sizeof(abi::ChannelMessage), true).is_error())
        return {abi_failure(abi::Err::BadAddress), false};
    i64 sent = try_send(thread, request_address, 0, kMessage);
    if (sent == abi_failure(abi::Err::Busy)) {
        ++m_channel->m_stats.times_full;
        return {abi_failure(deny(thread, abi::Err::WouldBlock, this, 0, 0)), false};
    }
    if (sent < 0) return {sent, false};
    return receive(thread, reply_address, timeout, false);
}

Result<Outcome> ChannelEnd::write(IoArgs& io) {
    if (io.length == 0) return Outcome::done(0);  // an empty message would read as the end
    i64 sent = try_send(io.thread, io.buffer, io.length, kStream);
    if (sent == abi_failure(abi::Err::Busy)) {
        ++m_channel->m_stats.times_full;
        if (io.no_wait) return io.fail(abi_failure(deny(io.thread, abi::Err::WouldBlock, this, 0, 0)));
        park(io.thread, true, io.buffer, io.length, kStream, kNoDeadline);
        return Outcome::park();
    }
    if (sent < 0) return io.fail(sent);
    return Outcome::done(u64(sent));
}

Result<Outcome> ChannelEnd::read(IoArgs& io) {
    i64 got = try_receive(io.thread, io.buffer, io.length, kStream);
    if (got == abi_failure(abi::Err::WouldBlock) && !io.no_wait) {
        park(io.thread, false, io.buffer, io.length, kStream, kNoDeadline);
        return Outcome::park();
    }
    if (got < 0) return io.fail(got);
    return Outcome::done(u64(got));
}

void ChannelEnd::on_message() {
    // Finish parked receivers in order while there is something for them.
    serve_in_order(m_receivers, [this](Thread& t) {
        if (m_inbox.empty()) return abi_failure(abi::Err::WouldBlock);
        return try_receive(t, t.pending[0], t.pending[1], Mode(t.pending[2]));
    });
    m_pollers.notify();
}

void ChannelEnd::on_room() {
    // A message left this end's queue: senders parked on the peer may go on.
    ChannelEnd& from = peer();
    if (from.m_closed) return;
    while (queued() < abi::kChannelQueueDepth) {
        Thread* waiter = from.m_senders.front();
        if (!waiter) break;
        from.m_senders.remove(*waiter);
        i64 sent = from.try_send(*waiter, waiter->pending[0], waiter->pending[1], Mode(waiter->pending[2]));
        waiter->wake(sent);
    }
    from.m_pollers.notify();
}

void ChannelEnd::on_peer_closed() {
    // Nothing more can arrive, and nothing sent from here can be taken.
    while (Thread* waiter = m_receivers.pop_front()) waiter->wake(waiter->pending[2] == kStream ? 0 : abi_failure(abi::Err::PeerClosed));
    while (Thread* waiter = m_senders.pop_front()) waiter->wake(abi_failure(abi::Err::PeerClosed));
    m_pollers.notify();
}

void ChannelEnd::destroy() {
    // The last handle is gone (no thread can be parked here: a parked
    // thread's own handle holds a reference).
    m_closed = true;
    m_pollers.clear();
    // Take the queue out first: dropping a queued message's handles can
    // close endpoints of other channels, and through them (a cycle of
    // endpoints queued in each other's channels) this channel's peer, which
    // then frees this channel. Nothing below touches the channel after
    // that could happen.
    IntrusiveList<ChannelMessage, &ChannelMessage::node> queued;
    while (ChannelMessage* message = m_inbox.pop_front()) queued.push_back(*message);
    ChannelTable& table = m_channel->table();
    ChannelEnd& other = peer();
    if (!other.m_closed) {
        // Anything this end had sent stays readable at the peer; what the
        // peer would send here has nowhere to go.
        other.on_peer_closed();
    } else {
        table.free_channel(*m_channel);
    }
    while (ChannelMessage* message = queued.pop_front()) table.free_message(*message);
}

Result<void> ChannelEnd::stat(abi::Stat& stat) {
    stat = {};
    stat.type = u32(abi::NodeType::Channel);
    stat.size = queued();
    stat.inode = id();
    return {};
}

u32 ChannelEnd::poll_ready(u32 events) {
    u32 ready = 0;
    if (!m_inbox.empty()) ready |= abi::kPollReadable;
    if (peer_closed()) ready |= abi::kPollHangup | abi::kPollReadable;  // a read returns the end at once
    else if (peer().queued() < abi::kChannelQueueDepth) ready |= abi::kPollWritable;
    return ready & (events | abi::kPollHangup);
}

void ChannelEnd::cancel_wait(Thread& thread) {
    if (thread.wait_node.is_linked() && thread.wait_object() == this)
        (thread.pending[3] ? m_senders : m_receivers).remove(thread);
    m_pollers.unwatch(thread);
}

}  // namespace mote
