// ping [-c COUNT] HOST (or ping HOST COUNT): ICMP echo requests to HOST
// (an IPv4 address, or localhost), COUNT of them (default 4), one a second,
// over a ping socket (abi::SocketKind::IcmpEcho). Each reply prints a line
//
//     64 bytes from 10.0.2.2: seq=0 ttl=255 time=1.234 ms
//
// a probe not answered within its second prints "timeout seq N", and the
// end is a summary:
//
//     --- 10.0.2.2: 3 sent, 3 received, 0% loss
//     rtt min/avg/max = 0.512/0.700/1.002 ms
//
// A reply that comes after its probe's timeout still counts (it arrived),
// as long as it is one of the last kWindow probes. Ctrl-C ends it early,
// with the summary. Exit status 0 if any reply came, 1 if none did, 2 for
// bad arguments. It needs the network capability (etc/caps).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

constexpr u64 kInterval = 1'000'000'000;  // between probes, and each one's timeout
constexpr usize kData = 56;               // echo data per probe: 64 bytes of ICMP, as is usual
constexpr u64 kMaxCount = 65535;          // sequence numbers never wrap
constexpr u64 kWindow = 64;               // probes remembered for matching late replies

struct Echo {
    abi::DatagramHeader header;
    u8 data[abi::kDatagramMax];
};

struct Probe {
    u64 sent_at = 0;
    bool answered = false;
};

struct Stats {
    u64 sent = 0;
    u64 received = 0;
    u64 min_rtt = 0;
    u64 max_rtt = 0;
    u64 total_rtt = 0;
};

Echo g_echo;
Probe g_probes[kWindow];

// "1.234" for nanoseconds, in milliseconds with three decimals.
struct Millis {
    u64 whole;
    u64 thousandths;
};
Millis millis(u64 ns) { return {ns / 1'000'000, ns / 1'000 % 1'000}; }

