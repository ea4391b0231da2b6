#include "net/net_report.hpp"

#include "base/format.hpp"
#include "net/net_stack.hpp"

namespace mote {

namespace {

// One line at a time to the sink; print() takes a format whose text ends in
// a newline.
struct Report {
    NetReportSink sink;
    void* context;
    void line(StringView text) { sink(text, context); }
    template <typename... Args>
    void print(StringView fmt, const Args&... args) {
        FixedString<200> text;
        text.appendf(fmt, args...);
        StringView v = text.view();
        if (!v.empty() && v[v.length() - 1] == '\n') v = v.substr(0, v.length() - 1);
        sink(v, context);
    }
};

// Prints `name value` pairs, wrapping lines at ~76 columns.
class CounterPrinter {
public:
    CounterPrinter(Report& report, StringView title) : m_report(report) {
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
        m_report.line(m_line.view());
        m_line.clear();
    }

private:
    Report& m_report;
    FixedString<160> m_line;
    usize m_indent = 0;
};

template <typename Counters>
void print_counters(Report& out, StringView title, const Counters& counters) {
    CounterPrinter printer(out, title);
    counters.for_each(printer);
}

void print_lease(Report& out, NetStack& net) {
    const DhcpClient& dhcp = net.dhcp();
    if (dhcp.state() == DhcpState::Stopped) return;
    if (!dhcp.bound()) {
        out.print("  dhcp: {} (xid {:#010x})\n", dhcp_state_name(dhcp.state()), dhcp.xid());
        return;
    }
    const DhcpLease& l = dhcp.lease();
    Nanoseconds now = net.now();
    auto left = [&](Nanoseconds t) { return t > now ? (t - now) / kSecond : 0; };
    out.print("  dhcp: {} from {}, renew in {} s, rebind in {} s, expires in {} s\n", dhcp_state_name(dhcp.state()),
                ip_text(l.server), left(l.t1), left(l.t2), left(l.expires));
}

void print_arp(Report& out, NetStack& net) {
    Nanoseconds now = net.now();
    usize shown = 0;
    for (const ArpEntry& e : net.arp().cache().entries()) {
        if (e.state == ArpState::Free) continue;
        if (shown++ == 0) out.print("  arp cache:\n");
        if (e.state == ArpState::Reachable)
            out.print("    {:<15} {}  reachable, {} s left\n", ip_text(e.ip), mac_text(e.mac),
                        e.deadline > now ? (e.deadline - now) / kSecond : 0);
        else
            out.print("    {:<15} (incomplete)       {} request(s), {} packet(s) waiting\n", ip_text(e.ip),
                        e.requests, e.waiting.size());
    }
    if (!shown) out.print("  arp cache: empty\n");
}

}  // namespace

Result<void> write_net_report(NetStack& net, NetReportSink sink, void* context) {
    Report out {sink, context};
    NetDevice* device = net.device();
    if (!device) return Error::NotFound;
    out.print("{}: {} mac {} mtu {} link {}\n", device->name(), device->model(), mac_text(device->mac()),
                device->mtu(), device->link_up() ? "up" : "down");
    const Ipv4Config& c = net.config();
    if (c.configured()) {
        u8 prefix = prefix_from_netmask(c.netmask);
        out.print("  address {}/{} ({})\n", ip_text(c.address), prefix, config_source_name(c.source));
        Ipv4Address subnet {c.address.value & c.netmask.value};
        out.print("  route {}/{} on-link\n", ip_text(subnet), prefix);
        if (!c.gateway.is_zero()) out.print("  route default via {}\n", ip_text(c.gateway));
        else out.print("  no default route\n");
    } else {
        out.print("  no address\n");
    }
    print_lease(out, net);
    print_arp(out, net);

    const NetDeviceStats& d = device->stats();
    out.print("  device: rx {} frames {} bytes, tx {} frames {} bytes\n", d.rx_frames, d.rx_bytes, d.tx_frames,
                d.tx_bytes);
    out.print("  device drops: rx_no_buffer {} rx_bad_length {} rx_no_receiver {} rx_link_down {}\n",
                d.rx_no_buffer, d.rx_bad_length, d.rx_no_receiver, d.rx_link_down);
    out.print("                tx_busy {} tx_rejected {} tx_errors {}\n", d.tx_busy, d.tx_rejected, d.tx_errors);
    PacketPoolStats p = net.tx_pool().stats();
    out.print("  pool {}: {} of {} free, low water {}, exhausted {}\n", net.tx_pool().name(), p.free, p.total,
                p.low_water, p.exhausted);
    print_counters(out, "ethernet", net.ethernet().counters);
    print_counters(out, "arp", net.arp().counters);
    print_counters(out, "ipv4", net.ipv4().counters);
    print_counters(out, "icmp", net.icmp().counters);
    print_counters(out, "udp", net.udp().counters);
    print_counters(out, "dhcp", net.dhcp().counters);
    Tcp& tcp = net.tcp().tcp();
    out.print("  tcp: {} connections, {} in TIME_WAIT{}\n", tcp.connection_count(), tcp.time_wait_count(),
                net.tcp().keyed() ? "" : " (ISN key not yet from the CSPRNG)");
    tcp.for_each_listener([&](TcpListener& l) {
        out.print("    listen :{} pending {} half-open {} backlog {}\n", l.port(), l.pending(), l.half_open(),
                    l.backlog());
    });
    tcp.for_each_connection([&](TcpConnection& c) {
        const TcpTuple& t = c.tuple();
        TcpConnectionStats st = c.stats();
        out.print("    {}:{} - {}:{} {} in {} out {} retransmits {} (fast {}, timeouts {}) srtt {}us rto {}ms "
                    "cwnd {}\n",
                    ip_text(t.local), t.local_port, ip_text(t.remote), t.remote_port, tcp_state_name(c.state()),
                    st.bytes_in, st.bytes_out, st.retransmits, st.fast_retransmits, st.timeouts, st.srtt_us,
                    st.rto_ms, st.cwnd);
    });
    print_counters(out, "tcp", tcp.counters);
    return {};
}


}  // namespace mote
