// The shell's command lists (user/programs/sh/command_list.*: ;, &&, ||
// and & between commands, split outside double quotes) and its logical
// working directory (user/programs/sh/working_path.*).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_list.hpp"
#include "working_path.hpp"

using namespace mote;
using namespace mote::user;

namespace {

struct Item {
    std::string text;
    Connector next;
    bool operator==(const Item&) const = default;
};

std::vector<Item> split(const char* line) {
    auto list = split_command_list(line);
    EXPECT_TRUE(list.ok()) << line;
    std::vector<Item> out;
    if (list.is_error()) return out;
    for (usize i = 0; i < list.value().count; ++i) {
        const ListItem& item = list.value().items[i];
        out.push_back({std::string(item.text.data(), item.text.length()), item.next});
    }
    return out;
}

CommandListFault fault_of(const char* line) {
    CommandListFault fault = CommandListFault::None;
    EXPECT_TRUE(split_command_list(line, &fault).is_error()) << line;
    return fault;
}

std::string resolve(const char* current, const char* target, usize room = 64) {
    std::vector<char> out(room);
    auto path = resolve_directory(current, target, Span<char>(out.data(), out.size()));
    if (path.is_error()) return std::string("error:") + error_name(path.error());
    return std::string(path.value().data(), path.value().length());
}

}  // namespace

TEST(ShellCommandList, OneCommandIsOneItem) {
    EXPECT_EQ(split("ls -l"), (std::vector<Item> {{"ls -l", Connector::End}}));
    EXPECT_TRUE(split("").empty());
    EXPECT_TRUE(split("   ").empty());
}

TEST(ShellCommandList, OperatorsSplitWithOrWithoutSpaces) {
    EXPECT_EQ(split("echo a;echo b"), (std::vector<Item> {{"echo a", Connector::Then}, {"echo b", Connector::End}}));
    EXPECT_EQ(split("true && echo yes || echo no"),
              (std::vector<Item> {{"true ", Connector::And}, {" echo yes ", Connector::Or}, {" echo no", Connector::End}}));
    EXPECT_EQ(split("a&&b||c"), (std::vector<Item> {{"a", Connector::And}, {"b", Connector::Or}, {"c", Connector::End}}));
    // A pipe is not a list operator: one item, which parse_command_line splits.
    EXPECT_EQ(split("ls | cat"), (std::vector<Item> {{"ls | cat", Connector::End}}));
}

TEST(ShellCommandList, BackgroundKeepsItsAmpersand) {
    EXPECT_EQ(split("sleep 1 & echo hi"), (std::vector<Item> {{"sleep 1 &", Connector::Then}, {" echo hi", Connector::End}}));
    EXPECT_EQ(split("sleep 1 &"), (std::vector<Item> {{"sleep 1 &", Connector::End}}));
    EXPECT_EQ(split("a & b &"), (std::vector<Item> {{"a &", Connector::Then}, {" b &", Connector::End}}));
}

TEST(ShellCommandList, QuotesHideOperators) {
    EXPECT_EQ(split("echo \"a;b && c || d & e\""), (std::vector<Item> {{"echo \"a;b && c || d & e\"", Connector::End}}));
    EXPECT_EQ(split("echo \";\" ; ls"), (std::vector<Item> {{"echo \";\" ", Connector::Then}, {" ls", Connector::End}}));
    // An unterminated quote runs to the end; the word splitter refuses it later.
    EXPECT_EQ(split("echo \"a;b"), (std::vector<Item> {{"echo \"a;b", Connector::End}}));
}

TEST(ShellCommandList, ATrailingSemicolonEndsTheList) {
    EXPECT_EQ(split("ls;"), (std::vector<Item> {{"ls", Connector::End}}));
    EXPECT_EQ(split("ls ;  "), (std::vector<Item> {{"ls ", Connector::End}}));
}

