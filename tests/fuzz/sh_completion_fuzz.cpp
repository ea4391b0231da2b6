// Feeds arbitrary bytes to sh's Tab completion (user/programs/sh/
// completion.hpp): the first bytes pick the cursor and a screen width, the
// next split into a line and candidate names. Any crash or sanitizer
// report is a bug; beyond that its promises are checked: the word lies in
// the line and ends at the cursor, a file word's directory and name are
// the text split at its last '/', every kept name starts with the typed
// name, the common prefix does too, a replacement fits its storage and
// keeps the text after the cursor, and the column layout covers every kept
// name.
#include <stddef.h>
#include <stdint.h>

#include "base/verify.hpp"
#include "completion.hpp"
#include "line_editor.hpp"

using namespace mote;
using namespace mote::user;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 3) return 0;
    const usize cursor_pick = data[0];
    const usize width = usize(data[1]) + 1;
    data += 2;
    size -= 2;
    // The line ends at the first NUL; each later NUL ends a candidate name.
    usize line_length = 0;
    while (line_length < size && data[line_length] != 0) ++line_length;
    if (line_length > LineEditor::kMaxLine) line_length = LineEditor::kMaxLine;
    StringView line(reinterpret_cast<const char*>(data), line_length);
    const usize cursor = line_length ? cursor_pick % (line_length + 1) : 0;

    auto found = find_completion_word(line, cursor);
    if (found.is_error()) return 0;
    const CompletionWord& word = found.value();
    VERIFY(word.start <= cursor && cursor <= line.length());
    VERIFY(word.text.data() == line.data() + word.start && word.text.length() == cursor - word.start);
    VERIFY(word.directory.length() + word.name.length() == word.text.length());
    if (word.directory.length() > 0) VERIFY(word.directory[word.directory.length() - 1] == '/');
    (void)completion_directory(word);

    static CompletionSet* set = nullptr;
    alignas(CompletionSet) static u8 storage[sizeof(CompletionSet)];
    set = new (storage) CompletionSet(word.name);
    usize at = line_length < size ? line_length + 1 : size;
    while (at < size) {
        usize end = at;
        while (end < size && data[end] != 0) ++end;
        StringView name(reinterpret_cast<const char*>(data + at), end - at);
        if (name.length() <= CompletionSet::kMaxName) set->offer(name, name.length() % 2 == 1);
        at = end + 1;
    }
    VERIFY(set->kept() <= set->matches() && set->kept() <= CompletionSet::kMaxNames);
    for (usize i = 0; i < set->kept(); ++i) VERIFY(set->name(i).starts_with(word.name));
    if (set->matches() > 0) VERIFY(set->common_prefix().starts_with(word.name));

    char out[LineEditor::kMaxLine];
    Completion done = decide_completion(line, cursor, word, *set, Span<char>(out, sizeof(out)));
    if (done.action == CompletionAction::Replace) {
        VERIFY(done.line.length() <= sizeof(out) && done.cursor <= done.line.length());
        StringView after = line.substr(cursor);
        VERIFY(done.line.length() >= after.length());
        VERIFY(done.line.substr(done.line.length() - after.length()) == after);
    }
    set->sort();
    ColumnLayout layout = lay_out_columns(*set, width);
    VERIFY(layout.columns >= 1);
    VERIFY(layout.rows * layout.columns >= set->kept());
    set->~CompletionSet();
    return 0;
}
