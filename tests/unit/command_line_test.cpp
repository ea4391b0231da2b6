// The shell's pipelines (user/programs/sh/command_line.*): stages split at
// words that are exactly "|", "+cap" words at the start of a stage asking
// for capabilities, and the faults (EmptyStage, TooManyStages,
// UnknownCapability). Words, '&' and built-ins are in user_runtime_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "caps_policy.hpp"
#include "command_line.hpp"

using namespace mote;
using namespace mote::user;

namespace {

// Each stage's words joined by spaces, with its caps.
struct StageView {
    std::string words;
    u32 caps = 0;
    bool operator==(const StageView&) const = default;
};

std::vector<StageView> stages(const CommandLine& c) {
    std::vector<StageView> out;
    for (usize s = 0; s < c.stage_count; ++s) {
        StageView v;
        for (usize i = 0; i < c.stages[s].count; ++i) {
            StringView w = c.words[c.stages[s].first + i];
            if (i) v.words += ' ';
            v.words.append(w.data(), w.length());
        }
        v.caps = c.stages[s].caps;
        out.push_back(v);
    }
    return out;
}

std::vector<StageView> parse_ok(const std::string& line) {
    CommandLineFault fault = CommandLineFault::Words;
    auto c = parse_command_line(StringView(line.data(), line.size()), &fault);
    EXPECT_TRUE(c.ok()) << line << ": " << command_line_fault_name(fault);
    if (!c.ok()) return {};
    EXPECT_EQ(fault, CommandLineFault::None);
    return stages(c.value());
}

CommandLineFault parse_fault(const std::string& line) {
    CommandLineFault fault = CommandLineFault::None;
    auto c = parse_command_line(StringView(line.data(), line.size()), &fault);
    EXPECT_TRUE(c.is_error()) << line;
    return fault;
}

}  // namespace

TEST(ShellPipeline, OneCommandIsOneStage) {
    EXPECT_EQ(parse_ok("ls -l bin"), (std::vector<StageView> {{"ls -l bin", 0}}));
    EXPECT_EQ(parse_ok("   "), (std::vector<StageView> {})) << "a blank line has no stages";
}

TEST(ShellPipeline, StagesSplitAtBars) {
    EXPECT_EQ(parse_ok("cat motd | wc | hexdump -C"),
              (std::vector<StageView> {{"cat motd", 0}, {"wc", 0}, {"hexdump -C", 0}}));
    // Only a word that is exactly "|" splits; glued bars are words, and so
    // is a quoted bar, as is a quoted "+cap".
    EXPECT_EQ(parse_ok("echo a|b || c|"), (std::vector<StageView> {{"echo a|b || c|", 0}}));
    auto quoted = parse_command_line("echo \"|\" x");
    ASSERT_TRUE(quoted.ok());
    EXPECT_EQ(quoted.value().stage_count, 1u);
    EXPECT_EQ(quoted.value().stages[0].count, 3u);
    auto quoted_cap = parse_command_line("\"+log\" x");
    ASSERT_TRUE(quoted_cap.ok());
    EXPECT_EQ(quoted_cap.value().stages[0].caps, 0u);
    EXPECT_EQ(quoted_cap.value().stages[0].count, 2u);
    auto c = parse_command_line("a | b &");
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(c.value().background);
    EXPECT_EQ(stages(c.value()), (std::vector<StageView> {{"a", 0}, {"b", 0}}));
}

TEST(ShellPipeline, CapWordsLeadAStage) {
    EXPECT_EQ(parse_ok("+audit cat sys/audit"), (std::vector<StageView> {{"cat sys/audit", kCapAudit}}));
    EXPECT_EQ(parse_ok("+power +log +dev x | +audit y | z"),
              (std::vector<StageView> {{"x", kCapPower | kCapLog | kCapDev}, {"y", kCapAudit}, {"z", 0}}));
    // After the command, "+word" is an argument; a lone "+" is a word.
    EXPECT_EQ(parse_ok("echo +power"), (std::vector<StageView> {{"echo +power", 0}}));
    EXPECT_EQ(parse_ok("+ x"), (std::vector<StageView> {{"+ x", 0}}));
    EXPECT_EQ(parse_ok("+log +log x"), (std::vector<StageView> {{"x", kCapLog}}));
}

TEST(ShellPipeline, EmptyStages) {
    EXPECT_EQ(parse_fault("| a"), CommandLineFault::EmptyStage);
    EXPECT_EQ(parse_fault("a |"), CommandLineFault::EmptyStage);
    EXPECT_EQ(parse_fault("a | | b"), CommandLineFault::EmptyStage);
    EXPECT_EQ(parse_fault("|"), CommandLineFault::EmptyStage);
    EXPECT_EQ(parse_fault("+power | a"), CommandLineFault::EmptyStage) << "capabilities for nothing";
    EXPECT_EQ(parse_fault("+power"), CommandLineFault::EmptyStage);
}

TEST(ShellPipeline, TooManyStages) {
    std::string line = "a";
    for (usize i = 1; i < CommandLine::kMaxStages; ++i) line += " | a";
    auto most = parse_ok(line);
    EXPECT_EQ(most.size(), CommandLine::kMaxStages);
    // One stage more needs 2 * kMaxStages + 1 words, more than a line can
    // have: the word splitter refuses it first, so TooManyStages cannot be
    // reached while Arguments::kMaxWords is 16.
    static_assert(2 * CommandLine::kMaxStages + 1 > Arguments::kMaxWords);
    CommandLineFault fault = CommandLineFault::None;
    ArgumentsFault words = ArgumentsFault::None;
    std::string nine = line + " | a";
    EXPECT_TRUE(parse_command_line(StringView(nine.data(), nine.size()), &fault, &words).is_error());
    EXPECT_EQ(fault, CommandLineFault::Words);
    EXPECT_EQ(words, ArgumentsFault::TooManyWords);
}

TEST(ShellPipeline, UnknownCapability) {
    EXPECT_EQ(parse_fault("+root sh"), CommandLineFault::UnknownCapability);
    EXPECT_EQ(parse_fault("a | +Power b"), CommandLineFault::UnknownCapability);
    EXPECT_EQ(parse_fault("++power b"), CommandLineFault::UnknownCapability);
}

TEST(ShellPipeline, EveryFaultHasAName) {
    EXPECT_STREQ(command_line_fault_name(CommandLineFault::None), "None");
    EXPECT_STREQ(command_line_fault_name(CommandLineFault::Words), "Words");
    EXPECT_STREQ(command_line_fault_name(CommandLineFault::NothingToRun), "NothingToRun");
    EXPECT_STREQ(command_line_fault_name(CommandLineFault::EmptyStage), "EmptyStage");
    EXPECT_STREQ(command_line_fault_name(CommandLineFault::TooManyStages), "TooManyStages");
    EXPECT_STREQ(command_line_fault_name(CommandLineFault::UnknownCapability), "UnknownCapability");
    EXPECT_STREQ(command_line_fault_name(CommandLineFault(99)), "UnknownCommandLineFault");
}
