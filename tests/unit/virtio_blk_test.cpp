// virtio-blk against a simulated device with a memory disk: attach reads
// the configuration and get-id, many requests in flight (more than the
// queue's descriptors, so some wait), data checked byte for byte on the
// "disk", the read-only flag, and a device that lies in its used ring:
// every pending request completes with Io, the device is reset and marked
// FAILED, and the loop keeps running.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "core/loop.hpp"
#include "dev/virtio/irq_lines.hpp"
#include "dev/virtio/virtio_blk.hpp"
#include "support/fake_host.hpp"
#include "support/sim_virtio.hpp"

using namespace mote;
using namespace mote::virtio;
using mote::test::FakeHost;
using mote::test::HostDma;
using mote::test::SimTransport;

namespace {

constexpr u64 kVersion1 = u64(1) << 32;
constexpr u64 kSegMax = u64(1) << 2;
constexpr u64 kReadOnly = u64(1) << 5;
constexpr u64 kFlush = u64(1) << 9;
constexpr u64 kUnknownFeature = u64(1) << 14;  // WRITE_ZEROES: we do not implement it

struct alignas(4096) Page {
    u8 bytes[4096];
};

struct Io : BlockRequest {
    int completions = 0;
    Io() : BlockRequest([](Request& r) { ++static_cast<Io&>(r).completions; }) {}
};

// The device side of a virtio-blk with a memory disk.
struct SimDisk {
    explicit SimDisk(SimTransport& t, usize sectors) : transport(t), bytes(sectors * 512) {}

    // Serves everything published so far; out of order if `reverse`.
    usize serve(bool reverse = false) {
        auto& q = transport.queues[0];
        auto heads = q.take_available();
        if (reverse) std::reverse(heads.begin(), heads.end());
        for (u16 head : heads) {
            auto chain = q.chain(head);
            u32 type, reserved;
            u64 sector;
            std::memcpy(&type, reinterpret_cast<void*>(chain[0].addr), 4);
            std::memcpy(&reserved, reinterpret_cast<void*>(chain[0].addr + 4), 4);
            std::memcpy(&sector, reinterpret_cast<void*>(chain[0].addr + 8), 8);
            u8* status = reinterpret_cast<u8*>(chain.back().addr);
            u32 written = 1;
            u64 at = sector * 512;
            for (usize i = 1; i + 1 < chain.size(); ++i) {
                void* data = reinterpret_cast<void*>(chain[i].addr);
                segments_seen = std::max(segments_seen, chain.size() - 2);
                if (type == 0) {
                    std::memcpy(data, bytes.data() + at, chain[i].len);
                    written += chain[i].len;
                } else if (type == 1) {
                    std::memcpy(bytes.data() + at, data, chain[i].len);
                } else if (type == 8) {
                    std::memset(data, 0, chain[i].len);
                    std::memcpy(data, "sim-serial-7", 12);
                    written += chain[i].len;
                }
                at += chain[i].len;
            }
            if (type == 4) ++flushes;
            *status = 0;
            q.push_used(head, written);
        }
        if (!heads.empty()) transport.isr |= kIsrQueue;
        return heads.size();
    }

    SimTransport& transport;
    std::vector<u8> bytes;
    usize segments_seen = 0;
    int flushes = 0;
};

class VirtioBlkTest : public ::testing::Test {
protected:
    void attach(u64 extra_features = 0, u64 sectors = 2048) {
        transport = std::make_unique<SimTransport>(u32(DeviceId::Block), kVersion1 | kSegMax | kFlush |
                                                                               kUnknownFeature | extra_features);
        transport->set_config<u64>(0, sectors);
        transport->set_config<u32>(12, 126);  // seg_max
        disk = std::make_unique<SimDisk>(*transport, sectors);
        blk = std::make_unique<VirtioBlk>(*transport, dma, loop);
        ASSERT_TRUE(blk->attach().ok());
        blk->set_name("vda");
        loop.turn(false);  // the deferred doorbell for get-id
        disk->serve();
        interrupt();
    }
    void interrupt() {
        blk->on_interrupt();
        loop.turn(false);
    }
    // Serves and delivers until nothing is left.
    void pump(bool reverse = false) {
        for (int i = 0; i < 1000; ++i) {
            loop.turn(false);
            if (!disk->serve(reverse)) break;
            interrupt();
        }
    }

