// BlockCache (block/block_cache.hpp) over a RAM disk whose requests can be
// held: hits without I/O, coalesced reads, the bound, waiting for a buffer,
// write-back and its ordering against flushes, the journal's hold, errors,
// prefetch, and memory returned.
#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <vector>

#include "block/block_cache.hpp"
#include "support/memory_disk.hpp"
#include "support/task_fixture.hpp"

using namespace mote;
using mote::test::MemoryDisk;

namespace {

constexpr u32 kBlock = 1024;

class BlockCacheTest : public ::testing::Test, public test::TaskFixture {
protected:
    explicit BlockCacheTest() : disk(loop, 4096) {
        // Each block starts filled with its own number's low byte, so reads are checkable.
        for (u64 b = 0; b < disk.data.size() / kBlock; ++b) std::memset(disk.data.data() + b * kBlock, int(b & 0xff), kBlock);
        before = pages.stats().free_pages;
    }

    BlockCache& make(usize buffers) {
        cache.emplace(disk, loop, pages);
        EXPECT_TRUE(cache->initialize(kBlock, buffers).ok());
        return *cache;
    }

    // Reads `block`, checks it, and drops the pin.
    Result<u8> read_byte(u64 block) {
        auto r = run(read_first(*cache, block));
        if (!r) return Error::Timeout;
        return r->is_error() ? Result<u8>(r->error()) : Result<u8>(r->value());
    }

    static Task<u8> read_first(BlockCache& cache, u64 block) {
        BufferRef ref = CO_TRY(co_await cache.read(block));
        co_return ref.data()[0];
    }

    static Task<void> write_block(BlockCache& cache, u64 block, u8 value) {
        BufferRef ref = CO_TRY(co_await cache.read(block));
        CO_TRY(co_await cache.prepare_modify(ref));
        std::memset(ref.data(), value, kBlock);
        cache.mark_dirty(ref);
        co_return {};
    }

    u8 disk_byte(u64 block) const { return disk.data[block * kBlock]; }

    void TearDown() override {
        cache.reset();
        // The frame cache keeps an empty slab per size class; drop it too.
        this_cpu().frames = m_previous;
        frames.reset();
        EXPECT_EQ(pages.stats().free_pages, before) << "the cache returned every page";
    }

    MemoryDisk disk;
    std::optional<BlockCache> cache;
    u64 before = 0;
};

template <typename T>
struct Outcome {
    std::optional<Result<T>> result;
    static void done(void* context, Result<T>& r) { static_cast<Outcome*>(context)->result.emplace(std::move(r)); }
};

}  // namespace

TEST_F(BlockCacheTest, ASecondReadOfABlockIsAHitWithoutIo) {
    make(16);
    EXPECT_EQ(read_byte(7).value(), 7);
    EXPECT_EQ(disk.reads_started, 1u);
    EXPECT_EQ(read_byte(7).value(), 7);
    EXPECT_EQ(disk.reads_started, 1u);
    EXPECT_EQ(cache->stats().hits, 1u);
    EXPECT_EQ(cache->stats().misses, 1u);
}

TEST_F(BlockCacheTest, AHitCompletesWithoutSuspending) {
    make(16);
    EXPECT_EQ(read_byte(3).value(), 3);
    Outcome<u8> out;
    read_first(*cache, 3).start(Outcome<u8>::done, &out);
    ASSERT_TRUE(out.result);  // finished inside start(): no loop turn needed
    EXPECT_EQ(out.result->value(), 3);
}

TEST_F(BlockCacheTest, ConcurrentReadsOfOneBlockShareOneDeviceRead) {
    make(16);
    disk.hold = true;
    Outcome<u8> a, b;
    read_first(*cache, 9).start(Outcome<u8>::done, &a);
    read_first(*cache, 9).start(Outcome<u8>::done, &b);
    ASSERT_EQ(disk.held.size(), 1u);
    disk.finish_all_held();
    for (int i = 0; i < 5; ++i) loop.turn(false);
    ASSERT_TRUE(a.result && b.result);
    EXPECT_EQ(a.result->value(), 9);
    EXPECT_EQ(b.result->value(), 9);
    EXPECT_EQ(cache->stats().coalesced, 1u);
    EXPECT_EQ(disk.reads_started, 1u);
}

