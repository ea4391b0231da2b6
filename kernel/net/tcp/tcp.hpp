// The TCP layer: the connection table, listeners, TIME_WAIT, initial
// sequence numbers and ephemeral ports, and the answer (RST) to segments
// nobody wants. Connections themselves are tcp_connection's.
//
// The layer sees the world through two narrow interfaces and calls nothing
// else: TcpLink (the time, and "send this segment": the IP layer below, or
// a simulated link in tests) and TcpConnectionSource (where a connection's
// object and rings come from, and go back to). The protocols below never
// call up into a stack object; NetStack feeds receive() and arms a timer
// for next_deadline().
//
// SYN cookies (RFC 4987 3.6): when a listener's half-open table is full, a
// SYN is still answered, with a SYN-ACK whose sequence number is a cookie
// (a time slot, an MSS index and a keyed hash of the tuple and the peer's
// sequence number) and no state is kept. The ACK that returns it (ack - 1)
// within two slots re-creates the connection straight into the accept
// queue, without window scaling, SACK or timestamps, which a cookie cannot
// remember. A flood of SYNs thus costs no memory and does not lock out
// the clients that finish their handshakes.
//
// Bounds, each a named counter when hit: a listener's half-open
// connections and accept queue (its backlog), the TIME_WAIT table
// (kTimeWaitSlots; the oldest entry is dropped for a new one), and the
// connection source itself (no_connection_memory).
//
// Release: a connection is handed back to the source only at a safe point
// (the end of receive() or on_timer()), never from inside its own calls,
// so a user may call close() from its tcp_changed() callback.
#pragma once

#include "base/list.hpp"
#include "net/net_counters.hpp"
#include "net/tcp/tcp_connection.hpp"

namespace mote {

class TcpLink {
public:
    virtual Nanoseconds now() = 0;
    // Sends `segment` from tuple.local to tuple.remote. NoMemory when no
    // buffer is free (the connection's timers retry).
    virtual Result<void> send_segment(const TcpTuple& tuple, const TcpSegment& segment) = 0;

protected:
    ~TcpLink() = default;
};

class TcpConnectionSource {
public:
    // A new connection (constructed with its rings), or nullptr when there
    // is no memory for one.
    virtual TcpConnection* allocate_connection(Tcp& tcp, const TcpOptionsConfig& config) = 0;
    virtual void release_connection(TcpConnection& connection) = 0;

protected:
    ~TcpConnectionSource() = default;
};

class TcpListenerUser {
public:
    // A connection is waiting in the accept queue.
    virtual void tcp_accept_ready(TcpListener& listener) = 0;

protected:
    ~TcpListenerUser() = default;
};

class TcpListener {
public:
    explicit TcpListener(TcpListenerUser* user = nullptr, usize backlog = 16, const TcpOptionsConfig& config = {})
        : m_user(user), m_backlog(backlog ? backlog : 1), m_config(config) {}
    ~TcpListener() { VERIFY_MSG(!table_node.is_linked(), "listener destroyed while listening"); }
    TcpListener(const TcpListener&) = delete;
    TcpListener& operator=(const TcpListener&) = delete;

    // The next established connection, now the caller's (set its user);
    // nullptr if none is waiting.
    TcpConnection* accept();
    usize pending() const { return m_ready.size(); }
    usize half_open() const { return m_half_open.size(); }
    u16 port() const { return m_port; }
    usize backlog() const { return m_backlog; }
    const TcpOptionsConfig& config() const { return m_config; }

    ListNode table_node;

private:
    friend class Tcp;

    TcpListenerUser* m_user;
    usize m_backlog;
    TcpOptionsConfig m_config;
    Ipv4Address m_address;  // zero: any of ours
    u16 m_port = 0;
    IntrusiveList<TcpConnection, &TcpConnection::listen_node> m_half_open;
    IntrusiveList<TcpConnection, &TcpConnection::listen_node> m_ready;
};

class Tcp {
public:
    static constexpr usize kTimeWaitSlots = 128;
    static constexpr Nanoseconds kMsl = 30 * kSecond;  // 2 * MSL = one minute in TIME_WAIT
    static constexpr u16 kEphemeralFirst = 49152;      // IANA dynamic range (RFC 6335)
    static constexpr usize kSecretSize = 32;
    static constexpr Nanoseconds kCookieSlot = 64 * kSecond;  // a SYN cookie's time unit

    // `secret` keys the initial sequence numbers and port choice (RFC 6528,
    // RFC 6056): kSecretSize bytes from the kernel CSPRNG.
    Tcp(TcpLink& link, TcpConnectionSource& source, ReadonlyBytes secret);
    ~Tcp();
    Tcp(const Tcp&) = delete;
    Tcp& operator=(const Tcp&) = delete;

