// Feeds arbitrary bytes to the user shell's line editor
// (user/programs/sh/line_editor.hpp) as if typed on a terminal, with echo
// on, then splits every finished line into words as sh does. Any crash or
// sanitizer report is a bug; beyond that its promises are checked: a line
// holds only printable ASCII and never more than kMaxLine bytes, the
// history never more than kHistory lines, and a finished line that had
// bad bytes or too many characters says so instead of being run.
#include <stddef.h>
#include <stdint.h>

#include "arguments.hpp"
#include "base/verify.hpp"
#include "line_editor.hpp"

using namespace mote;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static LineEditor editor;
    editor = LineEditor();
    usize echoed = 0;
    editor.set_echo([](StringView text, void* context) { *static_cast<usize*>(context) += text.length(); }, &echoed);
    editor.set_prompt("$ ");
    for (size_t i = 0; i < size; ++i) {
        LineEditor::Event event = editor.feed(data[i]);
        StringView line = editor.line();
        VERIFY(line.length() <= LineEditor::kMaxLine);
        VERIFY(editor.history_size() <= LineEditor::kHistory);
        for (char c : line) VERIFY(c >= 0x20 && c <= 0x7e);
        switch (event) {
        case LineEditor::Event::Line:
            if (editor.garbage() == 0 && editor.overlong() == 0) {
                ArgumentsFault fault = ArgumentsFault::None;
                auto words = Arguments::parse(line, &fault);
                if (words.is_error()) VERIFY(fault != ArgumentsFault::None);
                else
                    for (usize w = 0; w < words.value().count(); ++w) VERIFY(words.value()[w].length() <= line.length());
            }
            editor.reset();
            break;
        case LineEditor::Event::Cancelled:
            editor.reset();
            break;
        case LineEditor::Event::Complete:
            editor.replace(line);  // what sh does when nothing completes further
            break;
        case LineEditor::Event::None:
            break;
        }
    }
    return 0;
}
