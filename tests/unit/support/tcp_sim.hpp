// Two (or more) TCP layers over a simulated link, on simulated time.
//
// Each TcpHost is one Tcp with its address; TcpSim carries every segment
// it sends (encoded with write_tcp_segment and decoded again by the
// receiver, so checksums and options are exercised) through a link that
// drops, duplicates, reorders and delays with a seeded RNG. run_until()
// advances the clock to the next delivery or timer, so a test covering
// minutes of protocol time runs in milliseconds.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "net/tcp/tcp.hpp"

namespace mote::test {

struct LinkFaults {
    double loss = 0;       // probability a segment vanishes
    double duplicate = 0;  // ... is delivered twice
    double reorder = 0;    // ... is held back by up to reorder_by
    Nanoseconds delay = 500 * kMicrosecond;  // one way
    Nanoseconds reorder_by = 3 * kMillisecond;
};

class TcpSim;

// Connections from the heap with rings of the configured sizes.
class HeapConnections final : public TcpConnectionSource {
public:
    usize send_size = 64 * 1024;
    usize receive_size = 64 * 1024;
    usize limit = 1000;  // allocate_connection returns nullptr past this
    usize live = 0;
    usize released = 0;

    TcpConnection* allocate_connection(Tcp& tcp, const TcpOptionsConfig& config) override {
        if (live >= limit) return nullptr;
        auto* block = new Block {std::vector<u8>(send_size), std::vector<u8>(receive_size), nullptr};
        block->connection = new TcpConnection(tcp, Bytes(block->send.data(), block->send.size()),
                                              Bytes(block->receive.data(), block->receive.size()), config);
        m_blocks.push_back(std::unique_ptr<Block>(block));
        ++live;
        return block->connection;
    }
    void release_connection(TcpConnection& connection) override {
        for (auto it = m_blocks.begin(); it != m_blocks.end(); ++it) {
            if ((*it)->connection == &connection) {
                delete (*it)->connection;
                m_blocks.erase(it);
                --live;
                ++released;
                return;
            }
        }
        ADD_FAILURE() << "released a connection this source did not make";
    }
    bool owns(const TcpConnection* connection) const {
        for (auto& b : m_blocks)
            if (b->connection == connection) return true;
        return false;
    }

private:
    struct Block {
        std::vector<u8> send;
        std::vector<u8> receive;
        TcpConnection* connection;
    };
    std::vector<std::unique_ptr<Block>> m_blocks;
};

class TcpHost final : public TcpLink {
public:
    TcpHost(TcpSim& sim, Ipv4Address address, u8 secret_byte);

    Nanoseconds now() override;
    Result<void> send_segment(const TcpTuple& tuple, const TcpSegment& segment) override;

    Ipv4Address address;
    HeapConnections connections;
    std::unique_ptr<Tcp> tcp;
    bool out_of_buffers = false;  // send_segment fails with NoMemory
    std::vector<TcpSegment> sent;  // decoded copies of what went out (payload not kept)

private:
    TcpSim& m_sim;
};

class TcpSim {
public:
    explicit TcpSim(u32 seed = 1) : m_rng(seed) {}

    TcpHost& add_host(Ipv4Address address) {
        hosts.push_back(std::make_unique<TcpHost>(*this, address, u8(hosts.size() + 1)));
        return *hosts.back();
    }

    Nanoseconds now = kSecond;  // not zero: a zero clock hides timestamp bugs
    LinkFaults faults;
    std::vector<std::unique_ptr<TcpHost>> hosts;
    u64 delivered = 0;
    u64 dropped = 0;
    // Called for each segment before the link's faults; return false to
    // drop it (a test's own surgical loss).
    std::function<bool(const TcpTuple&, const TcpSegment&)> filter;

    void carry(const TcpTuple& tuple, std::vector<u8> bytes) {
        std::uniform_real_distribution<double> coin(0, 1);
        if (faults.loss > 0 && coin(m_rng) < faults.loss) {
            ++dropped;
            return;
        }
        Nanoseconds at = now + faults.delay;
        if (faults.reorder > 0 && coin(m_rng) < faults.reorder)
            at += std::uniform_int_distribution<Nanoseconds>(1, faults.reorder_by)(m_rng);
        const bool twice = faults.duplicate > 0 && coin(m_rng) < faults.duplicate;
        m_flights.push_back({at, m_order++, tuple.local, tuple.remote, bytes});
        if (twice) m_flights.push_back({at + 100 * kMicrosecond, m_order++, tuple.local, tuple.remote, bytes});
    }

