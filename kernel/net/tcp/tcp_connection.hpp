// One TCP connection: the transmission control block of RFC 9293 and the
// state machine that runs it, with the send and receive rings its owner
// sized.
//
//   active open    Tcp::connect() ─▶ SynSent ─▶ Established
//   passive open   a SYN on a TcpListener ─▶ SynReceived ─▶ Established,
//                  then waits in the listener's accept queue
//   closing        FinWait1/2, Closing, TimeWait (our FIN first), or
//                  CloseWait, LastAck (theirs first); TimeWait itself is
//                  handed to the layer's compact table (tcp.hpp)
//
// What it does, by RFC: sequence checks and trimming, RST and SYN handling
// with challenge ACKs (RFC 5961), window scaling and timestamps with PAWS
// (RFC 7323), SACK blocks on every ACK while data is out of order (RFC
// 2018) and, sending, a SACK scoreboard for loss recovery (RFC 6675:
// tcp_scoreboard.hpp), the retransmission timer (RFC 6298, Karn's rule,
// backoff), slow start, congestion avoidance, fast retransmit and NewReno
// recovery (RFC 5681, 6582), early retransmit (RFC 5827), a tail loss
// probe (RFC 8985), delayed ACKs (every second segment, or one per receive
// batch: Tcp::begin_batch), Nagle (switchable), sender and receiver
// silly window avoidance, zero-window probes, keepalive when asked. What it
// does with an arriving segment is defined in tcp_input.cpp, loss recovery
// and the RTT estimate in tcp_recovery.cpp, what it sends (output,
// segments, options) in tcp_output.cpp.
//
// Ownership: the layer's TcpConnectionSource made this object and takes it
// back. Until the user calls close(), the user may use it; after close()
// the user must not touch it again, and the layer releases it once the
// protocol is done with it (at once, after the FIN handshake, or when
// TIME_WAIT moves to the compact table). Segments are never kept: their
// bytes are copied into the rings before receive() returns, so a driver's
// buffer goes back at once however slow the reader is.
//
// Events: the user (TcpUser) hears tcp_changed() whenever something it may
// wait for happened: connected, readable, writable, end of stream, reset
// or timed out. It asks the connection what, rather than being told.
#pragma once

#include "base/list.hpp"
#include "base/result.hpp"
#include "core/timer.hpp"
#include "net/tcp/tcp_reassembly.hpp"
#include "base/byte_ring.hpp"
#include "net/tcp/tcp_scoreboard.hpp"
#include "net/tcp/tcp_segment.hpp"
#include "net/tcp/tcp_sequence.hpp"

namespace mote {

class Tcp;
class TcpConnection;
class TcpListener;

enum class TcpState : u8 {
    Closed,
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
};
const char* tcp_state_name(TcpState state);

struct TcpTuple {
    Ipv4Address local;
    u16 local_port = 0;
    Ipv4Address remote;
    u16 remote_port = 0;

    bool operator==(const TcpTuple&) const = default;
};

// Per-socket settings.
struct TcpOptionsConfig {
    u16 mss = 1460;  // what we accept: 1500-byte MTU less 40 bytes of headers
    bool nagle = true;
    bool window_scale = true;
    bool timestamps = true;
    bool sack = true;
    bool keepalive = false;
    Nanoseconds keepalive_idle = 7200 * kSecond;  // RFC 1122 4.2.3.6: two hours at least by default
    Nanoseconds keepalive_interval = 75 * kSecond;
    u8 keepalive_probes = 9;
    // The rings' sizes: not the connection's business (it gets the memory
    // made), but the source's, which reads them here so a listener's
    // setting reaches the connections it accepts.
    u32 send_buffer = 64 * 1024;
    u32 receive_buffer = 64 * 1024;
};

class TcpUser {
public:
    virtual void tcp_changed(TcpConnection& connection) = 0;

protected:
    ~TcpUser() = default;
};

struct TcpConnectionStats {
    u64 segments_in = 0;
    u64 segments_out = 0;
    u64 bytes_in = 0;   // payload delivered to the receive ring in order
    u64 bytes_out = 0;  // new payload sent (retransmissions not counted)
    u64 retransmits = 0;
    u64 fast_retransmits = 0;
    u64 timeouts = 0;
    u64 probes = 0;  // tail loss probes sent (RFC 8985 7)
    u64 out_of_order = 0;       // segments held past a hole
    u64 out_of_order_full = 0;  // segments dropped: no range left to hold them
    u64 duplicates = 0;         // segments entirely before rcv_nxt
    u64 challenge_acks = 0;
    u64 paws_rejected = 0;
    u64 window_probes = 0;
    u64 keepalives = 0;
    u32 srtt_us = 0;
    u32 rto_ms = 0;
    u32 cwnd = 0;
};

class TcpConnection {
public:
    // The initial retransmission timeout (RFC 6298 2.1) and its bounds. The
    // floor is Linux's 200 ms rather than RFC 6298's one second: emulated
    // links (QEMU's user network, TCG) have round trips of a millisecond or
    // less, and a second-long stall per loss would dominate everything.
    static constexpr Nanoseconds kInitialRto = kSecond;
    static constexpr Nanoseconds kMinRto = 200 * kMillisecond;
    static constexpr Nanoseconds kMaxRto = 60 * kSecond;
    static constexpr Nanoseconds kDelayedAck = 40 * kMillisecond;  // RFC 9293 3.8.6.3: under 500 ms
    // Inside a receive batch (Tcp::begin_batch), in-order segments wait for
    // one ACK at the batch's end, but never more than this many (about
    // 23 KiB of 1448-byte segments: a third of the smallest window).
    static constexpr u32 kBatchAckSegments = 16;
    // The shortest tail loss probe timeout: a probe after two round trips
    // of a fast link must still leave the peer time to answer.
    static constexpr Nanoseconds kMinProbeTimeout = 10 * kMillisecond;
    static constexpr u32 kMaxSynRetries = 6;
    static constexpr u32 kMaxRetries = 12;
    static constexpr u16 kDefaultPeerMss = 536;  // RFC 9293 3.7.1: when the SYN has no MSS option