    FakeHost host;
    Loop loop {host};
    HostDma dma;
    std::unique_ptr<SimTransport> transport;
    std::unique_ptr<SimDisk> disk;
    std::unique_ptr<VirtioBlk> blk;
};

TEST_F(VirtioBlkTest, AttachNegotiatesOnlyWhatItImplementsAndReadsTheConfig) {
    attach();
    EXPECT_TRUE(transport->accepted & kVersion1);
    EXPECT_FALSE(transport->accepted & kUnknownFeature);
    EXPECT_TRUE(transport->status_value & kStatusDriverOk);
    EXPECT_TRUE(transport->status_value & kStatusFeaturesOk);
    EXPECT_EQ(blk->info().sectors, 2048u);
    EXPECT_EQ(blk->info().sector_size, 512u);
    EXPECT_FALSE(blk->info().read_only);
    EXPECT_EQ(std::string(blk->serial().data(), blk->serial().length()), "sim-serial-7");
}

TEST_F(VirtioBlkTest, RefusesADeviceWithoutVersion1OnAModernTransport) {
    transport = std::make_unique<SimTransport>(u32(DeviceId::Block), kSegMax);
    transport->set_config<u64>(0, 64);
    blk = std::make_unique<VirtioBlk>(*transport, dma, loop);
    EXPECT_EQ(blk->attach().error(), Error::Unsupported);
}

TEST_F(VirtioBlkTest, ADeviceThatNeverFinishesItsResetIsNotAttached) {
    transport = std::make_unique<SimTransport>(u32(DeviceId::Block), kVersion1 | kSegMax);
    transport->set_config<u64>(0, 64);
    transport->stuck_in_reset = true;
    blk = std::make_unique<VirtioBlk>(*transport, dma, loop);
    EXPECT_EQ(blk->attach().error(), Error::Timeout);
}

TEST_F(VirtioBlkTest, RefusesWhenTheDeviceClearsFeaturesOk) {
    transport = std::make_unique<SimTransport>(u32(DeviceId::Block), kVersion1);
    transport->refuse_features = true;
    blk = std::make_unique<VirtioBlk>(*transport, dma, loop);
    EXPECT_EQ(blk->attach().error(), Error::Unsupported);
}

TEST_F(VirtioBlkTest, HundredWritesInFlightThenReadBack) {
    attach();
    constexpr int kCount = 100;
    std::vector<Io> writes(kCount);
    std::vector<Page> buffers(kCount);
    for (int i = 0; i < kCount; ++i) {
        std::memset(buffers[i].bytes, 0x40 + i, 4096);
        writes[i].op = BlockOp::Write;
        writes[i].lba = u64(i) * 8;
        writes[i].sectors = 8;
        writes[i].buffer = Bytes(buffers[i].bytes, 4096);
        ASSERT_TRUE(blk->submit(writes[i]).ok());
    }
    // 3 descriptors each: 85 fit a 256-entry queue, the rest wait.
    EXPECT_EQ(blk->stats().in_flight, u64(kCount));
    pump(/*reverse=*/true);
    for (int i = 0; i < kCount; ++i) {
        ASSERT_EQ(writes[i].completions, 1) << i;
        ASSERT_TRUE(writes[i].ok()) << i;
        for (int b = 0; b < 4096; b += 511) ASSERT_EQ(disk->bytes[i * 4096 + b], u8(0x40 + i));
    }
    // One multi-sector read of 64 KiB across 16 writes.
    std::vector<Page> pages(16);
    u8* big = pages[0].bytes;
    Io read;
    read.op = BlockOp::Read;
    read.lba = 0;
    read.sectors = 128;
    read.buffer = Bytes(big, 65536);
    ASSERT_TRUE(blk->submit(read).ok());
    pump();
    ASSERT_EQ(read.completions, 1);
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(read.value(), 65536u);
    for (int i = 0; i < 16; ++i) EXPECT_EQ(big[i * 4096 + 7], u8(0x40 + i));
    EXPECT_EQ(blk->stats().writes, u64(kCount));
    EXPECT_EQ(blk->stats().sectors_read, 128u);
}

TEST_F(VirtioBlkTest, FlushReachesTheDevice) {
    attach();
    Io flush;
    flush.op = BlockOp::Flush;
    ASSERT_TRUE(blk->submit(flush).ok());
    pump();
    EXPECT_EQ(flush.completions, 1);
    EXPECT_TRUE(flush.ok());
    EXPECT_EQ(disk->flushes, 1);
}

TEST_F(VirtioBlkTest, ReadOnlyDiskRefusesWrites) {
    attach(kReadOnly);
    EXPECT_TRUE(blk->info().read_only);
    u8 buffer[512] {};
    Io write;
    write.op = BlockOp::Write;
    write.sectors = 1;
    write.buffer = Bytes(buffer, 512);
    EXPECT_EQ(blk->submit(write).error(), Error::ReadOnly);
    EXPECT_EQ(write.completions, 0);
}

TEST_F(VirtioBlkTest, MisbehavingDeviceIsDisabledAndPendingRequestsFail) {
    attach();
    int resets_before = transport->resets;
    std::vector<Io> reads(120);  // more than fit: some wait for descriptors
    std::vector<Page> buffers(reads.size());
    for (usize i = 0; i < reads.size(); ++i) {
        Io& r = reads[i];
        r.op = BlockOp::Read;
        r.sectors = 1;
        r.buffer = Bytes(buffers[i].bytes, 512);
        ASSERT_TRUE(blk->submit(r).ok());
    }
    loop.turn(false);
    transport->queues[0].take_available();
    // The device claims a used index far ahead of anything in flight.
    transport->queues[0].set_used_index(0x4242);
    transport->isr = kIsrQueue;
    interrupt();
    loop.turn(false);
    EXPECT_TRUE(blk->failed());
    EXPECT_GT(transport->resets, resets_before);
    EXPECT_EQ(transport->status_value, kStatusFailed);
    for (auto& r : reads) {
        ASSERT_EQ(r.completions, 1);
        EXPECT_EQ(r.error(), Error::Io);
    }
    EXPECT_EQ(blk->stats().in_flight, 0u);
    // Later requests are accepted and fail at once; the loop keeps going.
    Io late;
    late.op = BlockOp::Read;
    late.sectors = 1;
    late.buffer = Bytes(buffers[0].bytes, 512);
    ASSERT_TRUE(blk->submit(late).ok());
    loop.turn(false);
    EXPECT_EQ(late.completions, 1);
    EXPECT_EQ(late.error(), Error::Io);
}

TEST_F(VirtioBlkTest, DuplicateCompletionDisablesTheDevice) {
    attach();
    u8 buffer[512];
    Io a, b;
    for (Io* r : {&a, &b}) {
        r->op = BlockOp::Read;
        r->sectors = 1;
        r->buffer = Bytes(buffer, 512);
        ASSERT_TRUE(blk->submit(*r).ok());
    }
    loop.turn(false);
    auto heads = transport->queues[0].take_available();
    transport->queues[0].push_used(heads[0], 1);
    transport->queues[0].push_used(heads[0], 1);  // the same chain again
    transport->isr = kIsrQueue;
    interrupt();
    EXPECT_TRUE(blk->failed());
    EXPECT_EQ(a.completions + b.completions, 2);
}

TEST_F(VirtioBlkTest, CancelWithdrawsOnlyWaitingRequests) {
    attach();
    std::vector<Io> reads(100);
    u8 buffer[512];
    for (auto& r : reads) {
        r.op = BlockOp::Read;
        r.sectors = 1;
        r.buffer = Bytes(buffer, 512);
        ASSERT_TRUE(blk->submit(r).ok());
    }
    EXPECT_TRUE(reads.back().cancel());  // waiting: withdrawn
    EXPECT_TRUE(reads.front().cancel()); // with the device: completes normally
    pump();
    EXPECT_EQ(reads.back().error(), Error::Cancelled);
    EXPECT_TRUE(reads.front().ok());
    for (auto& r : reads) EXPECT_EQ(r.completions, 1);
}

TEST_F(VirtioBlkTest, RecheckAfterUnmaskCatchesACauseRaisedWhileMasked) {
    attach();
    u8 buffer[512];
    Io read;
    read.op = BlockOp::Read;
    read.sectors = 1;
    read.buffer = Bytes(buffer, 512);
    ASSERT_TRUE(blk->submit(read).ok());
    loop.turn(false);
    // Nothing pending: recheck says so and reads the cause (clearing it).
    EXPECT_FALSE(blk->recheck());
    // The device completes while the line is masked: its cause stays set
    // and no new interrupt would come. recheck() sees it and keeps it.
    disk->serve();
    EXPECT_TRUE(blk->recheck());
    EXPECT_EQ(transport->isr, 0u);  // read and cleared: the line can drop
    blk->on_interrupt();
    loop.turn(false);
    EXPECT_EQ(read.completions, 1);
    EXPECT_TRUE(read.ok());
    EXPECT_FALSE(blk->recheck());
}

// A controller that remembers what was asked of it, like an I/O APIC
// entry: enabled, masked, and how often it was unmasked.
struct RecordingController final : IrqController {
    StringView name() const override { return "recording"; }
    Result<void> enable(u32 source) override {
        enabled = source;
        masked = false;
        return {};
    }
    void mask(u32) override { masked = true; }
    void unmask(u32) override {
        masked = false;
        ++unmasks;
    }
    u32 claim() override { return kNone; }
    void complete(u32) override {}
    Result<u32> decode(const u32*, u32) const override { return Error::Unsupported; }
    u32 enabled = kNone;
    bool masked = true;
    int unmasks = 0;
};

TEST_F(VirtioBlkTest, IrqLinesServiceACauseRaisedBeforeTheLineWasEnabled) {
    attach();
    u8 buffer[512];
    Io read;
    read.op = BlockOp::Read;
    read.sectors = 1;
    read.buffer = Bytes(buffer, 512);
    ASSERT_TRUE(blk->submit(read).ok());
    loop.turn(false);
    // The device completes before its line is enabled: no interrupt will
    // ever say so (QEMU's I/O APIC drops an edge on a masked entry).
    disk->serve();
    RecordingController controller;
    IrqLines lines;
    lines.init(loop, controller);
    ASSERT_TRUE(lines.add(*blk, 7).ok());
    EXPECT_EQ(controller.enabled, 7u);
    EXPECT_EQ(blk->irq(), 7u);
    loop.turn(false);  // the post from add(): the line is serviced once
    loop.turn(false);
    EXPECT_EQ(read.completions, 1);
    EXPECT_TRUE(read.ok());
    EXPECT_GE(controller.unmasks, 1);
    EXPECT_EQ(transport->isr, 0u);
}

TEST_F(VirtioBlkTest, IrqLinesRejectWhatTheyCannotCarry) {
    attach();
    RecordingController controller;
    IrqLines lines;
    EXPECT_EQ(lines.add(*blk, 3).error(), Error::BadState);  // not initialised
    lines.init(loop, controller);
    EXPECT_EQ(lines.add(*blk, kMaxIrqSources).error(), Error::OutOfRange);
    for (usize i = 0; i < IrqLines::kMaxDevicesPerLine; ++i) EXPECT_TRUE(lines.add(*blk, 3).ok());
    EXPECT_EQ(lines.add(*blk, 3).error(), Error::NoMemory);
    EXPECT_EQ(lines.line_count(), 1u);
}

}  // namespace

