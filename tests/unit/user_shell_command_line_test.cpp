// The shell's pure logic (user/programs/sh/command_line.*): words and
// quotes, background jobs, bad lines with a reason, built-ins and program
// paths, job numbers.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "command_line.hpp"

using namespace mote;
using namespace mote::user;

TEST(UserShell, SplitsWordsAndQuotes) {
    auto c = parse_command_line("echo \"a b\" c");
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(c.value().words.count(), 3u);
    EXPECT_TRUE(c.value().words[1] == "a b");
    EXPECT_FALSE(c.value().background);
    auto blank = parse_command_line("   ");
    ASSERT_TRUE(blank.ok());
    EXPECT_TRUE(blank.value().words.empty());
}

TEST(UserShell, TrailingAmpersandRunsInTheBackground) {
    auto c = parse_command_line("spin 5 &  ");
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(c.value().background);
    ASSERT_EQ(c.value().words.count(), 2u);
    EXPECT_TRUE(c.value().words[1] == "5");
    auto glued = parse_command_line("spin&");
    ASSERT_TRUE(glued.ok());
    EXPECT_TRUE(glued.value().background);
    EXPECT_TRUE(glued.value().words[0] == "spin");
    auto quoted = parse_command_line("echo \"&\"");
    ASSERT_TRUE(quoted.ok());
    EXPECT_FALSE(quoted.value().background);
    EXPECT_TRUE(quoted.value().words[1] == "&");
}

TEST(UserShell, BadLinesSayWhy) {
    CommandLineFault fault;
    ArgumentsFault words;
    EXPECT_TRUE(parse_command_line(" & ", &fault, &words).is_error());
    EXPECT_EQ(fault, CommandLineFault::NothingToRun);
    EXPECT_TRUE(parse_command_line("echo \"open", &fault, &words).is_error());
    EXPECT_EQ(fault, CommandLineFault::Words);
    EXPECT_EQ(words, ArgumentsFault::UnterminatedQuote);
}

TEST(UserShell, BuiltinsAndProgramPaths) {
    EXPECT_EQ(find_builtin("cd"), Builtin::Cd);
    EXPECT_EQ(find_builtin("exit"), Builtin::Exit);
    EXPECT_EQ(find_builtin("help"), Builtin::Help);
    EXPECT_EQ(find_builtin("jobs"), Builtin::Jobs);
    EXPECT_EQ(find_builtin("kill"), Builtin::Kill);
    EXPECT_EQ(find_builtin("ls"), Builtin::None);
    EXPECT_EQ(find_builtin("cdx"), Builtin::None);
    char storage[16];
    auto ls = program_path("ls", Span<char>(storage, sizeof(storage)));
    EXPECT_TRUE(ls.path == "bin/ls");
    EXPECT_TRUE(ls.under_root);
    auto path = program_path("tmp/x", Span<char>(storage, sizeof(storage)));
    EXPECT_TRUE(path.path == "tmp/x");
    EXPECT_FALSE(path.under_root);
    EXPECT_TRUE(program_path("a-very-long-name", Span<char>(storage, sizeof(storage))).path.empty());
    auto absolute = program_path("/tmp/prog", Span<char>(storage, sizeof(storage)));
    EXPECT_TRUE(absolute.path == "tmp/prog");
    EXPECT_TRUE(absolute.under_root);
    EXPECT_TRUE(program_path("//bin/ls", Span<char>(storage, sizeof(storage))).path == "bin/ls");
    EXPECT_TRUE(program_path("/", Span<char>(storage, sizeof(storage))).path.empty());
}

TEST(UserShell, JobsTakeTheLowestFreeNumber) {
    JobTable jobs;
    EXPECT_EQ(jobs.add(10, "spin").value(), 1u);
    EXPECT_EQ(jobs.add(11, "sleep").value(), 2u);
    EXPECT_EQ(jobs.add(12, "a-name-longer-than-the-table-keeps-for-a-job").value(), 3u);
    EXPECT_EQ(std::strlen(jobs.find(3)->name), JobTable::kNameMax - 1);
    jobs.remove(1);
    EXPECT_EQ(jobs.find(1), nullptr);
    EXPECT_EQ(jobs.find_handle(11)->id, 2u);
    EXPECT_EQ(jobs.add(13, "x").value(), 1u);
    EXPECT_EQ(jobs.count(), 3u);
    for (uint32_t h = 20; jobs.count() < JobTable::kMaxJobs; ++h) ASSERT_TRUE(jobs.add(h, "j").ok());
    EXPECT_TRUE(jobs.add(99, "full").is_error());
    EXPECT_EQ(jobs.find(0), nullptr);
    EXPECT_EQ(jobs.find(JobTable::kMaxJobs + 1), nullptr);
}
