// A line the shell runs is a list of commands (pipelines) joined by
//   a ; b     b runs after a, whatever a's status
//   a && b    b runs only if a succeeded (exit 0)
//   a || b    b runs only if a failed
//   a & b     a runs in the background, then b at once
// The line is split at these operators outside double quotes, before it
// is split into words, so `echo a;echo b` is two commands, as in sh. An
// item keeps its trailing '&' (parse_command_line reads it as the
// background mark), so the splitter only says where commands end.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::user {

// How an item leads to the next one.
enum class Connector : u8 { End, Then, And, Or };

struct ListItem {
    StringView text;  // the command's own text, operators stripped but a trailing '&'
    Connector next = Connector::End;
};

struct CommandList {
    static constexpr usize kMaxItems = 16;
    ListItem items[kMaxItems];
    usize count = 0;
};

enum class CommandListFault : u8 {
    None,
    MissingCommand,   // an operator with no command before it (`; ls`, `ls && && ls`)
    MissingAfter,     // `ls &&` or `ls ||`: the line ends where a command must follow
    TooManyCommands,  // more than kMaxItems
};
const char* command_list_fault_name(CommandListFault fault);
// What the shell tells the person.
const char* command_list_fault_message(CommandListFault fault);

// Splits `line`; a blank line is a list of no items, and a trailing ';'
// or '&' ends the list. Malformed (with `fault`) as above.
Result<CommandList> split_command_list(StringView line, CommandListFault* fault = nullptr);

// Whether the command after one joined by `connector` runs, given whether
// that one succeeded. (End: there is none.)
bool runs_next(Connector connector, bool succeeded);

}  // namespace mote::user