TEST_F(BlockCacheTest, TheCacheStaysWithinItsBound) {
    make(8);
    for (u64 b = 0; b < 100; ++b) ASSERT_EQ(read_byte(b).value(), u8(b));
    BlockCacheStats s = cache->stats();
    EXPECT_EQ(s.buffers, 8u);
    EXPECT_EQ(s.cached, 8u);
    EXPECT_EQ(s.evictions, 92u);
    EXPECT_EQ(s.pinned, 0u);
    // The most recent blocks are the ones kept.
    EXPECT_EQ(read_byte(99).value(), 99);
    EXPECT_EQ(cache->stats().hits, 1u);
}

TEST_F(BlockCacheTest, WhenEveryBufferIsPinnedAReaderWaitsForOne) {
    make(4);
    std::vector<BufferRef> pins;
    for (u64 b = 0; b < 4; ++b) {
        auto r = run(cache->read(b));
        ASSERT_TRUE(r && r->ok());
        pins.push_back(std::move(r->value()));
    }
    Outcome<u8> out;
    read_first(*cache, 50).start(Outcome<u8>::done, &out);
    for (int i = 0; i < 10; ++i) loop.turn(false);
    EXPECT_FALSE(out.result);
    EXPECT_EQ(cache->stats().buffer_waits, 1u);
    pins.pop_back();  // one buffer comes free
    for (int i = 0; i < 10 && !out.result; ++i) loop.turn(false);
    ASSERT_TRUE(out.result);
    EXPECT_EQ(out.result->value(), 50);
}

TEST_F(BlockCacheTest, DirtyDataReachesTheDeviceOnlyOnWriteBackAndSyncFlushesAfterIt) {
    make(16);
    ASSERT_TRUE(run(write_block(*cache, 5, 0xAB))->ok());
    ASSERT_TRUE(run(write_block(*cache, 6, 0xCD))->ok());
    EXPECT_EQ(disk_byte(5), 5);  // write-back: nothing written yet
    EXPECT_EQ(cache->stats().dirty, 2u);
    ASSERT_TRUE(run(cache->sync())->ok());
    EXPECT_EQ(disk_byte(5), 0xAB);
    EXPECT_EQ(disk_byte(6), 0xCD);
    // Adjacent dirty blocks go home as one run: one write of both, then the flush.
    ASSERT_EQ(disk.log.size(), 2u);
    EXPECT_EQ(disk.log[0].op, BlockOp::Write);
    EXPECT_EQ(disk.log[0].lba, 5u * 2);
    EXPECT_EQ(disk.log[0].sectors, 2u * 2);
    EXPECT_EQ(disk.log[1].op, BlockOp::Flush);
    EXPECT_EQ(cache->stats().dirty, 0u);
    EXPECT_EQ(cache->stats().runs, 1u);
    EXPECT_EQ(cache->stats().run_blocks, 2u);
}

// The journal's commit: data and log blocks, flush, commit block, flush;
// nothing of a later step reaches the device before the earlier step completed.
Task<void> commit(BlockCache& cache, u64 a, u64 b, u64 commit_block) {
    BufferRef ra = CO_TRY(co_await cache.get_zeroed(a));
    BufferRef rb = CO_TRY(co_await cache.get_zeroed(b));
    ra.data()[0] = 1;
    rb.data()[0] = 2;
    cache.mark_dirty(ra);
    cache.mark_dirty(rb);
    Buffer* both[] = {&ra.buffer(), &rb.buffer()};
    CO_TRY(co_await cache.write(Span<Buffer* const>(both, 2)));
    CO_TRY(co_await cache.flush());
    BufferRef rc = CO_TRY(co_await cache.get_zeroed(commit_block));
    rc.data()[0] = 3;
    cache.mark_dirty(rc);
    CO_TRY(co_await cache.write_one(rc));
    CO_TRY(co_await cache.flush());
    co_return {};
}

