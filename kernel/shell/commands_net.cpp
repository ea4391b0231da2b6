// net            addresses, routes, lease, ARP cache, device, pools, counters
// ping HOST [COUNT]
//
// Both read the kernel's one NetStack. ping is asynchronous like blk read:
// it starts the Pinger and holds the shell; each reply prints a line, the
// summary releases the shell, and Ctrl-C stops it early (still with the
// summary).
#include "boot/kernel.hpp"
#include "shell/command.hpp"
#include "shell/shell.hpp"

namespace mote {

namespace {

// "a.bcd ms" from nanoseconds.
struct Millis {
    u64 whole;
    u64 thousandths;
};
Millis millis(Nanoseconds t) { return Millis {t / kMillisecond, (t / kMicrosecond) % 1000}; }

// Prints `name value` pairs, wrapping lines at ~76 columns.
class CounterPrinter {
public:
    CounterPrinter(Shell& shell, StringView title) : m_shell(shell) {
        m_line.appendf("  {}:", title);
        m_indent = m_line.length();
    }
    ~CounterPrinter() { flush(); }
    void operator()(const char* name, u64 value) {
        FixedString<64> item;
        item.appendf(" {} {}", name, value);
        if (m_line.length() + item.length() > 76 && m_line.length() > m_indent) flush();
        if (m_line.length() == 0) {
            for (usize i = 0; i < m_indent; ++i) m_line.append(' ');
        }
        m_line.append(item.view());
    }
    void flush() {
        if (m_line.length() <= m_indent) return;
        m_line.append('\n');
        m_shell.write(m_line.view());
        m_line.clear();
    }

private:
    Shell& m_shell;
    FixedString<160> m_line;
    usize m_indent = 0;
};

template <typename Counters>
void print_counters(Shell& shell, StringView title, const Counters& counters) {
    CounterPrinter printer(shell, title);
    counters.for_each(printer);
}

void print_lease(Shell& shell, NetStack& net) {
    const DhcpClient& dhcp = net.dhcp();
    if (dhcp.state() == DhcpState::Stopped) return;
    if (!dhcp.bound()) {
        shell.print("  dhcp: {} (xid {:#010x})\n", dhcp_state_name(dhcp.state()), dhcp.xid());
        return;
    }
    const DhcpLease& l = dhcp.lease();
    Nanoseconds now = net.now();
    auto left = [&](Nanoseconds t) { return t > now ? (t - now) / kSecond : 0; };
    shell.print("  dhcp: {} from {}, renew in {} s, rebind in {} s, expires in {} s\n", dhcp_state_name(dhcp.state()),
                ip_text(l.server), left(l.t1), left(l.t2), left(l.expires));
}

void print_arp(Shell& shell, NetStack& net) {
    Nanoseconds now = net.now();
    usize shown = 0;
    for (const ArpEntry& e : net.arp().cache().entries()) {
        if (e.state == ArpState::Free) continue;
        if (shown++ == 0) shell.print("  arp cache:\n");
        if (e.state == ArpState::Reachable)
            shell.print("    {:<15} {}  reachable, {} s left\n", ip_text(e.ip), mac_text(e.mac),
                        e.deadline > now ? (e.deadline - now) / kSecond : 0);
        else
            shell.print("    {:<15} (incomplete)       {} request(s), {} packet(s) waiting\n", ip_text(e.ip),
                        e.requests, e.waiting.size());
    }
    if (!shown) shell.print("  arp cache: empty\n");
}

void print_net(Shell& shell) {
    NetStack& net = shell.kernel().net();
    NetDevice* device = net.device();
    if (!device) {
        shell.error("no network device");
        return;
    }
    shell.print("{}: {} mac {} mtu {} link {}\n", device->name(), device->model(), mac_text(device->mac()),
                device->mtu(), device->link_up() ? "up" : "down");
    const Ipv4Config& c = net.config();
    if (c.configured()) {
        u8 prefix = prefix_from_netmask(c.netmask);
        shell.print("  address {}/{} ({})\n", ip_text(c.address), prefix, config_source_name(c.source));
        Ipv4Address subnet {c.address.value & c.netmask.value};
        shell.print("  route {}/{} on-link\n", ip_text(subnet), prefix);
        if (!c.gateway.is_zero()) shell.print("  route default via {}\n", ip_text(c.gateway));
        else shell.print("  no default route\n");
    } else {
        shell.print("  no address\n");
    }
    print_lease(shell, net);
    print_arp(shell, net);
    EchoService& echo = net.echo();
    for (usize i = 0; i < echo.port_count(); ++i) {
        const UdpSocketStats& s = echo.socket(i).stats();
        shell.print("  echo port {}: received {} queued {} (max {}) queue_full {}\n", echo.socket(i).port(), s.received,
                    s.queued, s.queue_high_water, s.queue_full);
    }
    if (echo.port_count()) shell.print("  echo: echoed {} failed {}\n", echo.echoed(), echo.failed());

    const NetDeviceStats& d = device->stats();
    shell.print("  device: rx {} frames {} bytes, tx {} frames {} bytes\n", d.rx_frames, d.rx_bytes, d.tx_frames,
                d.tx_bytes);
    shell.print("  device drops: rx_no_buffer {} rx_bad_length {} rx_no_receiver {} rx_link_down {}\n",
                d.rx_no_buffer, d.rx_bad_length, d.rx_no_receiver, d.rx_link_down);
    shell.print("                tx_busy {} tx_rejected {} tx_errors {}\n", d.tx_busy, d.tx_rejected, d.tx_errors);
    PacketPoolStats p = net.tx_pool().stats();
    shell.print("  pool {}: {} of {} free, low water {}, exhausted {}\n", net.tx_pool().name(), p.free, p.total,
                p.low_water, p.exhausted);
    print_counters(shell, "ethernet", net.ethernet().counters);
    print_counters(shell, "arp", net.arp().counters);
    print_counters(shell, "ipv4", net.ipv4().counters);
    print_counters(shell, "icmp", net.icmp().counters);
    print_counters(shell, "udp", net.udp().counters);
    print_counters(shell, "dhcp", net.dhcp().counters);
}

// ---- ping ----------------------------------------------------------------

void on_reply(void* context, const PingReply& r) {
    auto& shell = *static_cast<Shell*>(context);
    Millis m = millis(r.rtt);
    shell.print("{} bytes from {}: seq={} ttl={} time={}.{:03} ms\n", r.bytes + 8, ip_text(r.from), r.sequence, r.ttl,
                m.whole, m.thousandths);
}

void on_timeout(void* context, u16 sequence) {
    static_cast<Shell*>(context)->print("seq={}: no reply\n", sequence);
}

void on_done(void* context, const PingSummary& s) {
    auto& shell = *static_cast<Shell*>(context);
    u32 loss = s.sent ? (s.sent - s.received) * 100 / s.sent : 0;
    shell.print("--- {}: {} sent, {} received, {}% loss\n", ip_text(s.destination), s.sent, s.received, loss);
    if (s.received) {
        Millis lo = millis(s.min_rtt), avg = millis(s.total_rtt / s.received), hi = millis(s.max_rtt);
        shell.print("rtt min/avg/max = {}.{:03}/{}.{:03}/{}.{:03} ms\n", lo.whole, lo.thousandths, avg.whole,
                    avg.thousandths, hi.whole, hi.thousandths);
    }
    if (shell.held()) shell.release();
}

void cancel_ping(Shell& shell) { shell.kernel().net().pinger().stop(); }

}  // namespace

void command_net(Shell& shell, const Arguments& args) {
    if (args.count() == 2 && args[1] == "link") {
        command_net_link(shell, args);
        return;
    }
    if (args.count() != 1) {
        shell.error("usage: net [link]");
        return;
    }
    print_net(shell);
}

void command_ping(Shell& shell, const Arguments& args) {
    if (args.count() < 2 || args.count() > 3) {
        shell.error("usage: ping HOST [COUNT]");
        return;
    }
    NetStack& net = shell.kernel().net();
    if (!net.device()) {
        shell.error("no network device");
        return;
    }
    Ipv4Address host;
    if (!parse_ipv4(args[1], host)) {
        shell.error("bad host '{}': give an IPv4 address like 10.0.2.2", args[1]);
        return;
    }
    u64 count = 4;
    if (args.count() == 3) {
        auto n = args.number(2);
        if (n.is_error() || n.value() == 0 || n.value() > Pinger::kMaxCount) {
            shell.error("bad count '{}': 1 to {}", args[2], Pinger::kMaxCount);
            return;
        }
        count = n.value();
    }
    if (!net.config().configured()) {
        shell.error("no address yet (dhcp {})", dhcp_state_name(net.dhcp().state()));
        return;
    }
    PingEvents events;
    events.reply = on_reply;
    events.timeout = on_timeout;
    events.done = on_done;
    events.context = &shell;
    shell.print("PING {}: {} data bytes\n", ip_text(host), Pinger::kPayload);
    if (auto r = net.pinger().start(host, u32(count), events); r.is_error()) {
        if (r.error() == Error::NotFound) shell.error("no route to {}", ip_text(host));
        else shell.error("ping: {}", r.error());
        return;
    }
    shell.hold(cancel_ping);
}

}  // namespace mote
