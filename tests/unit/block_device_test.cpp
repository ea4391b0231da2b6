// The block layer's validation (decode, then perform) and counters, with a
// memory-backed device.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "dev/block_registry.hpp"
#include "support/fake_host.hpp"

using namespace mote;
using mote::test::FakeHost;

namespace {

class MemoryDisk final : public BlockDevice {
public:
    MemoryDisk(Loop& loop, u64 sectors, bool read_only) : data(sectors * 512) {
        m_loop = &loop;
        m_info.sectors = sectors;
        m_info.sector_size = 512;
        m_info.read_only = read_only;
        m_info.max_sectors_per_request = 8;
    }
    StringView model() const override { return "memory"; }
    void cancel_request(Request& r) override { finish(static_cast<BlockRequest&>(r), Error::Cancelled); }
    void start(BlockRequest& r) override {
        ++started;
        u8* at = data.data() + r.lba * 512;
        if (r.op == BlockOp::Read) std::memcpy(r.buffer.data(), at, r.sectors * 512);
        if (r.op == BlockOp::Write) std::memcpy(at, r.buffer.data(), r.sectors * 512);
        finish(r, Result<void>());
    }
    std::vector<u8> data;
    int started = 0;
};

struct Done : BlockRequest {
    int completions = 0;
    Done() : BlockRequest([](Request& r) { ++static_cast<Done&>(r).completions; }) {}
};

}  // namespace

TEST(BlockDevice, InvalidRequestsAreRejectedBeforeTheDriverSeesThem) {
    FakeHost host;
    Loop loop(host);
    MemoryDisk disk(loop, 100, false);
    u8 buf[4096];
    Done r;
    auto try_submit = [&](BlockOp op, u64 lba, u32 n, usize buf_size) {
        r.op = op;
        r.lba = lba;
        r.sectors = n;
        r.buffer = Bytes(buf, buf_size);
        return disk.submit(r);
    };
    EXPECT_EQ(try_submit(BlockOp::Read, 100, 1, 512).error(), Error::OutOfRange);
    EXPECT_EQ(try_submit(BlockOp::Read, 99, 2, 1024).error(), Error::OutOfRange);
    EXPECT_EQ(try_submit(BlockOp::Read, UINT64_MAX, 2, 1024).error(), Error::Overflow);
    EXPECT_EQ(try_submit(BlockOp::Read, 0, 0, 512).error(), Error::InvalidArgument);
    EXPECT_EQ(try_submit(BlockOp::Read, 0, 9, 4096).error(), Error::InvalidArgument) << "over max per request";
    EXPECT_EQ(try_submit(BlockOp::Write, 0, 2, 1023).error(), Error::Overflow) << "buffer too small";
    EXPECT_EQ(try_submit(BlockOp(7), 0, 1, 512).error(), Error::InvalidArgument);
    EXPECT_EQ(disk.started, 0);
    EXPECT_EQ(disk.stats().rejected, 7u);
    EXPECT_FALSE(r.busy()) << "a rejected request gets no completion";
    loop.turn(false);
    EXPECT_EQ(r.completions, 0);
}

TEST(BlockDevice, WritesToAReadOnlyDiskFailWithReadOnly) {
    FakeHost host;
    Loop loop(host);
    MemoryDisk disk(loop, 10, true);
    u8 buf[512] = {};
    Done r;
    r.op = BlockOp::Write;
    r.lba = 0;
    r.sectors = 1;
    r.buffer = Bytes(buf, 512);
    EXPECT_EQ(disk.submit(r).error(), Error::ReadOnly);
    r.op = BlockOp::Read;
    EXPECT_TRUE(disk.submit(r).ok());
    loop.turn(false);
    EXPECT_EQ(r.completions, 1);
}

TEST(BlockDevice, ValidRequestsCompleteOnceAndAreCounted) {
    FakeHost host;
    Loop loop(host);
    MemoryDisk disk(loop, 64, false);
    u8 out[1024], in[1024];
    for (int i = 0; i < 1024; ++i) out[i] = u8(i * 7);
    Done w;
    w.op = BlockOp::Write;
    w.lba = 10;
    w.sectors = 2;
    w.buffer = Bytes(out, 1024);
    ASSERT_TRUE(disk.submit(w).ok());
    loop.turn(false);
    Done rd;
    rd.op = BlockOp::Read;
    rd.lba = 10;
    rd.sectors = 2;
    rd.buffer = Bytes(in, 1024);
    ASSERT_TRUE(disk.submit(rd).ok());
    loop.turn(false);
    EXPECT_EQ(std::memcmp(in, out, 1024), 0);
    EXPECT_EQ(w.completions, 1);
    EXPECT_EQ(rd.completions, 1);
    EXPECT_EQ(disk.stats().writes, 1u);
    EXPECT_EQ(disk.stats().sectors_written, 2u);
    EXPECT_EQ(disk.stats().sectors_read, 2u);
    EXPECT_EQ(disk.stats().in_flight, 0u);
}

TEST(BlockRegistry, NamesDevicesInOrderAndFindsThem) {
    FakeHost host;
    Loop loop(host);
    MemoryDisk a(loop, 1, false), b(loop, 1, false);
    BlockRegistry reg;
    ASSERT_TRUE(reg.add(a).ok());
    ASSERT_TRUE(reg.add(b).ok());
    EXPECT_TRUE(a.name() == StringView("vda"));
    EXPECT_TRUE(b.name() == StringView("vdb"));
    EXPECT_EQ(reg.find("vdb").value(), &b);
    EXPECT_EQ(reg.find("vdz").error(), Error::NotFound);
}
