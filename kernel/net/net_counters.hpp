// Per-protocol counters: what came in, what went out, and every drop by its
// reason. Each list below is the single place a counter is named; the
// struct's fields and the names the `net` command prints both come from it.
#pragma once

#include "base/types.hpp"

#define MOTE_ETHERNET_COUNTERS(X)                                                                  \
    X(received) X(sent) X(truncated) X(not_for_us) X(unknown_type) X(tx_deferred) X(tx_failed) \
        X(tx_link_down)

#define MOTE_ARP_COUNTERS(X)                                                                           \
    X(received) X(sent) X(requests_answered) X(replies_learned) X(gratuitous_sent) X(truncated)        \
        X(bad_hardware) X(bad_protocol) X(bad_sizes) X(bad_operation) X(bad_sender) X(not_for_us)      \
        X(queued) X(queue_full) X(unresolved_dropped) X(cache_evictions) X(refreshes) X(no_buffer)

#define MOTE_IPV4_COUNTERS(X)                                                                            \
    X(received) X(delivered) X(sent) X(truncated) X(bad_version) X(bad_header_length)                    \
        X(bad_total_length) X(bad_checksum) X(ttl_expired) X(bad_source) X(fragments_dropped)            \
        X(not_for_us) X(unknown_protocol) X(no_route) X(unconfigured) X(looped) X(loopback_full)

#define MOTE_ICMP_COUNTERS(X)                                                                        \
    X(received) X(sent) X(truncated) X(bad_checksum) X(echo_requests) X(echo_replies_sent)           \
        X(echo_replies_received) X(echo_requests_sent) X(echo_replies_unmatched) X(echo_queue_full)  \
        X(unreachable_sent) X(unreachable_rate_limited) X(unreachable_received) X(ignored_type)      \
        X(broadcast_echo_ignored) X(no_buffer)

#define MOTE_UDP_COUNTERS(X)                                                                           \
    X(received) X(delivered) X(sent) X(truncated) X(bad_length) X(bad_checksum) X(no_socket)           \
        X(socket_queue_full) X(no_buffer) X(send_failed)

#define MOTE_TCP_COUNTERS(X)                                                                          \
    X(received) X(sent) X(truncated) X(bad_data_offset) X(option_overrun) X(bad_option_length)        \
        X(bad_checksum) X(bad_address) X(no_socket) X(resets_sent) X(resets_received) X(syns_received) \
        X(syn_backlog_full) X(accept_queue_full) X(no_connection_memory) X(active_opens)             \
        X(passive_opens) X(established) X(connections_reset) X(connections_timed_out)                 \
        X(retransmits) X(fast_retransmits) X(tail_loss_probes) X(timeouts) X(out_of_order) X(out_of_order_full) X(challenge_acks)    \
        X(paws_rejected) X(time_wait_entered) X(time_wait_evicted) X(time_wait_reused)               \
        X(time_wait_rst_ignored) X(no_buffer) X(ports_exhausted) X(syn_cookies_sent) X(syn_cookies_accepted) \
        X(syn_cookies_rejected)

#define MOTE_DHCP_COUNTERS(X)                                                                        \
    X(discovers) X(offers) X(requests) X(acks) X(naks) X(renewals) X(rebinds) X(lease_expired)       \
        X(declines) X(truncated) X(bad_op) X(bad_xid) X(bad_magic) X(options_overrun) X(bad_option)  \
        X(missing_option) X(unexpected_type) X(send_failed)

#define MOTE_COUNTER_FIELD(name) u64 name = 0;
#define MOTE_COUNTER_VISIT(name) visit(#name, name);

#define MOTE_DEFINE_COUNTERS(Type, LIST)                    \
    struct Type {                                           \
        LIST(MOTE_COUNTER_FIELD)                            \
        /* Calls visit("name", value) for every counter. */ \
        template <typename Visit>                           \
        void for_each(Visit&& visit) const {                \
            LIST(MOTE_COUNTER_VISIT)                        \
        }                                                   \
    };

namespace mote {

MOTE_DEFINE_COUNTERS(EthernetCounters, MOTE_ETHERNET_COUNTERS)
MOTE_DEFINE_COUNTERS(ArpCounters, MOTE_ARP_COUNTERS)
MOTE_DEFINE_COUNTERS(Ipv4Counters, MOTE_IPV4_COUNTERS)
MOTE_DEFINE_COUNTERS(IcmpCounters, MOTE_ICMP_COUNTERS)
MOTE_DEFINE_COUNTERS(UdpCounters, MOTE_UDP_COUNTERS)
MOTE_DEFINE_COUNTERS(DhcpCounters, MOTE_DHCP_COUNTERS)
MOTE_DEFINE_COUNTERS(TcpCounters, MOTE_TCP_COUNTERS)

}  // namespace mote