    TcpConnection(Tcp& tcp, Bytes send_storage, Bytes receive_storage, const TcpOptionsConfig& config);
    ~TcpConnection();
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    // ---- for the user ------------------------------------------------------
    void set_user(TcpUser* user) { m_user = user; }
    // Copies as much of `data` as the send ring has room for and sends what
    // the windows allow. WouldBlock: no room now (tcp_changed follows when
    // there is). BadState: the connection was shut down for writing or is
    // not open; PeerClosed: reset; Timeout: gave up retransmitting.
    Result<usize> write(ReadonlyBytes data);
    // The same without the copy, for a writer that copies from elsewhere (a
    // socket, straight from its program's memory): `n` <= writable() free
    // bytes of the send ring as at most two pieces, which append(n) then
    // queues for sending.
    void reserve(usize n, Bytes& first, Bytes& second) const { m_send.space(n, first, second); }
    void append(usize n);
    // Copies out what has arrived in order. 0 means end of stream (the peer
    // sent FIN and everything before it has been read). WouldBlock: nothing
    // yet. Errors as for write().
    Result<usize> read(Bytes out);
    // The same without the copy, for a reader that copies elsewhere (a
    // socket, straight into its program's memory): the first `n` <=
    // readable() bytes as at most two pieces, left in the ring until
    // take(n) drops them (and opens the window as read() does).
    void peek(usize n, ReadonlyBytes& first, ReadonlyBytes& second) const { m_receive.view(0, n, first, second); }
    void take(usize n);
    // No more writes: FIN follows the queued bytes (half-close: reading goes
    // on).
    void shutdown_write();
    // The user is done. Unread data makes it a reset (RFC 9293 3.10.4 allows
    // it; it tells the peer its data was not consumed); otherwise FIN goes
    // out after the queued bytes and the layer finishes the handshake alone.
    void close();
    // Sends RST and ends at once.
    void abort();

    TcpState state() const { return m_state; }
    const TcpTuple& tuple() const { return m_tuple; }
    // Why the connection ended, if it ended badly: PeerClosed (reset by the
    // peer; refused, in SynSent), Timeout, Cancelled (aborted here).
    Error error() const { return m_error; }
    bool failed() const { return m_failed; }
    usize readable() const { return m_receive.size(); }
    usize writable() const;
    bool end_of_stream() const { return m_fin_received && m_receive.empty(); }
    bool connected() const;
    TcpConnectionStats stats() const;
    const TcpOptionsConfig& config() const { return m_config; }
    void set_nagle(bool on) { m_config.nagle = on; }
    void set_keepalive(bool on);
    u16 send_mss() const { return m_send_mss; }
    usize send_queued() const { return m_send.size(); }

