#include "command_list.hpp"

namespace mote::user {

namespace {

bool blank(StringView text) {
    for (char c : text)
        if (c != ' ' && c != '\t') return false;
    return true;
}

}  // namespace

Result<CommandList> split_command_list(StringView line, CommandListFault* fault) {
    auto fail = [&](CommandListFault why) -> Result<CommandList> {
        if (fault) *fault = why;
        return Error::Malformed;
    };
    if (fault) *fault = CommandListFault::None;
    CommandList list;
    usize start = 0;
    bool quoted = false;
    // Ends the item [start, end) with `connector`. For '&', `end` is past
    // it: the '&' stays in the item as its background mark, but the
    // command before it, [start, end - 1), must still be there.
    auto end_item = [&](usize end, Connector connector, usize mark = 0) -> bool {
        StringView text = line.substr(start, end - start);
        if (blank(line.substr(start, end - mark - start))) {
            if (fault) *fault = CommandListFault::MissingCommand;
            return false;
        }
        if (list.count == CommandList::kMaxItems) {
            if (fault) *fault = CommandListFault::TooManyCommands;
            return false;
        }
        list.items[list.count++] = {text, connector};
        return true;
    };
    for (usize i = 0; i < line.length(); ++i) {
        char c = line[i];
        if (c == '"') quoted = !quoted;
        if (quoted) continue;
        bool twice = i + 1 < line.length() && line[i + 1] == c;
        if (c == ';') {
            if (!end_item(i, Connector::Then)) return Error::Malformed;
            start = i + 1;
        } else if (c == '&' && twice) {
            if (!end_item(i, Connector::And)) return Error::Malformed;
            start = ++i + 1;
        } else if (c == '|' && twice) {
            if (!end_item(i, Connector::Or)) return Error::Malformed;
            start = ++i + 1;
        } else if (c == '&') {
            if (!end_item(i + 1, Connector::Then, 1)) return Error::Malformed;
            start = i + 1;
        }
    }
    StringView rest = line.substr(start);
    if (!blank(rest)) {
        if (list.count == CommandList::kMaxItems) return fail(CommandListFault::TooManyCommands);
        list.items[list.count++] = {rest, Connector::End};
    } else if (list.count > 0) {
        // A trailing ';' or '&' just ends the list; '&&' and '||' promise
        // a command that is not there.
        Connector& last = list.items[list.count - 1].next;
        if (last == Connector::And || last == Connector::Or) return fail(CommandListFault::MissingAfter);
        last = Connector::End;
    }
    return list;
}

bool runs_next(Connector connector, bool succeeded) {
    switch (connector) {
    case Connector::End: return false;
    case Connector::Then: return true;
    case Connector::And: return succeeded;
    case Connector::Or: return !succeeded;
    }
    return false;
}

const char* command_list_fault_name(CommandListFault fault) {
    switch (fault) {
    case CommandListFault::None: return "None";
    case CommandListFault::MissingCommand: return "MissingCommand";
    case CommandListFault::MissingAfter: return "MissingAfter";
    case CommandListFault::TooManyCommands: return "TooManyCommands";
    }
    return "UnknownCommandListFault";
}

const char* command_list_fault_message(CommandListFault fault) {
    switch (fault) {
    case CommandListFault::None: return "no fault";
    case CommandListFault::MissingCommand: return "missing command before ;, &, && or ||";
    case CommandListFault::MissingAfter: return "missing command after && or ||";
    case CommandListFault::TooManyCommands: return "too many commands on one line";
    }
    return "unknown fault";
}

}  // namespace mote::user
