// The epitaph (core/epitaph_record.hpp): a record written and sealed decodes
// to the same fields; every check of the decoder refuses what it should,
// by name; the writers cut and clean what does not fit; the text the next
// boot prints (core/previous_boot.hpp) and the loop watchdog's judgement
// (core/loop_watchdog.hpp).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/epitaph_record.hpp"
#include "core/loop_watchdog.hpp"
#include "core/previous_boot.hpp"

using namespace mote;

namespace {

EpitaphRecord crashed_record() {
    EpitaphRecord r;
    r.begin(EpitaphState::Crashed, 7);
    r.kind = u8(CrashKind::Panic);
    r.set_cause("VERIFY(x) failed");
    r.set_arch("riscv64");
    r.set_revision("abcdef123456");
    r.set_process("sh", 2);
    r.pc = 0x80201234;
    r.uptime_ns = 1'500'000'000;
    EXPECT_TRUE(r.add_register("ra", 0x1111));
    EXPECT_TRUE(r.add_register("sp", 0x2222));
    EXPECT_TRUE(r.append_log_line("[ 0.1] info boot: hello"));
    EXPECT_TRUE(r.append_log_line("[ 0.2] warn x: bye"));
    r.seal();
    return r;
}

ReadonlyBytes bytes_of(const EpitaphRecord& r) { return ReadonlyBytes(reinterpret_cast<const u8*>(&r), sizeof(r)); }

EpitaphFault fault_of(const EpitaphRecord& r) {
    EpitaphRecord out;
    EpitaphFault fault = EpitaphFault::None;
    auto decoded = decode_epitaph(bytes_of(r), out, &fault);
    EXPECT_EQ(decoded.ok(), fault == EpitaphFault::None);
    return fault;
}

std::vector<std::string> lines_of(const PreviousBoot& previous, bool with_log) {
    std::vector<std::string> lines;
    write_previous_boot(
        previous, with_log,
        [](StringView line, void* c) { static_cast<std::vector<std::string>*>(c)->emplace_back(line.data(), line.length()); },
        &lines);
    return lines;
}

bool has_line(const std::vector<std::string>& lines, const std::string& text) {
    for (const auto& l : lines)
        if (l.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST(Epitaph, SealedRecordDecodesToTheSameFields) {
    EpitaphRecord r = crashed_record();
    EpitaphRecord out;
    ASSERT_TRUE(decode_epitaph(bytes_of(r), out).ok());
    EXPECT_EQ(out.record_state(), EpitaphState::Crashed);
    EXPECT_EQ(out.crash_kind(), CrashKind::Panic);
    EXPECT_EQ(out.boot, 7u);
    EXPECT_EQ(out.cause_text(), StringView("VERIFY(x) failed"));
    EXPECT_EQ(out.process_name(), StringView("sh"));
    EXPECT_EQ(out.pid, 2u);
    EXPECT_EQ(out.arch_name(), StringView("riscv64"));
    EXPECT_EQ(out.register_count, 2u);
    EXPECT_EQ(out.register_name(1), StringView("sp"));
    EXPECT_EQ(out.registers[1], 0x2222u);
    EXPECT_EQ(out.log_text(), StringView("[ 0.1] info boot: hello\n[ 0.2] warn x: bye\n"));
    EXPECT_EQ(std::memcmp(&out, &r, sizeof(r)), 0);
}

TEST(Epitaph, EveryFlippedBitFailsTheChecksumOrAnEarlierCheck) {
    EpitaphRecord r = crashed_record();
    for (usize byte = 0; byte < sizeof(r); byte += 13) {
        EpitaphRecord bad = r;
        reinterpret_cast<u8*>(&bad)[byte] ^= 0x10;
        EXPECT_NE(fault_of(bad), EpitaphFault::None) << "byte " << byte;
    }
    EpitaphRecord bad = r;
    bad.log[0] ^= 1;
    EXPECT_EQ(fault_of(bad), EpitaphFault::BadChecksum);
}

TEST(Epitaph, EachCheckRefusesByName) {
    EpitaphRecord out;
    EpitaphFault fault = EpitaphFault::None;
    EpitaphRecord r = crashed_record();
    EXPECT_FALSE(decode_epitaph(ReadonlyBytes(bytes_of(r).data(), sizeof(r) - 1), out, &fault).ok());
    EXPECT_EQ(fault, EpitaphFault::TooShort);

    std::vector<u8> zeros(sizeof(EpitaphRecord), 0);
    EXPECT_FALSE(decode_epitaph(ReadonlyBytes(zeros.data(), zeros.size()), out, &fault).ok());
    EXPECT_EQ(fault, EpitaphFault::BadMagic);

    auto resealed = [](EpitaphRecord x) {
        x.seal();
        return fault_of(x);
    };
    EpitaphRecord v = r;
    v.version = 2;
    EXPECT_EQ(resealed(v), EpitaphFault::BadVersion);
    v = r;
    v.size = 12;
    EXPECT_EQ(resealed(v), EpitaphFault::BadSize);
    v = r;
    v.state = 9;
    EXPECT_EQ(resealed(v), EpitaphFault::BadState);
    v = r;
    v.kind = u8(CrashKind::None);
    EXPECT_EQ(resealed(v), EpitaphFault::BadKind);
    v = r;
    v.state = u8(EpitaphState::Clean);
    EXPECT_EQ(resealed(v), EpitaphFault::BadKind);
    v = r;
    v.cause_length = EpitaphRecord::kCauseMax + 1;
    EXPECT_EQ(resealed(v), EpitaphFault::BadLength);
    v = r;
    v.register_count = EpitaphRecord::kRegisterMax + 1;
    EXPECT_EQ(resealed(v), EpitaphFault::BadLength);
    v = r;
    v.scrubbed_mask = u64(1) << 5;  // beyond the two registers
    EXPECT_EQ(resealed(v), EpitaphFault::BadLength);
    v = r;
    v.flags |= 0x100;
    EXPECT_EQ(resealed(v), EpitaphFault::BadLength);
    v = r;
    v.cause[0] = '\x1b';
    EXPECT_EQ(resealed(v), EpitaphFault::BadText);
    v = r;
    v.log[v.log_length - 1] = 'x';  // a log that does not end a line
    EXPECT_EQ(resealed(v), EpitaphFault::BadText);
    v = r;
    std::memset(v.register_names[0], 0, EpitaphRecord::kRegisterNameMax);
    EXPECT_EQ(resealed(v), EpitaphFault::BadText);
    EXPECT_STREQ(epitaph_fault_name(EpitaphFault::BadChecksum), "BadChecksum");
}

TEST(Epitaph, WritersCutAndCleanWhatDoesNotFit) {
    EpitaphRecord r;
    r.begin(EpitaphState::Running, 1);
    std::string long_cause(500, 'c');
    long_cause[3] = '\n';
    r.set_cause(StringView(long_cause.data(), long_cause.size()));
    EXPECT_EQ(r.cause_length, EpitaphRecord::kCauseMax);
    EXPECT_EQ(r.cause[3], '?');
    for (usize i = 0; i < EpitaphRecord::kRegisterMax; ++i) EXPECT_TRUE(r.add_register("r", i));
    EXPECT_FALSE(r.add_register("r", 99));
    std::string line(100, 'l');
    usize kept = 0;
    while (r.append_log_line(StringView(line.data(), line.size()))) ++kept;
    EXPECT_EQ(kept, EpitaphRecord::kLogMax / 101);
    r.seal();
    EXPECT_EQ(fault_of(r), EpitaphFault::None);
}

TEST(Epitaph, PreviousBootTellsACrashAndKeepsTheLogPrivileged) {
    PreviousBoot previous;
    previous.found = PreviousBoot::Found::Record;
    previous.record = crashed_record();
    previous.boot = 8;
    previous.place = "RAM 0x80300000";
    char storage[256];
    FormatBuffer line(Span<char>(storage, sizeof(storage)));
    format_previous_boot(line, previous);
    EXPECT_EQ(std::string(line.view().data(), line.view().length()),
              "previous boot ended in a crash: VERIFY(x) failed (panic, pc 0x80201234, boot 7, pid 2 (sh), up 1.500 s)");
    auto open = lines_of(previous, false);
    EXPECT_TRUE(has_line(open, "cause: VERIFY(x) failed"));
    EXPECT_TRUE(has_line(open, "place: RAM 0x80300000"));
    EXPECT_TRUE(has_line(open, "log: 2 lines"));
    EXPECT_FALSE(has_line(open, "hello"));
    EXPECT_TRUE(has_line(lines_of(previous, true), "info boot: hello"));

    PreviousBoot nothing;
    nothing.found = PreviousBoot::Found::Nothing;
    nothing.fault = EpitaphFault::BadChecksum;
    nothing.boot = 1;
    line.clear();
    format_previous_boot(line, nothing);
    EXPECT_EQ(std::string(line.view().data(), line.view().length()),
              "no epitaph from a previous boot (BadChecksum), this is boot 1");
}

TEST(Epitaph, ScrubbedRegistersReadAsScrubbed) {
    PreviousBoot previous;
    previous.found = PreviousBoot::Found::Record;
    previous.record = crashed_record();
    previous.record.scrubbed_mask = 1;
    previous.record.flags |= EpitaphRecord::kRegistersScrubbed;
    previous.record.registers[0] = 0;
    auto lines = lines_of(previous, false);
    EXPECT_TRUE(has_line(lines, "ra scrubbed"));
    EXPECT_TRUE(has_line(lines, "some scrubbed"));
}

TEST(LoopWatchdog, AHandlerWithoutABeatForTheBoundIsAWedge) {
    LoopWatchdog dog;
    LoopActivity activity;
    dog.start(4 * kSecond, 0);
    activity.enter(LoopStep::Deferred, 0x1234);
    EXPECT_FALSE(dog.check(activity, 1 * kSecond, false));  // first sight of this beat
    EXPECT_FALSE(dog.check(activity, 4 * kSecond, false));
    EXPECT_TRUE(dog.check(activity, 5 * kSecond, false));
    // Progress, user code and waiting are never a wedge.
    activity.enter(LoopStep::Completion, 0x5678);
    EXPECT_FALSE(dog.check(activity, 6 * kSecond, false));
    EXPECT_FALSE(dog.check(activity, 20 * kSecond, true));
    activity.enter(LoopStep::Waiting, 0);
    EXPECT_FALSE(dog.check(activity, 40 * kSecond, false));
    EXPECT_FALSE(dog.check(activity, 80 * kSecond, false));
    EXPECT_EQ(dog.tick_deadline(kNoDeadline, 100 * kSecond), 101 * kSecond);
}

TEST(LoopWatchdog, OffNeverFiresNorTicks) {
    LoopWatchdog dog;
    LoopActivity activity;
    dog.start(0, 0);
    activity.enter(LoopStep::Timer, 1);
    EXPECT_FALSE(dog.check(activity, 0, false));
    EXPECT_FALSE(dog.check(activity, 1000 * kSecond, false));
    EXPECT_EQ(dog.tick_deadline(kNoDeadline, 5), kNoDeadline);
}
