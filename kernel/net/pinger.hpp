// The ping client: ICMP echo requests to one host, one a second, with the
// round-trip time of each reply and a summary at the end. The shell's
// `ping` drives it; its events arrive in loop context.
#pragma once

#include "core/timer.hpp"
#include "net/icmp.hpp"

namespace mote {

class NetStack;

struct PingReply {
    Ipv4Address from;
    u16 sequence = 0;
    u8 ttl = 0;
    usize bytes = 0;  // ICMP payload
    Nanoseconds rtt = 0;
};

struct PingSummary {
    Ipv4Address destination;
    u32 sent = 0;
    u32 received = 0;
    Nanoseconds min_rtt = 0;
    Nanoseconds max_rtt = 0;
    Nanoseconds total_rtt = 0;
};

struct PingEvents {
    void (*reply)(void* context, const PingReply& reply) = nullptr;
    void (*timeout)(void* context, u16 sequence) = nullptr;
    // Last event of a session: after `count` probes, or after stop().
    void (*done)(void* context, const PingSummary& summary) = nullptr;
    void* context = nullptr;
};

class Pinger final : public EchoReplyListener {
public:
    static constexpr Nanoseconds kInterval = kSecond;  // and each probe's timeout
    static constexpr usize kPayload = 56;
    static constexpr u32 kMaxCount = 1000;

    explicit Pinger(NetStack& stack);
    ~Pinger();
    Pinger(const Pinger&) = delete;
    Pinger& operator=(const Pinger&) = delete;

    // Busy if a session is running; NotFound if there is no route;
    // InvalidArgument for a count of 0 or above kMaxCount.
    Result<void> start(Ipv4Address destination, u32 count, const PingEvents& events);
    // Ends the session now (its done event runs).
    void stop();
    bool active() const { return m_active; }

    void on_echo_reply(PacketBuffer& packet, Ipv4Address from, u8 ttl) override;

private:
    static constexpr usize kWindow = 64;  // probes remembered for matching

    static void on_timer(Timer& timer);
    void send_probe();
    void finish();

    NetStack& m_stack;
    Timer m_timer;
    PingEvents m_events;
    PingSummary m_summary;
    u32 m_count = 0;
    bool m_active = false;
    Nanoseconds m_sent_at[kWindow] {};
    bool m_answered[kWindow] {};
};

}  // namespace mote
