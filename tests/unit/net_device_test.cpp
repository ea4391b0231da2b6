// Packet buffers, pools and the NetDevice contract (validation, counters,
// batch hand-over), with the fake device of support/fake_net_device.hpp.
#include <gtest/gtest.h>

#include "support/fake_net_device.hpp"

using namespace mote;
using mote::test::FakeNetDevice;

TEST(NetPacketBuffer, PushPullPutTrim) {
    PacketBuffer storage[2];
    PacketPool pool;
    pool.init(Span<PacketBuffer>(storage, 2), "t");
    PacketBuffer* b = pool.allocate();
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->headroom(), PacketBuffer::kHeadroom);
    EXPECT_EQ(b->length(), 0u);
    ASSERT_TRUE(b->append(ReadonlyBytes(reinterpret_cast<const u8*>("payload"), 7)).ok());
    Bytes h = b->push(4).value();
    h[0] = 'H';
    EXPECT_EQ(b->length(), 11u);
    EXPECT_EQ(b->data()[0], 'H');
    EXPECT_EQ(b->data()[4], 'p');
    EXPECT_TRUE(b->pull(4).ok());
    EXPECT_EQ(b->data()[0], 'p');
    EXPECT_EQ(b->pull(8).error(), Error::OutOfRange);
    EXPECT_EQ(b->length(), 7u);
    EXPECT_TRUE(b->trim(3).ok());
    EXPECT_EQ(b->length(), 3u);
    EXPECT_EQ(b->trim(4).error(), Error::OutOfRange);
    EXPECT_EQ(b->push(PacketBuffer::kSize).error(), Error::Overflow);
    EXPECT_EQ(b->put(PacketBuffer::kSize).error(), Error::Overflow);
    EXPECT_EQ(b->tail_space().size(), b->tailroom());
    b->release();
}

TEST(NetPacketBuffer, PoolExhaustionIsCounted) {
    PacketBuffer storage[3];
    PacketPool pool;
    pool.init(Span<PacketBuffer>(storage, 3), "t");
    int hooks = 0;
    pool.set_available_hook([](PacketPool&, void* c) { ++*static_cast<int*>(c); }, &hooks);
    PacketBuffer* a = pool.allocate();
    PacketBuffer* b = pool.allocate();
    PacketBuffer* c = pool.allocate();
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(pool.allocate(), nullptr);
    EXPECT_EQ(pool.allocate(), nullptr);
    auto s = pool.stats();
    EXPECT_EQ(s.total, 3u);
    EXPECT_EQ(s.free, 0u);
    EXPECT_EQ(s.low_water, 0u);
    EXPECT_EQ(s.exhausted, 2u);
    EXPECT_EQ(s.allocations, 3u);
    a->release();
    EXPECT_EQ(hooks, 1);
    b->release();
    c->release();
    EXPECT_EQ(hooks, 1);  // only the empty -> non-empty edge
    EXPECT_EQ(pool.free_count(), 3u);
}

TEST(NetPacketBufferDeathTest, DoubleReleaseIsVerified) {
    PacketBuffer storage[1];
    PacketPool pool;
    pool.init(Span<PacketBuffer>(storage, 1), "t");
    PacketBuffer* b = pool.allocate();
    b->release();
    EXPECT_DEATH(b->release(), "released twice");
}

namespace {
struct Sink final : NetReceiver {
    void on_frames(NetDevice&, PacketList& frames) override {
        ++batches;
        while (PacketBuffer* b = frames.pop_front()) {
            lengths.push_back(b->length());
            b->release();
        }
    }
    void on_transmit_ready(NetDevice&) override { ++ready; }
    int batches = 0;
    int ready = 0;
    std::vector<usize> lengths;
};

PacketBuffer* frame_of(PacketPool& pool, usize length) {
    PacketBuffer* b = pool.allocate();
    EXPECT_TRUE(b->put(length).ok());
    return b;
}
}  // namespace

TEST(NetDevice, BatchDeliveryAndCounters) {
    FakeNetDevice dev;
    // No receiver: frames are freed and counted.
    EXPECT_TRUE(dev.receive(std::vector<u8>(60, 0)));
    EXPECT_EQ(dev.stats().rx_no_receiver, 1u);
    EXPECT_EQ(dev.rx_pool.free_count(), FakeNetDevice::kRxBuffers);
    Sink sink;
    dev.set_receiver(&sink);
    EXPECT_TRUE(dev.receive_batch({std::vector<u8>(60), std::vector<u8>(100), std::vector<u8>(1514)}));
    EXPECT_EQ(sink.batches, 1);
    EXPECT_EQ(sink.lengths, (std::vector<usize> {60, 100, 1514}));
    EXPECT_EQ(dev.stats().rx_frames, 3u);
    EXPECT_EQ(dev.stats().rx_bytes, 1674u);
    dev.set_link_state(false);
    EXPECT_TRUE(dev.receive(std::vector<u8>(60)));
    EXPECT_EQ(dev.stats().rx_link_down, 1u);
    dev.set_receiver(nullptr);
}

TEST(NetDevice, TransmitValidatesThenHandsOver) {
    FakeNetDevice dev;
    Sink sink;
    dev.set_receiver(&sink);
    PacketBuffer storage[4];
    PacketPool pool;
    pool.init(Span<PacketBuffer>(storage, 4), "tx");

    PacketBuffer* tiny = frame_of(pool, 10);
    EXPECT_EQ(dev.transmit(*tiny).error(), Error::InvalidArgument);
    PacketBuffer* huge = frame_of(pool, 1515);
    EXPECT_EQ(dev.transmit(*huge).error(), Error::InvalidArgument);
    EXPECT_EQ(dev.stats().tx_rejected, 2u);
    tiny->release();
    huge->release();

    PacketBuffer* ok = frame_of(pool, 1514);
    EXPECT_TRUE(dev.transmit(*ok).ok());  // the device released it
    EXPECT_EQ(pool.free_count(), 4u);
    EXPECT_EQ(dev.stats().tx_frames, 1u);
    EXPECT_EQ(dev.stats().tx_bytes, 1514u);

    dev.busy = true;
    PacketBuffer* b = frame_of(pool, 60);
    EXPECT_EQ(dev.transmit(*b).error(), Error::Busy);
    EXPECT_EQ(dev.stats().tx_busy, 1u);
    EXPECT_TRUE(b->in_use());  // still ours
    dev.make_ready();
    EXPECT_EQ(sink.ready, 1);
    EXPECT_TRUE(dev.transmit(*b).ok());
    dev.set_receiver(nullptr);
}
