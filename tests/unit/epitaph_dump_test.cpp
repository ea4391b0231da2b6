// The epitaph's disk copy (boot/epitaph_dump.hpp) on a memory disk: the
// mote.dump= place is parsed strictly; an area of zeros or of an epitaph is
// taken and gets this boot's Running record (then a flush) before it is
// armed; an area of anything else, past the disk's end, inside a mounted
// filesystem or on a read-only disk is refused and never written; a cold
// boot (RAM found nothing) learns from the disk how the previous boot
// ended, a warm one keeps RAM's word; the crash path's write lands the
// Crashed record, and says why not when it cannot.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "boot/epitaph_dump.hpp"
#include "support/fake_host.hpp"
#include "support/memory_disk.hpp"

using namespace mote;
using mote::test::FakeHost;
using mote::test::MemoryDisk;

namespace {

constexpr u64 kArea = 64;

EpitaphRecord record(EpitaphState state, u64 boot, const char* cause = "") {
    EpitaphRecord r;
    r.begin(state, boot);
    if (state == EpitaphState::Crashed) {
        r.kind = u8(CrashKind::Panic);
        r.set_cause(cause);
        r.pc = 0x80201234;
    }
    r.seal();
    return r;
}

class EpitaphDumpTest : public ::testing::Test {
protected:
    EpitaphDumpTest() : disk(loop, 256) { disk.set_name("vda"); }

    void put(u64 sector, const void* bytes, usize size) { std::memcpy(disk.data.data() + sector * 512, bytes, size); }
    // The area as the next boot would decode it.
    Result<void> on_disk(EpitaphRecord& out, EpitaphFault* fault = nullptr) {
        return decode_epitaph(ReadonlyBytes(disk.data.data() + kArea * 512, sizeof(EpitaphRecord)), out, fault);
    }
    void start(u64 sector = kArea, u64 avoid = 0) {
        dump.start(disk, sector, avoid, live, previous);
        for (int i = 0; i < 10; ++i) loop.turn(false);
    }
    std::vector<u8> area() const {
        return std::vector<u8>(disk.data.begin() + long(kArea * 512),
                               disk.data.begin() + long((kArea + EpitaphDump::kSectors) * 512));
    }

    FakeHost host;
    Loop loop {host};
    MemoryDisk disk;
    EpitaphDump dump;
    // What RAM gave: a cold boot's garbage, this boot being boot 1.
    EpitaphRecord live = record(EpitaphState::Running, 1);
    PreviousBoot previous = [] {
        PreviousBoot p;
        p.found = PreviousBoot::Found::Nothing;
        p.fault = EpitaphFault::BadMagic;
        p.boot = 1;
        return p;
    }();
};

}  // namespace

TEST(DumpPlace, ParsesDiskAndSectorAndRefusesTheRest) {
    auto p = parse_dump_place("vda:2048");
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p.value().disk == "vda");
    EXPECT_EQ(p.value().sector, 2048u);
    EXPECT_TRUE(parse_dump_place("vdb:0").ok());
    for (const char* bad : {"", "vda", "vda:", ":12", "vda:x", "vda:-1", "vda:12x", "VDA:1", "v/a:1",
                            "averylongname:1", "vda:99999999999999999999999", "vda:1:2"}) {
        auto r = parse_dump_place(bad);
        ASSERT_TRUE(r.is_error()) << bad;
        EXPECT_EQ(r.error(), Error::Malformed) << bad;
    }
}

TEST_F(EpitaphDumpTest, AnAreaOfZerosIsTakenAndGetsThisBootsRecordThenAFlushBeforeItIsArmed) {
    start();
    ASSERT_EQ(dump.state(), EpitaphDump::State::Armed) << std::string(dump.refusal().data(), dump.refusal().length());
    EXPECT_TRUE(dump.place() == "vda sectors 64..71");
    EpitaphRecord got;
    ASSERT_TRUE(on_disk(got).ok());
    EXPECT_EQ(got.record_state(), EpitaphState::Running);
    EXPECT_EQ(got.boot, 1u);
    ASSERT_EQ(disk.log.size(), 2u);
    EXPECT_EQ(disk.log[0].op, BlockOp::Write);
    EXPECT_EQ(disk.log[0].lba, kArea);
    EXPECT_EQ(disk.log[0].sectors, EpitaphDump::kSectors);
    EXPECT_EQ(disk.log[1].op, BlockOp::Flush);
    // Nothing was on the disk: RAM's finding stands.
    EXPECT_EQ(previous.found, PreviousBoot::Found::Nothing);
}