TEST_F(BlockCacheTest, WritesFlushCommitFlushReachTheDeviceInExactlyThatOrder) {
    make(16);
    disk.hold = true;
    Outcome<void> out;
    // Blocks apart, so each is its own request.
    commit(*cache, 10, 14, 12).start(Outcome<void>::done, &out);
    // Both writes are submitted together, nothing else.
    ASSERT_EQ(disk.held.size(), 2u);
    EXPECT_EQ(disk.held[0]->op, BlockOp::Write);
    EXPECT_EQ(disk.held[1]->op, BlockOp::Write);
    disk.finish_held(1);  // out of order
    for (int i = 0; i < 5; ++i) loop.turn(false);
    EXPECT_EQ(disk.held.size(), 1u);  // no flush before both writes completed
    disk.finish_held(0);
    for (int i = 0; i < 5; ++i) loop.turn(false);
    ASSERT_EQ(disk.held.size(), 1u);
    EXPECT_EQ(disk.held[0]->op, BlockOp::Flush);
    disk.finish_held(0);
    for (int i = 0; i < 5; ++i) loop.turn(false);
    ASSERT_EQ(disk.held.size(), 1u);
    EXPECT_EQ(disk.held[0]->op, BlockOp::Write);
    EXPECT_EQ(disk.held[0]->lba, 12u * 2);
    disk.finish_held(0);
    for (int i = 0; i < 5; ++i) loop.turn(false);
    ASSERT_EQ(disk.held.size(), 1u);
    EXPECT_EQ(disk.held[0]->op, BlockOp::Flush);
    disk.finish_held(0);
    for (int i = 0; i < 5; ++i) loop.turn(false);
    ASSERT_TRUE(out.result);
    EXPECT_TRUE(out.result->ok());
    EXPECT_EQ(disk.data[12 * kBlock], 3);
}

TEST_F(BlockCacheTest, EvictionWritesDirtyBuffersHomeBeforeReusingThem) {
    make(4);
    for (u64 b = 0; b < 4; ++b) ASSERT_TRUE(run(write_block(*cache, 100 + b, u8(0x40 + b)))->ok());
    EXPECT_EQ(cache->stats().dirty, 4u);
    EXPECT_EQ(read_byte(200).value(), 200);
    for (u64 b = 0; b < 4; ++b) EXPECT_EQ(disk_byte(100 + b), 0x40 + b);
    EXPECT_GE(cache->stats().writes, 1u);
}

TEST_F(BlockCacheTest, AHeldBufferNeverGoesHomeUntilReleased) {
    make(4);
    auto r = run(cache->read(30));
    ASSERT_TRUE(r && r->ok());
    BufferRef ref = std::move(r->value());
    std::memset(ref.data(), 0x77, kBlock);
    cache->mark_dirty(ref);
    cache->hold_home_write(ref.buffer());
    Buffer* one = &ref.buffer();
    auto w = run(cache->write(Span<Buffer* const>(&one, 1)));
    EXPECT_EQ(w->error(), Error::BadState);
    ref.reset();
    ASSERT_TRUE(run(cache->sync())->ok());  // skips it
    EXPECT_EQ(disk_byte(30), 30);
    for (u64 b = 0; b < 10; ++b) ASSERT_TRUE(read_byte(b).ok());  // pressure: not evicted either
    EXPECT_EQ(disk_byte(30), 30);
    cache->release_home_write(*one);
    ASSERT_TRUE(run(cache->sync())->ok());
    EXPECT_EQ(disk_byte(30), 0x77);
}