    // ---- for the layer -----------------------------------------------------
    void start_connect(const TcpTuple& tuple, Seq iss);
    // A SYN for `listener` made this connection: answer with SYN-ACK.
    void start_passive(const TcpTuple& tuple, Seq iss, const TcpSegment& syn, TcpListener& listener);
    // The ACK `ack` returned a valid SYN cookie (tcp.hpp): the connection
    // starts established, as the SYN-ACK `iss` left it, with MSS `mss`
    // and none of the options a cookie cannot remember (window scale,
    // SACK, timestamps).
    void start_from_cookie(const TcpTuple& tuple, Seq iss, u16 mss, const TcpSegment& ack, TcpListener& listener);
    void receive(const TcpSegment& segment);
    // accept() took it from the listener: now the user's.
    void accepted();
    // Runs the timers that are due.
    void on_timer(Nanoseconds now);
    // Sends what the windows allow (and an ACK that is owed): after a
    // transmit failed for want of a buffer.
    void retry_output();
    // The receive batch ended: the ACK put off to it goes now (if no other
    // segment of ours carried it meanwhile).
    void send_batch_ack();
    Nanoseconds deadline() const;
    bool user_closed() const { return m_user_closed; }
    TcpListener* listener() const { return m_listener; }
    void detach_listener() { m_listener = nullptr; }
    // The TIME_WAIT record's contents.
    Seq rcv_nxt() const { return m_rcv_nxt; }
    Seq snd_nxt() const { return m_snd_nxt; }
    u32 ts_recent() const { return m_ts_recent; }
    bool timestamps_on() const { return m_ts_on; }

    ListNode table_node;   // Tcp's connection table
    ListNode listen_node;  // its listener's half-open or accept queue

private:
    // The entry points' bodies; events collected while they run reach the
    // user once, at the end (deliver_events), never in the middle of a
    // segment's processing.
    void receive_segment(const TcpSegment& s);
    void run_timers(Nanoseconds now);
    void deliver_events();
    // -- receiving
    void receive_syn_sent(const TcpSegment& s);
    bool acceptable(const TcpSegment& s) const;
    void take_peer_options(const TcpSegment& syn);
    void process_ack(const TcpSegment& s, bool& drop);
    void process_data(const TcpSegment& s, Seq seq, ReadonlyBytes data, bool fin);
    void process_fin();
    void new_ack(Seq ack, const TcpSegment& s);
    void duplicate_ack();
    // How many duplicates, or segments SACKed past snd_una, mean it is
    // lost: three (RFC 5681), or one less than the segments out when fewer
    // than four are and nothing new can go (RFC 5827 early retransmit:
    // three duplicates can never come).
    u32 loss_threshold() const;
    // Tail loss probe (RFC 8985 7): a flight whose last segments are lost
    // brings no duplicate ACKs at all, and the RTO floor is 200 ms. About
    // two round trips after the last send or ACK, one segment goes out (new
    // data if the window allows, else the last one again); its ACK's SACK
    // blocks then show the hole to the early-retransmit threshold.
    void schedule_probe();
    void send_probe();
    // In SACK recovery: resends the first hole past what this recovery has
    // resent that the scoreboard says is lost (RFC 6675 NextSeg rule 1).
    void retransmit_lost_hole();
    // Resends [seq, seq + mss) (or less, at the data's end) as a loss
    // repair; `fast` counts it as a fast retransmit.
    bool retransmit(Seq seq, bool fast);
    void rtt_sample(Nanoseconds rtt);
    // -- sending
    void output();
    // Sends `length` bytes at snd_nxt (with FIN if `fin`) and advances it:
    // counts them, times a fresh segment for the RTT estimate, arms the
    // retransmission timer and the tail probe. The window is the caller's
    // business (output() obeys cwnd; the tail probe need not). False if the
    // link had no buffer.
    bool send_next(u32 length, bool fin);
    // Sends [seq, seq + length) from the send ring, with FIN if it ends the
    // stream. False if the link had no buffer.
    bool send_data(Seq seq, usize length, bool fin);
    bool send_control(u8 flags, Seq seq);
    // A pure ACK carries the next new octet, not snd_nxt: after a timeout
    // snd_nxt goes back to snd_una, and an ACK numbered there is old to a
    // peer that has those bytes, which drops it unread (RFC 9293 3.10.7.4).
    // When both ends time out together, each then ignores the other's ACKs
    // and neither advances (BSD's tcp_output does the same for this reason).
    void send_ack() { (void)send_control(tcp_flag::kAck, seq_max(m_snd_nxt, m_snd_max)); }
    void send_reset();
    bool transmit(TcpSegment& s);
    u16 advertised_window();
    void schedule_ack(bool now);
    void fill_options(TcpSegment& s, bool syn);
    // -- state
    void enter(TcpState state);
    void fail(Error error);
    void finish();  // Closed: stop timers, tell the user, let the layer release
    void notify();
    Seq data_end() const { return m_send_base + u32(m_send.size()); }
    bool fin_acked() const { return m_fin_queued && m_snd_una.after(data_end()); }
    u32 flight() const { return m_snd_nxt - m_snd_una; }
    // The payload a data segment can carry now: the send MSS less the SACK
    // blocks it will carry while we hold out-of-order data (RFC 6691: the
    // MSS counts options beyond the fixed header, and timestamps are
    // already taken off). A full segment with SACK blocks on top would not
    // fit the path's MTU and would never leave.
    u32 segment_room() const;
    // SACK blocks a segment may carry at most: forty option bytes, twelve
    // of them for timestamps when those are on.
    usize sack_block_limit() const { return m_ts_on ? 3 : 4; }
    // How many SACK blocks a segment with `payload` bytes has room for.
    usize sack_room(usize payload) const;
    void arm_rto();
    Nanoseconds now() const;
    u32 ts_clock() const;

