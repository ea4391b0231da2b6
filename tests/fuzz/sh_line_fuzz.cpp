// Feeds arbitrary bytes to the user shell's line logic (user/programs/sh/):
// the command-list splitter, then each item through parse_command_line as
// sh does, and the working-directory resolver with the bytes as a cd
// target. Any crash or sanitizer report is a bug; beyond that their
// promises are checked: items lie inside the line, in order, none blank;
// only the last connects to nothing; a refusal names its fault; a resolved
// path is absolute, clean (no "." or ".." names, no "//", no trailing '/')
// and fits its buffer.
#include <stddef.h>
#include <stdint.h>

#include "base/verify.hpp"
#include "command_line.hpp"
#include "command_list.hpp"
#include "working_path.hpp"

using namespace mote;
using namespace mote::user;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    StringView line(reinterpret_cast<const char*>(data), size);
    CommandListFault fault = CommandListFault(0xee);
    auto list = split_command_list(line, &fault);
    if (list.is_error()) {
        VERIFY(list.error() == Error::Malformed);
        VERIFY(fault != CommandListFault::None && fault <= CommandListFault::TooManyCommands);
    } else {
        VERIFY(fault == CommandListFault::None);
        const char* last_end = line.data();
        for (usize i = 0; i < list.value().count; ++i) {
            const ListItem& item = list.value().items[i];
            VERIFY(item.text.data() >= last_end && item.text.data() + item.text.length() <= line.data() + size);
            last_end = item.text.data() + item.text.length();
            bool blank = true;
            for (char c : item.text) blank &= c == ' ' || c == '\t';
            VERIFY(!blank);
            VERIFY((item.next == Connector::End) == (i + 1 == list.value().count));
            CommandLineFault line_fault;
            ArgumentsFault words_fault;
            (void)parse_command_line(item.text, &line_fault, &words_fault);
        }
    }

    char out[64];
    auto path = resolve_directory("/tmp/d", line, Span<char>(out, sizeof(out)));
    if (path.is_error()) {
        VERIFY(path.error() == Error::Overflow);
        return 0;
    }
    StringView p = path.value();
    VERIFY(p.length() >= 1 && p.length() <= sizeof(out) && p[0] == '/');
    VERIFY(p.length() == 1 || p[p.length() - 1] != '/');
    for (usize i = 0; i < p.length();) {
        usize start = ++i;
        while (i < p.length() && p[i] != '/') ++i;
        StringView name = p.substr(start, i - start);
        VERIFY(p.length() == 1 || (!name.empty() && name != "." && name != ".."));
    }
    StringView below = below_root(p);
    VERIFY(!below.empty() && !below.starts_with("/"));
    return 0;
}