TEST_F(BlockCacheTest, AFailedReadIsAnErrorAndTheNextReadTriesAgain) {
    make(8);
    disk.fail_reads = 1;
    EXPECT_EQ(read_byte(4).error(), Error::Io);
    EXPECT_EQ(cache->stats().read_errors, 1u);
    EXPECT_EQ(read_byte(4).value(), 4);
}

TEST_F(BlockCacheTest, AFailedWriteKeepsTheDataDirtyAndSaysSo) {
    make(8);
    ASSERT_TRUE(run(write_block(*cache, 8, 0x11))->ok());
    disk.fail_writes = 1;
    auto s = run(cache->sync());
    EXPECT_EQ(s->error(), Error::Io);
    EXPECT_EQ(cache->stats().dirty, 1u);
    EXPECT_EQ(cache->stats().write_errors, 1u);
    ASSERT_TRUE(run(cache->sync())->ok());
    EXPECT_EQ(disk_byte(8), 0x11);
}

TEST_F(BlockCacheTest, ModifyingWaitsForAWriteInFlight) {
    make(8);
    ASSERT_TRUE(run(write_block(*cache, 20, 0x22))->ok());
    disk.hold = true;
    EXPECT_EQ(cache->write_back(10), 1u);
    Outcome<void> out;
    write_block(*cache, 20, 0x33).start(Outcome<void>::done, &out);
    for (int i = 0; i < 5; ++i) loop.turn(false);
    EXPECT_FALSE(out.result);  // the device still reads the buffer
    disk.finish_all_held();
    for (int i = 0; i < 5 && !out.result; ++i) loop.turn(false);
    ASSERT_TRUE(out.result && out.result->ok());
    EXPECT_EQ(disk_byte(20), 0x22);
    disk.hold = false;
    ASSERT_TRUE(run(cache->sync())->ok());
    EXPECT_EQ(disk_byte(20), 0x33);
}

// A flush only covers writes that completed before it was issued: sync must
// wait for writes that write_back (or eviction) started, not only its own.
TEST_F(BlockCacheTest, SyncWaitsForWritesAlreadyInFlightBeforeItFlushes) {
    make(8);
    ASSERT_TRUE(run(write_block(*cache, 40, 0x44))->ok());
    disk.hold = true;
    EXPECT_EQ(cache->write_back(10), 1u);  // in flight, nobody waits for it
    Outcome<void> out;
    cache->sync().start(Outcome<void>::done, &out);
    for (int i = 0; i < 5; ++i) loop.turn(false);
    ASSERT_EQ(disk.held.size(), 1u);  // still only the write: no flush yet
    EXPECT_EQ(disk.held[0]->op, BlockOp::Write);
    disk.finish_held(0);
    for (int i = 0; i < 5; ++i) loop.turn(false);
    ASSERT_EQ(disk.held.size(), 1u);
    EXPECT_EQ(disk.held[0]->op, BlockOp::Flush);
    disk.finish_held(0);
    for (int i = 0; i < 5 && !out.result; ++i) loop.turn(false);
    ASSERT_TRUE(out.result && out.result->ok());
    ASSERT_EQ(disk.log.size(), 2u);
    EXPECT_EQ(disk.log[0].op, BlockOp::Write);
    EXPECT_EQ(disk.log[1].op, BlockOp::Flush);
}

TEST_F(BlockCacheTest, PrefetchFillsFreeBuffersAndLaterReadsHitThem) {
    make(16);
    EXPECT_EQ(cache->prefetch(40, 8), 8u);
    for (int i = 0; i < 3; ++i) loop.turn(false);
    u64 started = disk.reads_started;
    for (u64 b = 40; b < 48; ++b) EXPECT_EQ(read_byte(b).value(), u8(b));
    EXPECT_EQ(disk.reads_started, started);
    EXPECT_EQ(cache->stats().readahead_used, 8u);
    EXPECT_EQ(cache->prefetch(40, 8), 0u);  // all cached already
}

