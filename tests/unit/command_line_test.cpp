// The shell's pipelines (user/programs/sh/command_line.*): stages split at
// words that are exactly "|", "+cap" words at the start of a stage asking
// for capabilities, "<", ">" and ">>" redirections, and the faults
// (EmptyStage, TooManyStages, UnknownCapability, the redirection ones). Words, '&' and built-ins are in user_runtime_test.cpp.
#include <gtest/gtest.h>

#include <set>
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
            StringView w = stage_word(c, c.stages[s], i);
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

namespace {

struct Redirected {
    std::string input, output;
    bool append = false;
    bool operator==(const Redirected&) const = default;
};

std::vector<Redirected> redirections(const std::string& line) {
    auto c = parse_command_line(StringView(line.data(), line.size()));
    EXPECT_TRUE(c.ok()) << line;
    std::vector<Redirected> out;
    if (!c.ok()) return out;
    for (usize s = 0; s < c.value().stage_count; ++s) {
        const Stage& stage = c.value().stages[s];
        out.push_back({std::string(stage.input.data(), stage.input.length()),
                       std::string(stage.output.data(), stage.output.length()), stage.append});
    }
    return out;
}

}  // namespace

TEST(ShellRedirection, FilesAreNotArguments) {
    EXPECT_EQ(parse_ok("echo hi > /tmp/a"), (std::vector<StageView> {{"echo hi", 0}}));
    EXPECT_EQ(redirections("echo hi > /tmp/a"), (std::vector<Redirected> {{"", "/tmp/a", false}}));
    EXPECT_EQ(redirections("echo hi >/tmp/a"), (std::vector<Redirected> {{"", "/tmp/a", false}}));
    EXPECT_EQ(redirections("echo hi >> log"), (std::vector<Redirected> {{"", "log", true}}));
    EXPECT_EQ(redirections("echo hi >>log"), (std::vector<Redirected> {{"", "log", true}}));
    EXPECT_EQ(redirections("cat < in"), (std::vector<Redirected> {{"in", "", false}}));
    EXPECT_EQ(redirections("cat <in >out"), (std::vector<Redirected> {{"in", "out", false}}));
    // Anywhere in the stage: the arguments close up around it.
    EXPECT_EQ(parse_ok("cat < in -n > out x"), (std::vector<StageView> {{"cat -n x", 0}}));
    EXPECT_EQ(parse_ok("> out echo hi"), (std::vector<StageView> {{"echo hi", 0}}));
    EXPECT_EQ(parse_ok("+log > out cat sys/log"), (std::vector<StageView> {{"cat sys/log", kCapLog}}));
    // With pipes: stdin of the first, stdout of the last.
    EXPECT_EQ(redirections("cat < in | wc | tee >> out"),
              (std::vector<Redirected> {{"in", "", false}, {"", "", false}, {"", "out", true}}));
    EXPECT_EQ(parse_ok("cat < in | wc > out"), (std::vector<StageView> {{"cat", 0}, {"wc", 0}}));
    // Quoted, or inside a word, it is text.
    EXPECT_EQ(parse_ok("echo \">\" x"), (std::vector<StageView> {{"echo > x", 0}}));
    EXPECT_EQ(parse_ok("echo a>b"), (std::vector<StageView> {{"echo a>b", 0}}));
    EXPECT_EQ(redirections("echo > \"my file\""), (std::vector<Redirected> {{"", "my file", false}}));
    EXPECT_EQ(redirections("echo > \"|\""), (std::vector<Redirected> {{"", "|", false}}));
    auto c = parse_command_line("cat < in > out x &");
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(c.value().background);
    EXPECT_EQ(c.value().stages[0].count, 2u);
    EXPECT_EQ(c.value().stages[0].first, 0u);
    EXPECT_TRUE(stage_word(c.value(), c.value().stages[0], 1) == "x");
    EXPECT_TRUE(stage_word(c.value(), c.value().stages[0], 2).empty());
}

TEST(ShellRedirection, FaultsSayWhatIsMissing) {
    EXPECT_EQ(parse_fault("echo >"), CommandLineFault::MissingOutputFile);
    EXPECT_EQ(parse_fault("echo >>"), CommandLineFault::MissingAppendFile);
    EXPECT_EQ(parse_fault("cat <"), CommandLineFault::MissingInputFile);
    EXPECT_EQ(parse_fault("echo > | cat"), CommandLineFault::MissingOutputFile);
    EXPECT_EQ(parse_fault("echo > > x"), CommandLineFault::MissingOutputFile);
    EXPECT_EQ(parse_fault("cat < > x"), CommandLineFault::MissingInputFile);
    EXPECT_EQ(parse_fault("cat > a > b"), CommandLineFault::DuplicateRedirection);
    EXPECT_EQ(parse_fault("cat > a >> b"), CommandLineFault::DuplicateRedirection);
    EXPECT_EQ(parse_fault("cat < a < b"), CommandLineFault::DuplicateRedirection);
    EXPECT_EQ(parse_fault("a | b < in"), CommandLineFault::InputInPipe);
    EXPECT_EQ(parse_fault("a > out | b"), CommandLineFault::OutputInPipe);
    EXPECT_EQ(parse_fault("> out"), CommandLineFault::EmptyStage) << "nothing to run";
    EXPECT_EQ(parse_fault("< in | b"), CommandLineFault::EmptyStage);
    EXPECT_STREQ(command_line_fault_message(CommandLineFault::MissingOutputFile), "missing file name after >");
    EXPECT_STREQ(command_line_fault_message(CommandLineFault::MissingAppendFile), "missing file name after >>");
    EXPECT_STREQ(command_line_fault_message(CommandLineFault::MissingInputFile), "missing file name after <");
}

TEST(ShellPipeline, EveryFaultHasAName) {
    std::set<std::string> names, messages;
    for (usize i = 0; i < kCommandLineFaultCount; ++i) {
        names.insert(command_line_fault_name(CommandLineFault(i)));
        messages.insert(command_line_fault_message(CommandLineFault(i)));
    }
    EXPECT_EQ(names.size(), kCommandLineFaultCount);
    EXPECT_EQ(messages.size(), kCommandLineFaultCount);
    EXPECT_EQ(names.count("UnknownCommandLineFault"), 0u);
    EXPECT_STREQ(command_line_fault_name(CommandLineFault::None), "None");
    EXPECT_STREQ(command_line_fault_name(CommandLineFault::Words), "Words");
    EXPECT_STREQ(command_line_fault_name(CommandLineFault::NothingToRun), "NothingToRun");
    EXPECT_STREQ(command_line_fault_name(CommandLineFault::EmptyStage), "EmptyStage");
    EXPECT_STREQ(command_line_fault_name(CommandLineFault::TooManyStages), "TooManyStages");
    EXPECT_STREQ(command_line_fault_name(CommandLineFault::UnknownCapability), "UnknownCapability");
    EXPECT_STREQ(command_line_fault_name(CommandLineFault(99)), "UnknownCommandLineFault");
}
