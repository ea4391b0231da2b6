#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "boot/boot_args.hpp"
#include "core/log.hpp"

using namespace mote;

namespace {
std::vector<std::string> kept(const Log& log) {
    std::vector<std::string> out;
    log.for_each_line([](StringView l, void* c) { static_cast<std::vector<std::string>*>(c)->emplace_back(l.data(), l.length()); },
                      &out);
    return out;
}
Nanoseconds fixed_clock() { return 1234567891; }
}  // namespace

TEST(Log, LinesCarryTimeLevelTagAndText) {
    Log log;
    log.set_clock(fixed_clock);
    log.write(LogLevel::Warn, "blk", "vd{} failed: {}", 'a', Error::Io);
    auto lines = kept(log);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "[    1.234567] warn  blk: vda failed: Io");
}

TEST(Log, ConsoleGetsOnlyLinesAtOrAboveTheThreshold) {
    Log log;
    std::vector<std::string> console;
    log.set_console([](StringView l, void* c) { static_cast<std::vector<std::string>*>(c)->emplace_back(l.data(), l.length()); },
                    &console);
    log.set_console_level(LogLevel::Warn);
    log.write(LogLevel::Error, "t", "e");
    log.write(LogLevel::Info, "t", "i");
    log.write(LogLevel::Debug, "t", "d");
    EXPECT_EQ(console.size(), 1u);
    EXPECT_EQ(kept(log).size(), 3u) << "the ring keeps every level";
}

TEST(Log, RingDropsOldestWholeLines) {
    Log log;
    for (int i = 0; i < 2000; ++i) log.write(LogLevel::Info, "spam", "line number {}", i);
    auto lines = kept(log);
    EXPECT_LT(lines.size(), 2000u);
    EXPECT_GT(log.lines_dropped(), 0u);
    EXPECT_EQ(lines.size() + log.lines_dropped(), 2000u);
    // Every kept line is whole, and the newest is last.
    for (auto& l : lines) EXPECT_NE(l.find("spam: line number"), std::string::npos) << l;
    EXPECT_NE(lines.back().find("1999"), std::string::npos);
}

TEST(Log, LevelNamesRoundTrip) {
    for (u8 l = 0; l <= u8(LogLevel::Trace); ++l) {
        LogLevel parsed;
        ASSERT_TRUE(parse_log_level(log_level_name(LogLevel(l)), parsed));
        EXPECT_EQ(parsed, LogLevel(l));
    }
    LogLevel x;
    EXPECT_FALSE(parse_log_level("loud", x));
}

TEST(BootArgs, KeyValuesAndFlags) {
    BootArgs args("console=ttyS0 mote.log=debug  mote.test=all quiet mote.log=warn");
    StringView v;
    ASSERT_TRUE(args.get("mote.log", v));
    EXPECT_TRUE(v == StringView("warn")) << "the last one wins";
    ASSERT_TRUE(args.get("mote.test", v));
    EXPECT_TRUE(v == StringView("all"));
    EXPECT_FALSE(args.get("mote", v));
    EXPECT_FALSE(args.get("mote.missing", v));
    EXPECT_TRUE(args.has_flag("quiet"));
    EXPECT_FALSE(args.has_flag("mote.log"));
}