TEST_F(EpitaphDumpTest, AColdBootLearnsFromTheDiskHowThePreviousBootEnded) {
    EpitaphRecord crashed = record(EpitaphState::Crashed, 6, "VERIFY(x) failed");
    put(kArea, &crashed, sizeof(crashed));
    start();
    ASSERT_EQ(dump.state(), EpitaphDump::State::Armed);
    ASSERT_EQ(previous.found, PreviousBoot::Found::Record);
    EXPECT_EQ(previous.record.record_state(), EpitaphState::Crashed);
    EXPECT_TRUE(previous.record.cause_text() == "VERIFY(x) failed");
    EXPECT_TRUE(previous.place == "vda sectors 64..71");
    EXPECT_EQ(previous.boot, 7u);
    // This boot counts on from the disk's, in RAM and on the disk.
    EXPECT_EQ(live.boot, 7u);
    EpitaphRecord got;
    ASSERT_TRUE(on_disk(got).ok());
    EXPECT_EQ(got.record_state(), EpitaphState::Running);
    EXPECT_EQ(got.boot, 7u);
}

TEST_F(EpitaphDumpTest, AWarmBootKeepsWhatRamSaid) {
    EpitaphRecord old = record(EpitaphState::Clean, 3);
    put(kArea, &old, sizeof(old));
    previous.found = PreviousBoot::Found::Record;
    previous.record = record(EpitaphState::Crashed, 4, "in RAM");
    previous.boot = 5;
    live = record(EpitaphState::Running, 5);
    start();
    EXPECT_TRUE(previous.record.cause_text() == "in RAM");
    EXPECT_EQ(previous.boot, 5u);
    EpitaphRecord got;
    ASSERT_TRUE(on_disk(got).ok());
    EXPECT_EQ(got.boot, 5u);
}

TEST_F(EpitaphDumpTest, AnAreaHoldingSomethingElseIsRefusedAndNeverWritten) {
    std::vector<u8> data(EpitaphDump::kBytes, 0);
    data[4000] = 0x53;  // one byte that is not ours is enough
    put(kArea, data.data(), data.size());
    start();
    EXPECT_EQ(dump.state(), EpitaphDump::State::Refused);
    std::string why(dump.refusal().data(), dump.refusal().length());
    EXPECT_NE(why.find("not an epitaph (BadMagic, byte 4000 is 0x53)"), std::string::npos) << why;
    EXPECT_TRUE(disk.log.empty());
    EXPECT_EQ(area(), data);
    // And the crash path says so instead of writing.
    EpitaphRecord crashed = record(EpitaphState::Crashed, 1, "boom");
    EXPECT_STREQ(EpitaphDump::write_on_crash(crashed, &dump), "none (the dump area is not armed)");
    EXPECT_EQ(disk.polled_writes, 0u);
    EXPECT_EQ(area(), data);
}

TEST_F(EpitaphDumpTest, ATornEpitaphIsStillOurs) {
    EpitaphRecord crashed = record(EpitaphState::Crashed, 2, "torn");
    crashed.cause[0] ^= 1;  // the checksum no longer matches
    put(kArea, &crashed, sizeof(crashed));
    start();
    EXPECT_EQ(dump.state(), EpitaphDump::State::Armed);
    EXPECT_EQ(previous.found, PreviousBoot::Found::Nothing);
    EpitaphRecord got;
    ASSERT_TRUE(on_disk(got).ok());
    EXPECT_EQ(got.record_state(), EpitaphState::Running);
}