TEST(ShellCommandList, MissingCommandsAreFaults) {
    EXPECT_EQ(fault_of("; ls"), CommandListFault::MissingCommand);
    EXPECT_EQ(fault_of("ls ;; ls"), CommandListFault::MissingCommand);
    EXPECT_EQ(fault_of("&& ls"), CommandListFault::MissingCommand);
    EXPECT_EQ(fault_of("ls && && ls"), CommandListFault::MissingCommand);
    EXPECT_EQ(fault_of("& ls"), CommandListFault::MissingCommand);
    EXPECT_EQ(fault_of("ls &&"), CommandListFault::MissingAfter);
    EXPECT_EQ(fault_of("ls ||  "), CommandListFault::MissingAfter);
    std::string many;
    for (usize i = 0; i <= CommandList::kMaxItems; ++i) many += "true;";
    EXPECT_EQ(fault_of(many.c_str()), CommandListFault::TooManyCommands);
    many.pop_back();  // kMaxItems + 1 commands without the trailing ';'
    EXPECT_EQ(fault_of(many.c_str()), CommandListFault::TooManyCommands);
    for (auto f : {CommandListFault::None, CommandListFault::MissingCommand, CommandListFault::MissingAfter,
                   CommandListFault::TooManyCommands}) {
        EXPECT_STRNE(command_list_fault_name(f), "UnknownCommandListFault");
        EXPECT_STRNE(command_list_fault_message(f), "unknown fault");
    }
}

TEST(ShellCommandList, WhichCommandRunsNext) {
    EXPECT_TRUE(runs_next(Connector::Then, true));
    EXPECT_TRUE(runs_next(Connector::Then, false));
    EXPECT_TRUE(runs_next(Connector::And, true));
    EXPECT_FALSE(runs_next(Connector::And, false));
    EXPECT_FALSE(runs_next(Connector::Or, true));
    EXPECT_TRUE(runs_next(Connector::Or, false));
    EXPECT_FALSE(runs_next(Connector::End, true));
}

TEST(ShellWorkingPath, RelativeAndAbsolute) {
    EXPECT_EQ(resolve("/", "tmp"), "/tmp");
    EXPECT_EQ(resolve("/tmp", "d"), "/tmp/d");
    EXPECT_EQ(resolve("/tmp/d", "/etc"), "/etc");
    EXPECT_EQ(resolve("/tmp/d", "/"), "/");
    EXPECT_EQ(resolve("/tmp", "a/b/c"), "/tmp/a/b/c");
}

TEST(ShellWorkingPath, DotsAndSlashes) {
    EXPECT_EQ(resolve("/tmp/d", ".."), "/tmp");
    EXPECT_EQ(resolve("/tmp/d", "../.."), "/");
    EXPECT_EQ(resolve("/tmp/d", "../../../.."), "/") << "nothing above the root, as in POSIX";
    EXPECT_EQ(resolve("/", ".."), "/");
    EXPECT_EQ(resolve("/tmp", "./d/./"), "/tmp/d");
    EXPECT_EQ(resolve("/tmp", "d//e///"), "/tmp/d/e");
    EXPECT_EQ(resolve("/tmp", "/tmp/d/../d/."), "/tmp/d");
    EXPECT_EQ(resolve("/a/b", "../c/../../d"), "/d");
    EXPECT_EQ(resolve("/", "..."), "/...") << "only . and .. are special";
}

TEST(ShellWorkingPath, ErrorsAndBelowRoot) {
    EXPECT_EQ(resolve("tmp", "d"), "error:InvalidArgument");
    EXPECT_EQ(resolve("/", "abcdefgh", 8), "error:Overflow");
    EXPECT_EQ(resolve("/", "abcdefg", 8), "/abcdefg");
    EXPECT_EQ(resolve("/", "abc/..", 4), "/") << "room is needed only for what stays";
    EXPECT_EQ(std::string(below_root("/").data(), below_root("/").length()), ".");
    EXPECT_EQ(std::string(below_root("/tmp/d").data(), below_root("/tmp/d").length()), "tmp/d");
}
