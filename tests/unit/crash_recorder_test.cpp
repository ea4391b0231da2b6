// The crash-state harness (support/crash_recorder.hpp) on its own: what the
// recorder logs and when, how many images the enumerator makes and what is
// in them, and the overlay device's copy-on-write.
#include <gtest/gtest.h>

#include <set>

#include "block/block_cache.hpp"
#include "support/crash_recorder.hpp"
#include "support/task_fixture.hpp"

using namespace mote;
using namespace mote::test;

namespace {

DiskEvent write_event(u64 lba, u32 sectors, u8 fill) {
    DiskEvent e;
    e.kind = DiskEvent::Kind::Write;
    e.lba = lba;
    e.bytes.assign(usize(sectors) * kCrashSectorSize, fill);
    // Each sector of a write carries its index too, so tears are visible.
    for (u32 s = 0; s < sectors; ++s) e.bytes[usize(s) * kCrashSectorSize + 1] = u8(s);
    return e;
}

DiskEvent flush_event() {
    DiskEvent e;
    e.kind = DiskEvent::Kind::Flush;
    return e;
}

u8 sector_fill(const std::vector<u8>& image, u64 sector) { return image[sector * kCrashSectorSize]; }

class CrashRecorderTest : public ::testing::Test, public TaskFixture {};

Task<void> write_then_flush(BlockCache& cache, u64 block, u8 value) {
    BufferRef ref = CO_TRY(co_await cache.get_zeroed(block));
    ref.data()[0] = value;
    cache.mark_dirty(ref);
    CO_TRY(co_await cache.write_one(ref));
    CO_TRY(co_await cache.flush());
    co_return {};
}

}  // namespace

TEST_F(CrashRecorderTest, RecordsWritesAndFlushesInOrderWithTheirBytes) {
    CrashRecorder disk(loop, std::vector<u8>(64 * kCrashSectorSize, 0));
    BlockCache cache(disk, loop, pages);
    ASSERT_TRUE(cache.initialize(1024, 8).ok());
    ASSERT_TRUE(run(write_then_flush(cache, 3, 0xA1))->ok());
    ASSERT_TRUE(run(write_then_flush(cache, 5, 0xB2))->ok());
    ASSERT_EQ(disk.events().size(), 4u);
    EXPECT_EQ(disk.flushes(), 2u);
    EXPECT_EQ(disk.writes(), 2u);
    EXPECT_FALSE(disk.events()[0].is_flush());
    EXPECT_EQ(disk.events()[0].lba, 6u);
    EXPECT_EQ(disk.events()[0].sectors(), 2u);
    EXPECT_EQ(disk.events()[0].bytes[0], 0xA1);
    EXPECT_TRUE(disk.events()[1].is_flush());
    EXPECT_EQ(disk.events()[2].lba, 10u);
    EXPECT_EQ(disk.data[5 * 1024], 0xB2);
    EXPECT_EQ(disk.base()[5 * 1024], 0);
    disk.restart();
    EXPECT_TRUE(disk.events().empty());
    EXPECT_EQ(disk.base()[5 * 1024], 0xB2);
}

// With delayed writes, a flush submitted before a write completed is logged
// before it: the enumerator then lets that write be lost after the flush.
TEST_F(CrashRecorderTest, ADelayedWriteIsNotCoveredByAFlushIssuedBeforeItCompleted) {
    CrashRecorder disk(loop, std::vector<u8>(16 * kCrashSectorSize, 0));
    disk.delay_writes = true;
    u8 buffer[kCrashSectorSize] = {0x77};
    int completed = 0;
    auto done = [](Request& r) { ++*static_cast<int*>(r.context()); };
    BlockRequest write(done, &completed), flush(done, &completed);
    write.op = BlockOp::Write;
    write.lba = 2;
    write.sectors = 1;
    write.buffer = Bytes(buffer, sizeof buffer);
    flush.op = BlockOp::Flush;
    ASSERT_TRUE(disk.submit(write).ok());
    ASSERT_TRUE(disk.submit(flush).ok());  // too early: the write has not completed
    for (int i = 0; i < 4; ++i) loop.turn(false);
    EXPECT_EQ(completed, 2);
    ASSERT_EQ(disk.events().size(), 2u);
    EXPECT_TRUE(disk.events()[0].is_flush());
    EXPECT_FALSE(disk.events()[1].is_flush());
    std::set<u8> seen;
    enumerate_crash_states(disk.base(), disk.events(), {}, [&](const std::vector<u8>& image, const CrashState&) {
        seen.insert(sector_fill(image, 2));
        return true;
    });
    EXPECT_EQ(seen, (std::set<u8> {0x00, 0x77}));
}