// The crash dump's path: descriptors kept back from normal requests, so a
// polled write finds room in a queue full of them; the data and a flush
// reach the device with nothing but spinning; and a write attempted from
// inside the driver (a crash in its own code) is refused.
TEST_F(VirtioBlkTest, APolledWriteFindsRoomInAFullQueueAndFlushes) {
    attach();
    ASSERT_TRUE(blk->reserve_polled(8).ok());
    constexpr int kCount = 100;
    std::vector<Io> writes(kCount);
    std::vector<Page> buffers(kCount);
    for (int i = 0; i < kCount; ++i) {
        writes[i].op = BlockOp::Write;
        writes[i].lba = u64(i) * 8;
        writes[i].sectors = 8;
        writes[i].buffer = Bytes(buffers[i].bytes, 4096);
        ASSERT_TRUE(blk->submit(writes[i]).ok());
    }
    loop.turn(false);  // the doorbell: the queue is now as full as normal requests may make it
    Page record;
    std::memset(record.bytes, 0x5a, 4096);
    transport->on_notify = [&](u16) { disk->serve(); };
    int flushes = disk->flushes;
    ASSERT_TRUE(blk->write_polled(1000, ReadonlyBytes(record.bytes, 4096)).ok());
    EXPECT_EQ(disk->bytes[1000 * 512], 0x5a);
    EXPECT_EQ(disk->bytes[1000 * 512 + 4095], 0x5a);
    EXPECT_EQ(disk->flushes, flushes + 1);
    // Past the reservation, or the disk's end: refused before the device sees it.
    EXPECT_EQ(blk->write_polled(2047, ReadonlyBytes(record.bytes, 4096)).error(), Error::OutOfRange);
    // The normal requests the spin saw come back still complete, once the
    // loop turns again, and the waiting ones go out.
    // (The device raised its interrupt for them; with interrupts on again
    // the driver takes it.)
    transport->on_notify = nullptr;
    interrupt();
    pump();
    for (int i = 0; i < kCount; ++i) {
        ASSERT_EQ(writes[i].completions, 1) << i;
        ASSERT_TRUE(writes[i].ok()) << i;
    }
}

