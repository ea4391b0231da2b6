#include "net/net_stack.hpp"

#include "core/log.hpp"

namespace mote {

const char* config_source_name(ConfigSource s) {
    switch (s) {
    case ConfigSource::None: return "none";
    case ConfigSource::Static: return "static";
    case ConfigSource::Dhcp: return "dhcp";
    }
    return "?";
}

NetStack::NetStack(Loop& loop)
    : m_loop(loop),
      m_tick(on_tick, this),
      m_buffers_free(on_buffers, this),
      m_ethernet(*this),
      m_arp(*this),
      m_ipv4(*this),
      m_loopback(*this),
      m_icmp(*this),
      m_udp(*this),
      m_tcp(*this),
      m_dhcp(*this) {
    m_tx_pool.init(Span<PacketBuffer>(m_tx_storage, kTxBuffers), "net-tx");
    // A send that found the pool empty waits; the first release wakes it,
    // on the next loop turn rather than inside whoever released.
    m_tx_pool.set_available_hook([](PacketPool&, void* self) { static_cast<NetStack*>(self)->m_loop.defer(static_cast<NetStack*>(self)->m_buffers_free); },
                                 this);
}

NetStack::~NetStack() {
    m_loop.cancel(m_tick);
    m_loop.cancel(m_buffers_free);
    m_tx_pool.set_available_hook(nullptr, nullptr);
    if (m_device) m_device->set_receiver(nullptr);
    m_ethernet.drop_backlog();
    m_arp.cache().clear();
}

Result<void> NetStack::attach(NetDevice& device) {
    if (m_device) return Error::Busy;
    m_device = &device;
    device.set_receiver(this);
    m_loop.arm_after(m_tick, kTickPeriod, kTickPeriod);
    log_debug("net", "{}: {} mac {} mtu {}", device.name(), device.model(), mac_text(device.mac()), device.mtu());
    return {};
}

void NetStack::start(const NetBootOptions& options) {
    if (!m_device || m_started) return;
    m_started = true;
    m_tcp.seed_from(kernel_csprng());

    bool use_static = !options.ip.empty() && !(options.ip == "dhcp");
    if (use_static) {
        Ipv4Config config;
        u8 prefix = 24;
        config.source = ConfigSource::Static;
        if (!parse_ipv4_prefix(options.ip, config.address, prefix) || config.address.is_zero()) {
            log_warn("net", "mote.ip={}: not an address (use A.B.C.D[/N] or dhcp); using DHCP", options.ip);
            use_static = false;
        } else {
            config.netmask = netmask_from_prefix(prefix);
            if (!options.gw.empty() && !parse_ipv4(options.gw, config.gateway))
                log_warn("net", "mote.gw={}: not an address; no default gateway", options.gw);
            configure(config);
        }
    }
    if (!use_static) {
        if (auto r = m_dhcp.start(); r.is_error()) log_warn("net", "dhcp: cannot start: {}", r.error());
    }

}

void NetStack::stop() {
    m_dhcp.stop();
    m_started = false;
}

void NetStack::configure(const Ipv4Config& config) {
    bool changed = !(config.address == m_config.address);
    m_config = config;
    if (changed) m_arp.cache().clear();
    log_info("net", "address {}/{} gateway {} ({})", ip_text(config.address), prefix_from_netmask(config.netmask),
             ip_text(config.gateway), config_source_name(config.source));
    // RFC 5227 3 / RFC 826: announce the binding so neighbours with a stale
    // entry for this address update it.
    m_arp.announce();
}

void NetStack::unconfigure() {
    m_config = Ipv4Config {};
    m_arp.cache().clear();
}

void NetStack::on_frames(NetDevice& device, PacketList& frames) {
    (void)device;
    // The whole batch in one go: every frame of this interrupt is parsed and
    // answered (or queued for its socket) before the loop moves on, and TCP
    // acknowledges what the batch brought once at its end.
    m_tcp.tcp().begin_batch();
    while (PacketBuffer* frame = frames.pop_front()) m_ethernet.receive(*frame);
    m_tcp.tcp().end_batch();
}

void NetStack::on_transmit_ready(NetDevice& device) {
    (void)device;
    m_ethernet.flush();
}

void NetStack::on_link_change(NetDevice& device) {
    log_info("net", "{}: link {}", device.name(), device.link_up() ? "up" : "down");
    if (!device.link_up()) m_ethernet.drop_backlog();
    else m_arp.announce();
}

void NetStack::on_tick(Timer& timer) {
    auto& self = *static_cast<NetStack*>(timer.context());
    self.m_arp.tick(self.now());
}

void NetStack::on_buffers(Deferred& call) {
    auto& self = *static_cast<NetStack*>(call.context());
    self.m_udp.buffers_available();
    self.m_tcp.buffers_available();
}

}  // namespace mote