TEST_F(EpitaphDumpTest, PlacesThatAreNotSafeAreRefusedBeforeAnyIo) {
    start(256 - 7);  // one sector short
    EXPECT_EQ(dump.state(), EpitaphDump::State::Refused);
    EXPECT_NE(std::string(dump.refusal().data(), dump.refusal().length()).find("past the end"), std::string::npos);
    EXPECT_EQ(disk.reads_started, 0u);

    EpitaphDump inside;
    inside.start(disk, kArea, 128, live, previous);
    EXPECT_EQ(inside.state(), EpitaphDump::State::Refused);
    EXPECT_NE(std::string(inside.refusal().data(), inside.refusal().length()).find("inside the filesystem"),
              std::string::npos);

    EpitaphDump unsupported;
    disk.polled_supported = false;
    unsupported.start(disk, kArea, 0, live, previous);
    EXPECT_EQ(unsupported.state(), EpitaphDump::State::Refused);

    EpitaphDump read_only;
    disk.polled_supported = true;
    disk.set_read_only(true);
    read_only.start(disk, kArea, 0, live, previous);
    EXPECT_EQ(read_only.state(), EpitaphDump::State::Refused);
    EXPECT_EQ(disk.reads_started, 0u);
    EXPECT_TRUE(disk.log.empty());
}

TEST_F(EpitaphDumpTest, TheCrashPathWritesTheCrashedRecordByPolling) {
    start();
    ASSERT_TRUE(dump.armed());
    EpitaphRecord crashed = record(EpitaphState::Crashed, 1, "MOTE-PANIC on purpose");
    EXPECT_STREQ(EpitaphDump::write_on_crash(crashed, &dump), "vda sectors 64..71");
    EXPECT_EQ(disk.polled_writes, 1u);
    EpitaphRecord got;
    ASSERT_TRUE(on_disk(got).ok());
    EXPECT_EQ(got.record_state(), EpitaphState::Crashed);
    EXPECT_TRUE(got.cause_text() == "MOTE-PANIC on purpose");
    // The padding after the record is zeros.
    auto bytes = area();
    for (usize i = sizeof(EpitaphRecord); i < bytes.size(); ++i) ASSERT_EQ(bytes[i], 0) << i;

    disk.fail_polled = true;
    EXPECT_STREQ(EpitaphDump::write_on_crash(crashed, &dump), "vda sectors 64..71 not written (Io)");
}

TEST_F(EpitaphDumpTest, AFailedReadLeavesTheAreaAlone) {
    disk.fail_reads = 1;
    start();
    EXPECT_EQ(dump.state(), EpitaphDump::State::Failed);
    EXPECT_TRUE(disk.log.empty());
    EpitaphRecord clean = record(EpitaphState::Clean, 1);
    EXPECT_EQ(dump.write_now(clean).error(), Error::BadState);
}

TEST(BlockDevicePolled, WritesAreValidatedBeforeTheDriverSeesThem) {
    FakeHost host;
    Loop loop {host};
    MemoryDisk disk(loop, 64);
    u8 data[1024] = {};
    EXPECT_EQ(disk.write_polled(0, ReadonlyBytes(data, 1024)).error(), Error::BadState);  // nothing reserved
    EXPECT_EQ(disk.reserve_polled(0).error(), Error::InvalidArgument);
    ASSERT_TRUE(disk.reserve_polled(2).ok());
    EXPECT_EQ(disk.write_polled(0, ReadonlyBytes(data, 1000)).error(), Error::InvalidArgument);
    EXPECT_EQ(disk.write_polled(63, ReadonlyBytes(data, 1024)).error(), Error::OutOfRange);
    EXPECT_TRUE(disk.write_polled(62, ReadonlyBytes(data, 1024)).ok());
    u8 more[1536] = {};
    EXPECT_EQ(disk.write_polled(0, ReadonlyBytes(more, 1536)).error(), Error::Overflow);  // beyond the reservation
    EXPECT_EQ(disk.polled_writes, 1u);
}