    Tcp& m_tcp;
    TcpUser* m_user = nullptr;
    TcpListener* m_listener = nullptr;
    TcpOptionsConfig m_config;
    TcpTuple m_tuple;
    TcpState m_state = TcpState::Closed;
    Error m_error = Error::Cancelled;
    bool m_failed = false;
    bool m_user_closed = false;
    bool m_changed = false;  // an event for the user is waiting

    // Send side (RFC 9293 3.3.1). The send ring holds the bytes from
    // m_send_base on: unacknowledged, then not yet sent.
    ByteRing m_send;
    Seq m_iss;
    Seq m_send_base;  // sequence number of the ring's first byte
    Seq m_snd_una;
    Seq m_snd_nxt;
    Seq m_snd_max;  // highest sequence number sent (snd_nxt goes back on a timeout)
    u32 m_snd_wnd = 0;
    u32 m_max_snd_wnd = 0;
    Seq m_snd_wl1;
    Seq m_snd_wl2;
    u8 m_snd_wscale = 0;
    u16 m_send_mss = kDefaultPeerMss;
    bool m_fin_queued = false;
    // Congestion control (RFC 5681, 6582).
    u32 m_cwnd = 0;
    u32 m_ssthresh = 0xffffffff;
    u32 m_dup_acks = 0;
    bool m_in_recovery = false;
    Seq m_recover;
    // What the peer SACKed (RFC 6675), and how far this recovery has resent
    // holes: nothing below m_rexmit_next is resent twice in one recovery.
    TcpScoreboard m_scoreboard;
    Seq m_rexmit_next;
    // The tail loss probe: its deadline, and the episode one probe opens
    // until snd_una passes m_probe_high (one probe per episode). A probe
    // that resent data and was answered without a recovery repaired a loss
    // and costs a halving, as the recovery would have (RFC 8985 7.4).
    Nanoseconds m_probe_at = kNoDeadline;
    bool m_probe_episode = false;
    bool m_probe_resent = false;
    Seq m_probe_high;
    // Round-trip timing (RFC 6298).
    bool m_rtt_valid = false;
    Nanoseconds m_srtt = 0;
    Nanoseconds m_rttvar = 0;
    Nanoseconds m_rto = kInitialRto;
    bool m_timing = false;
    Seq m_timed_seq;
    Nanoseconds m_timed_at = 0;
    u32 m_retries = 0;

    // Receive side.
    ByteRing m_receive;
    TcpReassembly m_reassembly;
    Seq m_irs;
    Seq m_rcv_nxt;
    Seq m_advertised_edge;  // the right edge of the last window we sent
    u8 m_rcv_wscale = 0;
    bool m_fin_received = false;
    bool m_fin_pending = false;  // a FIN arrived past a hole
    Seq m_fin_seq;
    u32 m_unacked_segments = 0;  // full-size segments since our last ACK
    bool m_ack_now = false;
    bool m_batch_ack = false;  // an ACK put off to the end of the receive batch
    // Options in use.
    bool m_ws_on = false;
    bool m_ts_on = false;
    bool m_sack_on = false;
    u32 m_ts_recent = 0;
    Seq m_last_ack_sent;

    // Timers: absolute times, kNoDeadline when off.
    Nanoseconds m_rto_at = kNoDeadline;
    Nanoseconds m_delack_at = kNoDeadline;
    Nanoseconds m_persist_at = kNoDeadline;
    Nanoseconds m_keepalive_at = kNoDeadline;
    Nanoseconds m_persist_backoff = 0;
    u8 m_keepalive_sent = 0;

    TcpConnectionStats m_stats;
};

}  // namespace mote
