#include "net/tcp/tcp.hpp"

#include "base/memory.hpp"
#include "crypto/blake2s.hpp"
#include "net/wire.hpp"

namespace mote {

// ---- listeners -------------------------------------------------------------

TcpConnection* TcpListener::accept() {
    TcpConnection* connection = m_ready.pop_front();
    if (connection) connection->accepted();
    return connection;
}

// ---- the layer -------------------------------------------------------------

Tcp::Tcp(TcpLink& link, TcpConnectionSource& source, ReadonlyBytes secret) : m_link(link), m_source(source) {
    rekey(secret);
}

void Tcp::rekey(ReadonlyBytes secret) {
    mem_set(m_secret, 0, kSecretSize);
    mem_copy(m_secret, secret.data(), secret.size() < kSecretSize ? secret.size() : kSecretSize);
    u8 start[2];
    VERIFY(!Blake2s::hash(ReadonlyBytes(m_secret, kSecretSize), Bytes(start, 2)).is_error());
    m_next_ephemeral = load_be16(start);  // where the port search starts: not guessable
}

void Tcp::buffers_available() {
    for (TcpConnection& c : m_connections) c.retry_output();
    release_zombies();
}

Tcp::~Tcp() {
    // Whatever is left goes back to its source: the layer is going away
    // with the stack.
    abandon_all();
    mem_set(m_secret, 0, kSecretSize);
}

void Tcp::abandon_all() {
    while (TcpListener* listener = m_listeners.pop_front()) {
        while (TcpConnection* c = listener->m_half_open.pop_front()) c->detach_listener();
        while (TcpConnection* c = listener->m_ready.pop_front()) c->detach_listener();
    }
    while (TcpConnection* connection = m_connections.pop_front()) m_source.release_connection(*connection);
    release_zombies();
}

TcpConnection* Tcp::find(const TcpTuple& tuple) {
    for (TcpConnection& c : m_connections)
        if (c.tuple() == tuple) return &c;
    return nullptr;
}

TcpListener* Tcp::find_listener(Ipv4Address address, u16 port) {
    TcpListener* any = nullptr;
    for (TcpListener& l : m_listeners) {
        if (l.m_port != port) continue;
        if (l.m_address == address) return &l;  // the exact address beats "any"
        if (l.m_address.is_zero()) any = &l;
    }
    return any;
}

Tcp::TimeWait* Tcp::find_time_wait(const TcpTuple& tuple) {
    for (TimeWait& t : m_time_wait)
        if (t.used && t.tuple == tuple) return &t;
    return nullptr;
}

usize Tcp::time_wait_count() const {
    usize n = 0;
    for (const TimeWait& t : m_time_wait) n += t.used ? 1 : 0;
    return n;
}

bool Tcp::port_in_use(Ipv4Address local, u16 port, Ipv4Address remote, u16 remote_port) {
    for (TcpListener& l : m_listeners)
        if (l.m_port == port) return true;
    const TcpTuple tuple {local, port, remote, remote_port};
    return find(tuple) || find_time_wait(tuple);
}

// RFC 6528: ISN = M + F(4-tuple, secret), with M a clock ticking every
// 4 microseconds and F a keyed hash, so neighbouring connections' numbers
// cannot be predicted from each other but one 4-tuple's keep moving forward.
Seq Tcp::initial_sequence(const TcpTuple& tuple) {
    u8 input[12];
    store_be32(input, tuple.local.value);
    store_be16(input + 4, tuple.local_port);
    store_be32(input + 6, tuple.remote.value);
    store_be16(input + 10, tuple.remote_port);
    u8 digest[4];
    VERIFY(!Blake2s::hash(ReadonlyBytes(input, sizeof input), Bytes(digest, 4), ReadonlyBytes(m_secret, kSecretSize)).is_error());
    return Seq(load_be32(digest) + u32(now() / (4 * kMicrosecond)));
}

Result<void> Tcp::transmit(const TcpTuple& tuple, TcpSegment& segment) {
    if (auto r = m_link.send_segment(tuple, segment); r.is_error()) {
        counters.no_buffer++;
        return r.error();
    }
    counters.sent++;
    if (segment.has(tcp_flag::kRst)) counters.resets_sent++;
    return {};
}

// ---- receiving -------------------------------------------------------------

void Tcp::end_batch() {
    m_in_batch = false;
    if (m_batch_acks_owed == 0) return;
    m_batch_acks_owed = 0;
    // The next one is taken first: an ACK's transmit may change the table.
    for (TcpConnection* c = m_connections.front(); c;) {
        TcpConnection* following = m_connections.next(*c);
        c->send_batch_ack();
        c = following;
    }
    release_zombies();
}

void Tcp::receive(ReadonlyBytes bytes, Ipv4Address source, Ipv4Address destination, bool verify_checksum) {
    counters.received++;
    TcpFault fault = TcpFault::None;
    auto parsed = parse_tcp_segment(bytes, source, destination, verify_checksum, &fault);
    if (parsed.is_error()) {
        switch (fault) {
        case TcpFault::Truncated: counters.truncated++; break;
        case TcpFault::BadDataOffset: counters.bad_data_offset++; break;
        case TcpFault::OptionOverrun: counters.option_overrun++; break;
        case TcpFault::BadOptionLength: counters.bad_option_length++; break;
        case TcpFault::BadChecksum: counters.bad_checksum++; break;
        case TcpFault::None: break;
        }
        return;
    }
    const TcpSegment& s = parsed.value();
    // TCP is between two hosts: nothing to or from a broadcast, multicast or
    // unspecified address or port 0 (RFC 9293 3.9.2.1, RFC 1122 4.2.3.10).
    if (source.is_zero() || source.is_broadcast() || source.is_multicast() || destination.is_broadcast() ||
        destination.is_multicast() || destination.is_zero() || s.source_port == 0 || s.destination_port == 0) {
        counters.bad_address++;
        return;
    }
    const TcpTuple tuple {destination, s.destination_port, source, s.source_port};
    if (TcpConnection* connection = find(tuple)) {
        connection->receive(s);
        release_zombies();
        return;
    }
    if (TimeWait* entry = find_time_wait(tuple)) {
        time_wait_segment(*entry, s);
        if (entry->used) return;
        // A new SYN took the tuple over (RFC 6191): on to the listener.
    }
    TcpListener* listener = find_listener(destination, s.destination_port);
    if (!listener) {
        counters.no_socket++;
        reset_for(tuple, s);
        return;
    }
    // RFC 9293 3.10.7.2, LISTEN: RST is ignored, an ACK is answered with a
    // reset, only a SYN opens.
    if (s.has(tcp_flag::kRst)) return;
    if (s.has(tcp_flag::kAck) && !s.has(tcp_flag::kSyn)) {
        // Perhaps the end of a handshake answered with a SYN cookie.
        if (accept_cookie(*listener, tuple, s)) {
            release_zombies();
            return;
        }
        reset_for(tuple, s);
        return;
    }
    if (s.has(tcp_flag::kAck)) {
        reset_for(tuple, s);
        return;
    }
    if (s.has(tcp_flag::kSyn)) accept_syn(*listener, tuple, s);
}

namespace {

// The MSS values a cookie can name (3 bits): what common paths use.
constexpr u16 kCookieMss[8] = {536, 1024, 1220, 1360, 1400, 1440, 1452, 1460};

}  // namespace

u32 Tcp::syn_cookie(const TcpTuple& tuple, u32 peer_seq, u32 slot, u32 mss_index) {
    u8 input[24];
    store_be32(input, tuple.local.value);
    store_be16(input + 4, tuple.local_port);
    store_be32(input + 6, tuple.remote.value);
    store_be16(input + 10, tuple.remote_port);
    store_be32(input + 12, peer_seq);
    store_be32(input + 16, slot);
    store_be32(input + 20, mss_index);
    u8 digest[4];
    VERIFY(!Blake2s::hash(ReadonlyBytes(input, sizeof input), Bytes(digest, 4), ReadonlyBytes(m_secret, kSecretSize)).is_error());
    return ((slot & 31) << 27) | (mss_index << 24) | (load_be32(digest) & 0xffffff);
}

void Tcp::send_syn_cookie(TcpListener& listener, const TcpTuple& tuple, const TcpSegment& syn) {
    const u16 peer_mss = syn.options.mss ? syn.options.mss : TcpConnection::kDefaultPeerMss;
    const u16 want = peer_mss < listener.m_config.mss ? peer_mss : listener.m_config.mss;
    u32 index = 0;
    for (u32 i = 0; i < 8; ++i)
        if (kCookieMss[i] <= want) index = i;
    const u32 slot = u32(now() / kCookieSlot);
    TcpSegment reply;
    reply.source_port = tuple.local_port;
    reply.destination_port = tuple.remote_port;
    reply.seq = syn_cookie(tuple, syn.seq, slot, index);
    reply.ack = syn.seq + 1;
    reply.flags = tcp_flag::kSyn | tcp_flag::kAck;
    reply.window = u16(listener.m_config.receive_buffer > 0xffff ? 0xffff : listener.m_config.receive_buffer);
    reply.options.mss = listener.m_config.mss;
    if (transmit(tuple, reply).ok()) counters.syn_cookies_sent++;
}

u16 Tcp::check_syn_cookie(const TcpTuple& tuple, const TcpSegment& ack) {
    const u32 cookie = ack.ack - 1;
    const u32 peer_seq = ack.seq - 1;
    const u32 now_slot = u32(now() / kCookieSlot);
    const u32 mss_index = (cookie >> 24) & 7;
    // This slot or the one before: a cookie lives 64 to 128 seconds.
    for (u32 age = 0; age < 2; ++age) {
        const u32 slot = now_slot - age;
        if ((slot & 31) != cookie >> 27) continue;
        if (syn_cookie(tuple, peer_seq, slot, mss_index) == cookie) return kCookieMss[mss_index];
    }
    return 0;
}

bool Tcp::accept_cookie(TcpListener& listener, const TcpTuple& tuple, const TcpSegment& ack) {
    // Only a listener that has been full answers with cookies; anything
    // else is an ACK for nothing.
    if (counters.syn_cookies_sent == 0) return false;
    const u16 mss = check_syn_cookie(tuple, ack);
    if (mss == 0) {
        counters.syn_cookies_rejected++;
        return false;
    }
    if (listener.m_ready.size() >= listener.m_backlog) {
        counters.accept_queue_full++;
        return true;  // dropped: the peer retransmits its ACK or data
    }
    TcpConnection* connection = m_source.allocate_connection(*this, listener.m_config);
    if (!connection) {
        counters.no_connection_memory++;
        return true;
    }
    counters.syn_cookies_accepted++;
    counters.passive_opens++;
    m_connections.push_back(*connection);
    listener.m_half_open.push_back(*connection);  // connection_established moves it on
    connection->start_from_cookie(tuple, Seq(ack.ack - 1), mss, ack, listener);
    connection->retry_output();  // delivers its events (an ACK if data came)
    return true;
}

void Tcp::accept_syn(TcpListener& listener, const TcpTuple& tuple, const TcpSegment& syn) {
    counters.syns_received++;
    if (listener.m_ready.size() >= listener.m_backlog) {
        counters.accept_queue_full++;
        return;  // the peer retries its SYN
    }
    if (listener.m_half_open.size() >= listener.m_backlog) {
        counters.syn_backlog_full++;
        send_syn_cookie(listener, tuple, syn);
        return;
    }
    TcpConnection* connection = m_source.allocate_connection(*this, listener.m_config);
    if (!connection) {
        counters.no_connection_memory++;
        return;
    }
    counters.passive_opens++;
    m_connections.push_back(*connection);
    listener.m_half_open.push_back(*connection);
    connection->start_passive(tuple, initial_sequence(tuple), syn, listener);
}

void Tcp::time_wait_segment(TimeWait& entry, const TcpSegment& s) {
    if (s.has(tcp_flag::kRst)) {
        // RFC 1337: a reset must not cut TIME-WAIT short, or an old
        // duplicate could let a new incarnation accept stale data.
        counters.time_wait_rst_ignored++;
        return;
    }
    if (s.has(tcp_flag::kSyn) && !s.has(tcp_flag::kAck)) {
        // RFC 6191 / RFC 9293 3.6.1: a new SYN may reuse the tuple if it is
        // clearly newer: a higher sequence number, or a newer timestamp.
        const bool newer_seq = Seq(s.seq).after(entry.rcv_nxt);
        const bool newer_ts = entry.timestamps && s.options.has_timestamps && i32(s.options.ts_value - entry.ts_recent) > 0;
        if (newer_seq || newer_ts) {
            entry.used = false;
            counters.time_wait_reused++;
            return;
        }
    }
    // A retransmitted FIN (our last ACK was lost), or anything else: ACK
    // again, and a FIN restarts the wait (RFC 9293 3.10.7.4).
    if (s.has(tcp_flag::kFin)) entry.until = now() + 2 * kMsl;
    TcpSegment ack;
    ack.source_port = entry.tuple.local_port;
    ack.destination_port = entry.tuple.remote_port;
    ack.seq = entry.snd_nxt.value;
    ack.ack = entry.rcv_nxt.value;
    ack.flags = tcp_flag::kAck;
    if (entry.timestamps) {
        ack.options.has_timestamps = true;
        ack.options.ts_value = u32(now() / kMillisecond);
        ack.options.ts_echo = entry.ts_recent;
    }
    (void)transmit(entry.tuple, ack);
}

void Tcp::reset_for(const TcpTuple& tuple, const TcpSegment& s) {
    if (s.has(tcp_flag::kRst)) return;  // never answer a reset with one
    TcpSegment r;
    r.source_port = tuple.local_port;
    r.destination_port = tuple.remote_port;
    if (s.has(tcp_flag::kAck)) {
        r.seq = s.ack;
        r.flags = tcp_flag::kRst;
    } else {
        r.ack = s.seq + s.sequence_length();
        r.flags = tcp_flag::kRst | tcp_flag::kAck;
    }
    (void)transmit(tuple, r);
}

// ---- timers and lifetimes --------------------------------------------------

void Tcp::on_timer() {
    const Nanoseconds at = now();
    for (TcpConnection& c : m_connections)
        if (c.deadline() <= at) c.on_timer(at);
    for (TimeWait& t : m_time_wait)
        if (t.used && t.until <= at) t.used = false;
    release_zombies();
}

Nanoseconds Tcp::next_deadline() const {
    if (!m_zombies.empty()) return 0;
    Nanoseconds d = kNoDeadline;
    for (TcpConnection& c : const_cast<Tcp*>(this)->m_connections)
        if (c.deadline() < d) d = c.deadline();
    for (const TimeWait& t : m_time_wait)
        if (t.used && t.until < d) d = t.until;
    return d;
}

void Tcp::connection_established(TcpConnection& connection) {
    counters.established++;
    TcpListener* listener = connection.listener();
    if (!listener) return;
    listener->m_half_open.remove(connection);
    listener->m_ready.push_back(connection);
    if (listener->m_user) listener->m_user->tcp_accept_ready(*listener);
}

void Tcp::connection_closed(TcpConnection& connection) {
    if (connection.table_node.is_linked()) m_connections.remove(connection);
    if (TcpListener* listener = connection.listener()) {
        if (listener->m_half_open.contains(connection)) listener->m_half_open.remove(connection);
        else if (listener->m_ready.contains(connection)) listener->m_ready.remove(connection);
        connection.detach_listener();
    }
    if (connection.user_closed()) m_zombies.push_back(connection);
}

void Tcp::connection_released_by_user(TcpConnection& connection) {
    if (!connection.table_node.is_linked()) m_zombies.push_back(connection);
}

void Tcp::enter_time_wait(TcpConnection& connection) {
    counters.time_wait_entered++;
    TimeWait* slot = nullptr;
    for (TimeWait& t : m_time_wait) {
        if (!t.used) {
            slot = &t;
            break;
        }
        if (!slot || t.until < slot->until) slot = &t;
    }
    if (slot->used) counters.time_wait_evicted++;  // the table is full: the oldest goes
    slot->used = true;
    slot->tuple = connection.tuple();
    slot->rcv_nxt = connection.rcv_nxt();
    slot->snd_nxt = connection.snd_nxt();
    slot->ts_recent = connection.ts_recent();
    slot->timestamps = connection.timestamps_on();
    slot->until = now() + 2 * kMsl;
}

void Tcp::release_zombies() {
    while (TcpConnection* connection = m_zombies.pop_front()) m_source.release_connection(*connection);
}

// ---- opening ---------------------------------------------------------------

Result<void> Tcp::listen(TcpListener& listener, Ipv4Address address, u16 port) {
    if (listener.table_node.is_linked()) return Error::BadState;
    if (port == 0) {
        for (u32 i = 0; i < 65536u - kEphemeralFirst && !port; ++i) {
            const u16 candidate = u16(kEphemeralFirst + (m_next_ephemeral++ % (65536u - kEphemeralFirst)));
            if (!find_listener(Ipv4Address {}, candidate)) port = candidate;
        }
        if (!port) {
            counters.ports_exhausted++;
            return Error::Busy;
        }
    }
    for (TcpListener& l : m_listeners)
        if (l.m_port == port && (l.m_address == address || l.m_address.is_zero() || address.is_zero()))
            return Error::Busy;
    listener.m_address = address;
    listener.m_port = port;
    m_listeners.push_back(listener);
    return {};
}

void Tcp::unlisten(TcpListener& listener) {
    if (!listener.table_node.is_linked()) return;
    m_listeners.remove(listener);
    // Connections nobody accepted are reset: nobody will ever read them.
    while (TcpConnection* c = listener.m_half_open.front()) c->abort();
    while (TcpConnection* c = listener.m_ready.front()) c->abort();
    release_zombies();
}

Result<TcpConnection*> Tcp::connect(Ipv4Address local, u16 local_port, Ipv4Address remote, u16 remote_port,
                                    const TcpOptionsConfig& config, TcpUser* user) {
    if (remote.is_zero() || remote.is_broadcast() || remote.is_multicast() || remote_port == 0)
        return Error::InvalidArgument;
    if (local_port == 0) {
        // RFC 6056 3.3.2-like: walk the range from a secret starting point.
        const u32 range = 65536u - kEphemeralFirst;
        for (u32 i = 0; i < range && !local_port; ++i) {
            const u16 candidate = u16(kEphemeralFirst + (m_next_ephemeral++ % range));
            if (!port_in_use(local, candidate, remote, remote_port)) local_port = candidate;
        }
        if (!local_port) {
            counters.ports_exhausted++;
            return Error::Busy;
        }
    } else if (find(TcpTuple {local, local_port, remote, remote_port})) {
        return Error::Busy;
    }
    const TcpTuple tuple {local, local_port, remote, remote_port};
    if (TimeWait* entry = find_time_wait(tuple)) entry->used = false;  // our own new incarnation
    TcpConnection* connection = m_source.allocate_connection(*this, config);
    if (!connection) {
        counters.no_connection_memory++;
        return Error::NoMemory;
    }
    counters.active_opens++;
    connection->set_user(user);
    m_connections.push_back(*connection);
    connection->start_connect(tuple, initial_sequence(tuple));
    return connection;
}

}  // namespace mote
