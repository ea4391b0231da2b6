// NetStack: one IPv4 interface on one NetDevice, and everything above it.
//
//   NetDevice ──on_frames──▶ Ethernet ─▶ ARP
//                                     └▶ IPv4 ─▶ ICMP (echo reply, ping)
//                                              ├▶ UDP ─▶ UdpSocket ─▶ DHCP client, echo service, ...
//                                              └▶ TCP (TcpOverIpv4 ─▶ net/tcp/) ─▶ sockets
//   IPv4 ─▶ Loopback (to 127.0.0.0/8 or ourselves) ─▶ IPv4, on a later turn
//
// The kernel owns one NetStack; a Machine attaches its network device with
// attach() while registering devices, and the kernel calls start() with the
// command-line settings once devices are up. Everything runs in loop
// context: received batches arrive through on_frames(), timers (ARP retries
// and expiry, DHCP) fire from the loop.
//
// Buffers: received frames are the driver's buffers, handed up without a
// copy and released (back to the driver's pool) by whichever layer finishes
// with them; an echo request is answered in its own buffer. Frames the stack
// originates come from its own TX pool (kTxBuffers). Every queue that holds
// buffers (the Ethernet TX backlog, ARP waiting lists, socket receive
// queues) has a bound; exhausting a pool or a queue is a counted drop.
#pragma once

#include "core/deferred.hpp"
#include "core/loop.hpp"
#include "dev/net_device.hpp"
#include "net/arp.hpp"
#include "net/dhcp_client.hpp"
#include "net/ethernet.hpp"
#include "net/icmp.hpp"
#include "net/ipv4.hpp"
#include "net/loopback.hpp"
#include "net/tcp_over_ipv4.hpp"
#include "net/udp.hpp"

namespace mote {

enum class ConfigSource : u8 { None, Static, Dhcp };
const char* config_source_name(ConfigSource);

struct Ipv4Config {
    Ipv4Address address;
    Ipv4Address netmask;
    Ipv4Address gateway;
    ConfigSource source = ConfigSource::None;

    bool configured() const { return !address.is_zero(); }
};

// The kernel command line's network settings, unparsed:
//   mote.ip=A.B.C.D[/N]  static address (default /24); absent or "dhcp": DHCP
//   mote.gw=A.B.C.D      default gateway for a static address
// (The UDP echo service is a program, udpecho, that init starts.)
struct NetBootOptions {
    StringView ip;
    StringView gw;
};

class NetStack final : public NetReceiver {
public:
    static constexpr usize kTxBuffers = 48;
    static constexpr Nanoseconds kTickPeriod = kSecond;

    explicit NetStack(Loop& loop);
    ~NetStack();
    NetStack(const NetStack&) = delete;
    NetStack& operator=(const NetStack&) = delete;

    // Becomes `device`'s receiver. Busy if a device is attached already
    // (one interface per stack).
    Result<void> attach(NetDevice& device);
    NetDevice* device() const { return m_device; }

    // Configures from the command line (static address, or DHCP) and starts
    // the echo service. Does nothing without a device. Errors in the
    // settings are logged and leave the stack on DHCP.
    void start(const NetBootOptions& options);
    // Cancels the services' requests and stops DHCP. After stop() and a few
    // loop turns the stack can be destroyed.
    void stop();

    // Takes an address (static or from DHCP): clears the ARP cache and
    // announces the address with a gratuitous ARP.
    void configure(const Ipv4Config& config);
    void unconfigure();
    const Ipv4Config& config() const { return m_config; }

    // Checksum verification on receive (on by default; the fuzzer turns it
    // off so mutated frames reach the deeper layers). Sending always
    // computes checksums.
    bool verify_checksums() const { return m_verify_checksums; }
    void set_verify_checksums(bool on) { m_verify_checksums = on; }

    Loop& loop() { return m_loop; }
    Nanoseconds now() { return m_loop.now(); }
    PacketPool& tx_pool() { return m_tx_pool; }

    Ethernet& ethernet() { return m_ethernet; }
    Arp& arp() { return m_arp; }
    Ipv4& ipv4() { return m_ipv4; }
    Loopback& loopback() { return m_loopback; }
    Icmp& icmp() { return m_icmp; }
    Udp& udp() { return m_udp; }
    TcpOverIpv4& tcp() { return m_tcp; }
    DhcpClient& dhcp() { return m_dhcp; }

    // NetReceiver
    void on_frames(NetDevice& device, PacketList& frames) override;
    void on_transmit_ready(NetDevice& device) override;
    void on_link_change(NetDevice& device) override;

private:
    static void on_tick(Timer& timer);
    static void on_buffers(Deferred& call);

    Loop& m_loop;
    NetDevice* m_device = nullptr;
    Ipv4Config m_config;
    bool m_verify_checksums = true;
    bool m_started = false;
    // Storage before the pool and the pool before every layer: members are
    // destroyed in reverse, so layers release their buffers first.
    PacketBuffer m_tx_storage[kTxBuffers];
    PacketPool m_tx_pool;
    Timer m_tick;
    Deferred m_buffers_free;
    Ethernet m_ethernet;
    Arp m_arp;
    Ipv4 m_ipv4;
    Loopback m_loopback;
    Icmp m_icmp;
    Udp m_udp;
    TcpOverIpv4 m_tcp;
    DhcpClient m_dhcp;
};

}  // namespace mote
