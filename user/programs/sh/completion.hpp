// Tab completion's pure part, apart from the directory reading the shell
// does (sh.cpp), so the host tests run it:
//
//   1. find_completion_word: which word ends at the cursor and whether it
//      names a command (the first word of a command: at the start of the
//      line, after `;`, `&`, `&&`, `||` or a `|` word, past "+cap" words
//      and redirections) or a file (any later word; the file of a `<`,
//      `>`, `>>`; a command word with a '/' in it, which is a path).
//   2. CompletionSet: the names the shell offers (built-ins and bin/ for a
//      command, the directory's entries for a file), kept when they start
//      with what is typed; it tracks the common prefix of all of them.
//   3. decide_completion: one match replaces the word (a directory gets
//      '/', anything else ' '); several extend it to their common prefix;
//      if that adds nothing, the shell lists them (lay_out_columns).
//
// Words follow arguments.hpp: separated by spaces, a word in double quotes
// may hold spaces, and there are no escapes. So a completed name with a
// space gets an opening quote (and a closing one once it is whole), and a
// name with a '"' in it, or a byte the line editor would not take, cannot
// be typed and is never offered.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::user {

enum class WordKind : u8 { Command, File };

struct CompletionWord {
    WordKind kind = WordKind::File;
    // Where the typed text starts in the line: past an opening '"' and past
    // the '<', '>' or '>>' glued to a redirection's file ("<in").
    usize start = 0;
    bool quoted = false;  // opened with '"' (and not closed yet)
    bool glued = false;   // after a glued '<', '>' or '>>': it cannot be quoted
    StringView text;      // line[start, cursor)
    // A file word split at its last '/': the directory part with that
    // slash ("etc/" of "etc/mo", empty without one) and the name to
    // complete ("mo").
    StringView directory;
    StringView name;
    // A later word's command (its stage's program word, without quotes):
    // `cd` takes only directories. Empty for a command word.
    StringView command;
};

// The word that ends at `cursor` (the text after the cursor is left as it
// is). Malformed when there is nothing to complete there: the cursor is
// right after a closing quote, in a word with a quote inside it, or in a
// "+cap" word; InvalidArgument if the cursor is past the line.
Result<CompletionWord> find_completion_word(StringView line, usize cursor);

// The directory a file word's names come from: `path` under the root
// (from_root: the word starts with '/') or under the working directory;
// "." for the directory itself. No trailing '/'.
struct CompletionDirectory {
    bool from_root = false;
    StringView path;
};
CompletionDirectory completion_directory(const CompletionWord& word);

// The candidates for one completion, in fixed storage: every match is
// counted and narrows the common prefix, but only the first kMaxNames (and
// kStorage bytes of names) are kept for listing.
class CompletionSet {
public:
    static constexpr usize kMaxNames = 128;
    static constexpr usize kStorage = 4096;
    static constexpr usize kMaxName = 255;  // abi::kNameMax

    // Names are kept when they start with `prefix` (which must outlive the set).
    explicit CompletionSet(StringView prefix) : m_prefix(prefix) {}

    // Offers one name. Not kept: no match, "." and "..", a hidden name
    // (".x") unless the prefix starts with '.', a name that cannot be
    // typed, and one already kept (a built-in that is also in bin/).
    void offer(StringView name, bool directory);

    usize matches() const { return m_matches; }
    usize kept() const { return m_count; }
    bool complete_list() const { return m_matches == m_count; }
    StringView name(usize i) const;
    bool directory(usize i) const;
    // The longest prefix all matches share (empty with no match).
    StringView common_prefix() const { return StringView(m_common, m_common_length); }
    // Whether the only match is a directory.
    bool single_directory() const { return m_matches == 1 && m_first_directory; }
    // Sorts the kept names (byte order) for listing.
    void sort();

private:
    struct Entry {
        u16 offset;
        u8 length;
        bool directory;
    };
    StringView m_prefix;
    char m_names[kStorage];
    usize m_used = 0;
    Entry m_entries[kMaxNames];
    usize m_count = 0;
    usize m_matches = 0;
    char m_common[kMaxName];
    usize m_common_length = 0;
    bool m_first_directory = false;
};

enum class CompletionAction : u8 {
    Nothing,  // no match, or the result would not fit the line: ring the bell
    Replace,  // `line` is the new line, the cursor goes to `cursor`
    List,     // several matches and nothing to add: show them
};

struct Completion {
    CompletionAction action = CompletionAction::Nothing;
    StringView line;  // in the caller's storage
    usize cursor = 0;
};

// What Tab does for `word` (found in `line` at `cursor`) given its
// candidates. The new line is built in `storage`; a line longer than
// `storage` (give it LineEditor::kMaxLine) is Nothing.
Completion decide_completion(StringView line, usize cursor, const CompletionWord& word, const CompletionSet& set,
                             Span<char> storage);

// Columns for listing the kept names (a directory shown with its '/') on a
// screen `screen_width` wide, filled down then across as ls does: name i
// is on row i % rows, in column i / rows. Each column is `width` wide,
// two spaces of gap included; one column if even that does not fit.
struct ColumnLayout {
    usize columns = 1;
    usize rows = 0;
    usize width = 0;
};
ColumnLayout lay_out_columns(const CompletionSet& set, usize screen_width);

}  // namespace mote::user
