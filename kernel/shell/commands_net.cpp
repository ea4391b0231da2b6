// net            addresses, routes, lease, ARP cache, device, pools, counters
// ping HOST [COUNT]
//
// Both read the kernel's one NetStack. ping is asynchronous like blk read:
// it starts the Pinger and holds the shell; each reply prints a line, the
// summary releases the shell, and Ctrl-C stops it early (still with the
// summary).
#include "boot/kernel.hpp"
#include "net/net_report.hpp"
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

void print_line(StringView line, void* context) {
    auto* shell = static_cast<Shell*>(context);
    shell->write(line);
    shell->write("\n");
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
    if (write_net_report(shell.kernel().net(), print_line, &shell).is_error()) shell.error("no network device");
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