    // A segment (the IP payload) from `source` to `destination`, one of our
    // addresses. Everything it needs is copied before this returns.
    void receive(ReadonlyBytes bytes, Ipv4Address source, Ipv4Address destination, bool verify_checksum = true);
    // A new key for initial sequence numbers and the port search (the
    // kernel CSPRNG was seeded after the layer started). Connections keep
    // their numbers; only new ones use the new key.
    void rekey(ReadonlyBytes secret);
    // Transmit buffers are free again: connections that stopped sending for
    // want of one send what their windows allow.
    void buffers_available();
    // The segments of one poll of the device arrive between these two
    // (NetStack::on_frames). Inside a batch a connection owes the ACK of
    // every second segment (RFC 5681 4.2) to the batch's end instead, and
    // sends one ACK for all the batch brought (a stretch ACK, as Linux's
    // GRO sends for the segments it merged), at the latest every
    // TcpConnection::kBatchAckSegments segments. A hole, a FIN or anything
    // else that wants an ACK at once still gets it at once.
    void begin_batch() { m_in_batch = true; }
    void end_batch();
    // Runs every timer that is due; next_deadline() says when to call again.
    void on_timer();
    Nanoseconds next_deadline() const;

    // Listens on `port` (0: an ephemeral one) at `address` (zero: any).
    // Busy if taken.
    Result<void> listen(TcpListener& listener, Ipv4Address address, u16 port);
    // Stops listening; connections not yet accepted are reset.
    void unlisten(TcpListener& listener);
    // Opens a connection from `local` (port 0: ephemeral) to `remote`.
    // NoMemory: the source had none; Busy: no free port (or the tuple is in
    // use).
    Result<TcpConnection*> connect(Ipv4Address local, u16 local_port, Ipv4Address remote, u16 remote_port,
                                   const TcpOptionsConfig& config, TcpUser* user);

    // Every connection goes back to its source at once, without a word on
    // the wire, and every listener stops: the source is going away (the
    // machine is shutting down). The users must have let go already.
    void abandon_all();

    usize connection_count() const { return m_connections.size(); }
    // Visits every connection in the table, then every listener.
    template <typename F>
    void for_each_connection(F&& f) {
        for (TcpConnection& c : m_connections) f(c);
    }
    template <typename F>
    void for_each_listener(F&& f) {
        for (TcpListener& l : m_listeners) f(l);
    }
    usize time_wait_count() const;
    TcpCounters counters;

    // ---- for TcpConnection ----
    Nanoseconds now() { return m_link.now(); }
    bool in_batch() const { return m_in_batch; }
    // A connection put off an ACK to the batch's end.
    void owe_batch_ack() { ++m_batch_acks_owed; }
    Result<void> transmit(const TcpTuple& tuple, TcpSegment& segment);
    void connection_established(TcpConnection& connection);
    // The connection reached Closed (or TIME_WAIT, recorded here first):
    // out of the table, and released once the user has let go.
    void connection_closed(TcpConnection& connection);
    void connection_released_by_user(TcpConnection& connection);
    void enter_time_wait(TcpConnection& connection);

private:
    struct TimeWait {
        TcpTuple tuple;
        Seq rcv_nxt;
        Seq snd_nxt;
        u32 ts_recent = 0;
        bool timestamps = false;
        Nanoseconds until = 0;
        bool used = false;
    };

    TcpConnection* find(const TcpTuple& tuple);
    TcpListener* find_listener(Ipv4Address address, u16 port);
    TimeWait* find_time_wait(const TcpTuple& tuple);
    bool port_in_use(Ipv4Address local, u16 port, Ipv4Address remote, u16 remote_port);
    Seq initial_sequence(const TcpTuple& tuple);
    void accept_syn(TcpListener& listener, const TcpTuple& tuple, const TcpSegment& syn);
    // SYN cookies: the cookie for a SYN, answering with it, and checking
    // the one an ACK returns (its MSS, or 0 when it is not ours).
    u32 syn_cookie(const TcpTuple& tuple, u32 peer_seq, u32 slot, u32 mss_index);
    void send_syn_cookie(TcpListener& listener, const TcpTuple& tuple, const TcpSegment& syn);
    u16 check_syn_cookie(const TcpTuple& tuple, const TcpSegment& ack);
    bool accept_cookie(TcpListener& listener, const TcpTuple& tuple, const TcpSegment& ack);
    void time_wait_segment(TimeWait& entry, const TcpSegment& segment);
    // RFC 9293 3.10.7.1: the reset for a segment that has no connection.
    void reset_for(const TcpTuple& tuple, const TcpSegment& segment);
    void release_zombies();

    TcpLink& m_link;
    TcpConnectionSource& m_source;
    u8 m_secret[kSecretSize];
    u16 m_next_ephemeral = 0;
    IntrusiveList<TcpConnection, &TcpConnection::table_node> m_connections;
    bool m_in_batch = false;
    u32 m_batch_acks_owed = 0;
    IntrusiveList<TcpConnection, &TcpConnection::table_node> m_zombies;  // closed, to release
    IntrusiveList<TcpListener, &TcpListener::table_node> m_listeners;
    TimeWait m_time_wait[kTimeWaitSlots];
};

}  // namespace mote