TEST_F(VirtioBlkTest, APolledWriteFromInsideTheDriverIsRefused) {
    attach();
    ASSERT_TRUE(blk->reserve_polled(8).ok());
    Page record;
    std::memset(record.bytes, 0x77, 4096);
    Result<void> inner = Error::Unsupported;
    // The doorbell rings from inside the driver's own code: a crash there
    // would find its queue half updated.
    transport->on_notify = [&](u16) { inner = blk->write_polled(100, ReadonlyBytes(record.bytes, 4096)); };
    Io flush;
    flush.op = BlockOp::Flush;
    ASSERT_TRUE(blk->submit(flush).ok());
    loop.turn(false);
    ASSERT_TRUE(inner.is_error());
    EXPECT_EQ(inner.error(), Error::Busy);
    EXPECT_NE(disk->bytes[100 * 512], 0x77);
    transport->on_notify = nullptr;
    pump();
    EXPECT_EQ(flush.completions, 1);
}

TEST_F(VirtioBlkTest, APolledWriteToADeviceThatNeverAnswersTimesOut) {
    attach();
    ASSERT_TRUE(blk->reserve_polled(8).ok());
    Page record {};
    // FakeHost's clock moves only when told: let every look at it cost 100 ms.
    host.advance_on_read = 100'000'000;
    EXPECT_EQ(blk->write_polled(0, ReadonlyBytes(record.bytes, 4096)).error(), Error::Timeout);
}