    // Runs deliveries and timers in time order until `done` or `limit`
    // passes (simulated time). Returns whether `done` became true.
    bool run_until(const std::function<bool()>& done, Nanoseconds limit = 600 * kSecond) {
        const Nanoseconds end = now + limit;
        while (!done()) {
            Nanoseconds next = kNoDeadline;
            for (auto& h : hosts) next = std::min(next, h->tcp->next_deadline());
            auto flight = std::min_element(m_flights.begin(), m_flights.end(), [](auto& a, auto& b) {
                return a.at != b.at ? a.at < b.at : a.order < b.order;
            });
            const bool packet_first = flight != m_flights.end() && flight->at <= next;
            if (packet_first) next = flight->at;
            // Nothing scheduled: time still passes (a test may be polling
            // a reader or writer from `done`).
            if (next == kNoDeadline) next = now + kMillisecond;
            if (next > end) return done();
            if (next > now) now = next;
            if (packet_first) {
                Flight f = std::move(*flight);
                m_flights.erase(flight);
                for (auto& h : hosts) {
                    if (h->address == f.to) {
                        ++delivered;
                        h->tcp->receive(ReadonlyBytes(f.bytes.data(), f.bytes.size()), f.from, f.to);
                    }
                }
            } else {
                for (auto& h : hosts)
                    if (h->tcp->next_deadline() <= now) h->tcp->on_timer();
            }
        }
        return true;
    }
    void run_for(Nanoseconds span) {
        const Nanoseconds end = now + span;
        run_until([&] { return now >= end; }, span);
        if (now < end) now = end;
    }
    usize in_flight() const { return m_flights.size(); }

private:
    struct Flight {
        Nanoseconds at;
        u64 order;
        Ipv4Address from;
        Ipv4Address to;
        std::vector<u8> bytes;
    };
    std::mt19937 m_rng;
    std::vector<Flight> m_flights;
    u64 m_order = 0;
};

inline TcpHost::TcpHost(TcpSim& sim, Ipv4Address a, u8 secret_byte) : address(a), m_sim(sim) {
    u8 secret[Tcp::kSecretSize];
    for (usize i = 0; i < sizeof secret; ++i) secret[i] = u8(secret_byte * 31 + i);
    tcp = std::make_unique<Tcp>(*this, connections, ReadonlyBytes(secret, sizeof secret));
}

inline Nanoseconds TcpHost::now() { return m_sim.now; }

inline Result<void> TcpHost::send_segment(const TcpTuple& tuple, const TcpSegment& segment) {
    if (out_of_buffers) return Error::NoMemory;
    std::vector<u8> bytes(TcpSegment::kMaxHeaderSize + segment.payload_length());
    auto written = write_tcp_segment(Bytes(bytes.data(), bytes.size()), segment, tuple.local, tuple.remote);
    EXPECT_FALSE(written.is_error());
    if (written.is_error()) return written.error();
    bytes.resize(written.value());
    TcpFault fault;
    auto decoded = parse_tcp_segment(ReadonlyBytes(bytes.data(), bytes.size()), tuple.local, tuple.remote, true, &fault);
    EXPECT_FALSE(decoded.is_error()) << tcp_fault_name(fault);
    if (!decoded.is_error()) {
        TcpSegment copy = decoded.value();
        copy.payload = ReadonlyBytes(nullptr, segment.payload_length());  // the length, not the bytes
        sent.push_back(copy);
        if (m_sim.filter && !m_sim.filter(tuple, copy)) return {};
    }
    m_sim.carry(tuple, std::move(bytes));
    return {};
}

// A TcpUser that counts its wake-ups.
struct CountingUser final : TcpUser {
    usize changes = 0;
    void tcp_changed(TcpConnection&) override { ++changes; }
};

struct CountingListenerUser final : TcpListenerUser {
    usize ready = 0;
    void tcp_accept_ready(TcpListener&) override { ++ready; }
};

}  // namespace mote::test