void print_address(u32 a) { print_out("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff); }

// Sends probe `sequence` (its data: the sequence again and a pattern, so a
// reply's bytes are worth checking by eye in a capture).
void send_probe(Handle socket, u32 host, u64 sequence) {
    Echo& e = g_echo;
    e.header = {};
    e.header.peer = {host, 0, 0};
    e.header.sequence = u16(sequence);
    for (usize i = 0; i < kData; ++i) e.data[i] = u8(i);
    g_probes[sequence % kWindow] = {sys::clock(), false};
    auto written = sys::write(socket, &e, sizeof(e.header) + kData);
    // Not sent (no buffer, no route now): it shows as a timeout, as a
    // probe lost on the wire would.
    if (written.is_error()) print_err("ping: seq {}: {}\n", sequence, written.error());
}

// Reads every reply waiting and prints those for our probes.
SysOr<void> take_replies(Handle socket, u32 host, Stats& stats) {
    for (;;) {
        abi::PollItem item {socket, abi::kPollReadable, 0, 0};
        if (TRY(sys::poll(&item, 1, 0)) == 0) return {};
        const usize n = TRY(sys::read(socket, &g_echo, sizeof(g_echo)));
        const u64 now = sys::clock();
        if (n < sizeof(abi::DatagramHeader)) continue;
        const abi::DatagramHeader& h = g_echo.header;
        const u64 sequence = h.sequence;
        // Only ours: the socket's identifier already filtered, the sender
        // and the window do the rest.
        if (h.peer.address != host || sequence >= stats.sent || stats.sent - sequence > kWindow) continue;
        Probe& p = g_probes[sequence % kWindow];
        if (p.answered) continue;  // a duplicate
        p.answered = true;
        const u64 rtt = now - p.sent_at;
        if (stats.received == 0 || rtt < stats.min_rtt) stats.min_rtt = rtt;
        stats.max_rtt = max(stats.max_rtt, rtt);
        stats.total_rtt += rtt;
        ++stats.received;
        const Millis m = millis(rtt);
        print_out("{} bytes from ", h.length + 8);
        print_address(h.peer.address);
        print_out(": seq={} ttl={} time={}.{:03} ms\n", sequence, h.ttl, m.whole, m.thousandths);
    }
}

void print_summary(u32 host, const Stats& s) {
    const u64 loss = s.sent ? (s.sent - s.received) * 100 / s.sent : 0;
    print_out("--- ");
    print_address(host);
    print_out(": {} sent, {} received, {}% loss\n", s.sent, s.received, loss);
    if (s.received) {
        const Millis lo = millis(s.min_rtt), avg = millis(s.total_rtt / s.received), hi = millis(s.max_rtt);
        print_out("rtt min/avg/max = {}.{:03}/{}.{:03}/{}.{:03} ms\n", lo.whole, lo.thousandths, avg.whole,
                  avg.thousandths, hi.whole, hi.thousandths);
    }
}

int usage() {
    print_err("usage: ping [-c COUNT] HOST  (or: ping HOST COUNT)\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    StringView host_text;
    StringView count_text;
    for (int i = 1; i < argc; ++i) {
        const StringView word = argv[i];
        if (word == "-c" && i + 1 < argc && count_text.empty()) count_text = argv[++i];
        else if (word.length() > 0 && word[0] == '-') return usage();
        else if (host_text.empty()) host_text = word;
        else if (count_text.empty()) count_text = word;
        else return usage();
    }
    if (host_text.empty()) return usage();
    u64 count = 4;
    if (!count_text.empty()) {
        auto parsed = parse_u64(count_text);
        if (parsed.is_error() || parsed.value() == 0 || parsed.value() > kMaxCount) {
            print_err("ping: bad count '{}': 1 to {}\n", count_text, kMaxCount);
            return 2;
        }
        count = parsed.value();
    }
    auto address = host_text == "localhost" ? Result<u32>(0x7f000001u) : parse_ipv4(host_text);
    if (address.is_error() || address.value() == 0) {
        print_err("ping: {}: not an IPv4 address\n", host_text);
        return 2;
    }
    const u32 host = address.value();
    auto socket = sys::socket(net_cap(), abi::SocketKind::IcmpEcho);
    if (socket.is_error()) {
        print_err("ping: socket: {} (is the network capability here? etc/caps)\n", socket.error());
        return 1;
    }
    const Handle s = socket.value();

    print_out("PING ");
    print_address(host);
    print_out(": {} data bytes\n", kData);
    Stats stats;
    bool interrupted = false;
    while (stats.sent < count && !interrupted) {
        const u64 sequence = stats.sent;
        send_probe(s, host, sequence);
        ++stats.sent;
        const u64 deadline = g_probes[sequence % kWindow].sent_at + kInterval;
        // Wait out the probe's second, taking replies as they come; the
        // last probe answered needs no more waiting.
        for (;;) {
            if (auto taken = take_replies(s, host, stats); taken.is_error()) {
                print_err("ping: {}\n", taken.error());
                return 1;
            }
            const bool last_answered = stats.sent == count && g_probes[sequence % kWindow].answered;
            const u64 now = sys::clock();
            if (last_answered || now >= deadline) break;
            abi::PollItem items[2] {};
            items[0].handle = s;
            items[0].events = abi::kPollReadable;
            items[1].handle = abi::kNoHandle;
            items[1].events = abi::kPollInterrupt;
            auto ready = sys::poll(items, 2, deadline - now);
            if (ready.is_error()) {
                print_err("ping: poll: {}\n", ready.error());
                return 1;
            }
            if (items[1].ready & abi::kPollInterrupt) {
                interrupted = true;
                break;
            }
        }
        if (!interrupted && !g_probes[sequence % kWindow].answered) print_out("timeout seq {}\n", sequence);
    }
    print_summary(host, stats);
    (void)sys::close(s);
    return stats.received ? 0 : 1;
}