TEST_F(BlockCacheTest, GetZeroedNeverReadsTheDevice) {
    make(8);
    auto r = run(cache->get_zeroed(60));
    ASSERT_TRUE(r && r->ok());
    EXPECT_EQ(r->value().data()[0], 0);
    EXPECT_EQ(disk.reads_started, 0u);
}

namespace {

Task<u64> note_of(BlockCache& cache, u64 block) {
    BufferRef ref = CO_TRY(co_await cache.read(block));
    co_return ref->note();
}

Task<void> set_note(BlockCache& cache, u64 block, u64 note) {
    BufferRef ref = CO_TRY(co_await cache.read(block));
    ref->set_note(note);
    co_return {};
}

// Sets the note, then modifies the bytes; `mark` says whether to mark
// dirty or only to prepare.
Task<u64> note_after_modify(BlockCache& cache, u64 block, bool mark) {
    BufferRef ref = CO_TRY(co_await cache.read(block));
    ref->set_note(0x1234);
    CO_TRY(co_await cache.prepare_modify(ref));
    if (mark) {
        ref->set_note(0x5678);  // as if checked again after preparing
        ref.data()[0] ^= 1;
        cache.mark_dirty(ref);
    }
    co_return ref->note();
}

}  // namespace

// The owner's note (a directory block's check) stays while the bytes are
// the ones it described, and is gone whenever they may have changed.
TEST_F(BlockCacheTest, ANoteLastsWhileTheBytesAreUnchanged) {
    make(4);
    EXPECT_EQ(run(note_of(*cache, 5))->value(), 0u);
    ASSERT_TRUE(run(set_note(*cache, 5, 42))->ok());
    EXPECT_EQ(run(note_of(*cache, 5))->value(), 42u);  // a hit keeps it
    EXPECT_EQ(run(note_after_modify(*cache, 5, false))->value(), 0u);  // prepare_modify clears it
    EXPECT_EQ(run(note_after_modify(*cache, 5, true))->value(), 0u);   // and so does mark_dirty
    ASSERT_TRUE(run(cache->sync())->ok());

    ASSERT_TRUE(run(set_note(*cache, 5, 43))->ok());
    EXPECT_EQ(cache->drop_clean(), 1u);
    EXPECT_EQ(run(note_of(*cache, 5))->value(), 0u);  // read from the device again

    ASSERT_TRUE(run(set_note(*cache, 5, 44))->ok());
    for (u64 b = 10; b < 14; ++b) ASSERT_EQ(read_byte(b).value(), u8(b));  // 4 buffers: 5 is evicted
    EXPECT_EQ(run(note_of(*cache, 5))->value(), 0u);

    // A buffer reused for a zeroed block carries no note from its last block.
    ASSERT_TRUE(run(set_note(*cache, 5, 45))->ok());
    for (u64 b = 20; b < 23; ++b) ASSERT_EQ(read_byte(b).value(), u8(b));
    auto zeroed = run(cache->get_zeroed(30));
    ASSERT_TRUE(zeroed && zeroed->ok());
    EXPECT_EQ(zeroed->value()->note(), 0u);
}

TEST_F(BlockCacheTest, BlocksPastTheEndAreOutOfRange) {
    make(8);
    EXPECT_EQ(read_byte(cache->block_count()).error(), Error::OutOfRange);
    EXPECT_TRUE(read_byte(cache->block_count() - 1).ok());
}

TEST_F(BlockCacheTest, InitializeRejectsBadSizes) {
    cache.emplace(disk, loop, pages);
    EXPECT_EQ(cache->initialize(1000, 8).error(), Error::InvalidArgument);
    EXPECT_EQ(cache->initialize(8192, 8).error(), Error::InvalidArgument);
    EXPECT_EQ(cache->initialize(1024, 2).error(), Error::InvalidArgument);
    EXPECT_TRUE(cache->initialize(4096, 8).ok());
    EXPECT_EQ(cache->initialize(4096, 8).error(), Error::BadState);
}