// Window 0: a (1 sector) and b (2 sectors): 2 x 3 combinations, the empty
// one included (the base). Window 1: c alone: only "c written" (its empty
// combination is window 0's full one). 7 in all.
TEST_F(CrashRecorderTest, EnumeratesEverySubsetAndTearOfEachWindow) {
    const std::vector<u8> base(8 * kCrashSectorSize, 0);
    const std::vector<DiskEvent> events = {write_event(0, 1, 0xA), write_event(1, 2, 0xB), flush_event(),
                                           write_event(4, 1, 0xC)};
    std::set<std::string> images;
    std::vector<CrashState> states;
    const usize n = enumerate_crash_states(base, events, {}, [&](const std::vector<u8>& image, const CrashState& s) {
        images.insert(std::string(image.begin(), image.end()));
        states.push_back(s);
        // Durable prefix: after flush 1 both a and b are whole.
        if (s.flushes == 1) {
            EXPECT_EQ(sector_fill(image, 0), 0xA);
            EXPECT_EQ(sector_fill(image, 1), 0xB);
            EXPECT_EQ(sector_fill(image, 2), 0xB);
            EXPECT_EQ(sector_fill(image, 4), 0xC);
        } else {
            EXPECT_EQ(sector_fill(image, 4), 0);
            // b torn: its first sector without its second, never the reverse.
            if (sector_fill(image, 2) == 0xB) EXPECT_EQ(sector_fill(image, 1), 0xB);
        }
        return true;
    });
    EXPECT_EQ(n, 7u);
    EXPECT_EQ(images.size(), 7u);  // all different
    EXPECT_EQ(states.front().flushes, 0u);
    EXPECT_FALSE(states.front().sampled);
}

TEST_F(CrashRecorderTest, LargeWindowsAreSampledWithTheirInOrderPrefixes) {
    const std::vector<u8> base(64 * kCrashSectorSize, 0);
    std::vector<DiskEvent> events;
    for (u32 i = 0; i < 12; ++i) events.push_back(write_event(i * 4, 4, u8(i + 1)));  // 2 + 3 choices each
    CrashOptions options;
    options.exhaustive_limit = 1000;
    options.samples = 50;
    usize prefixes = 0;
    const usize n = enumerate_crash_states(base, events, options, [&](const std::vector<u8>& image, const CrashState& s) {
        EXPECT_TRUE(s.sampled);
        bool prefix = true, gap = false;
        for (u32 i = 0; i < 12; ++i) {
            const bool whole = sector_fill(image, i * 4 + 3) == i + 1 && sector_fill(image, i * 4) == i + 1;
            const bool none = sector_fill(image, i * 4) == 0;
            if (!whole && !none) prefix = false;
            if (none) gap = true;
            else if (gap) prefix = false;
        }
        prefixes += prefix;
        return true;
    });
    EXPECT_EQ(n, 13u + 50u);
    EXPECT_GE(prefixes, 13u);
}

TEST_F(CrashRecorderTest, TheCallbackCanStopTheEnumeration) {
    const std::vector<u8> base(8 * kCrashSectorSize, 0);
    const std::vector<DiskEvent> events = {write_event(0, 1, 1), write_event(1, 1, 2), write_event(2, 1, 3)};
    const usize n = enumerate_crash_states(base, events, {}, [](const std::vector<u8>&, const CrashState&) {
        return false;
    });
    EXPECT_EQ(n, 1u);
}

TEST_F(CrashRecorderTest, AnOverlayDiskKeepsItsWritesToTheSide) {
    const std::vector<u8> image(32 * kCrashSectorSize, 0x11);
    OverlayDisk disk(loop, image);
    BlockCache cache(disk, loop, pages);
    ASSERT_TRUE(cache.initialize(1024, 8).ok());
    ASSERT_TRUE(run(write_then_flush(cache, 2, 0x99))->ok());
    EXPECT_EQ(image[2 * 1024], 0x11);
    EXPECT_EQ(disk.read(2 * 1024, 1)[0], 0x99);
    EXPECT_EQ(disk.read(2 * 1024 + 1, 1)[0], 0x00);  // get_zeroed
    EXPECT_EQ(disk.read(3 * 1024, 1)[0], 0x11);
    EXPECT_EQ(disk.sectors_written(), 2u);
    EXPECT_EQ(disk.flushes, 1u);
}
