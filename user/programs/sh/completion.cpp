#include "completion.hpp"

namespace mote::user {

namespace {

bool has_space(StringView text) {
    for (char c : text)
        if (c == ' ') return true;
    return false;
}

// What the line editor takes (printable ASCII) less '"', which no word can
// hold: a name with anything else cannot be typed back.
bool typable(StringView name) {
    for (char c : name)
        if (c < 0x20 || c >= 0x7f || c == '"') return false;
    return true;
}

// Byte order, shorter first on a tie.
bool before(StringView a, StringView b) {
    usize n = min(a.length(), b.length());
    for (usize i = 0; i < n; ++i)
        if (a[i] != b[i]) return u8(a[i]) < u8(b[i]);
    return a.length() < b.length();
}

}  // namespace

Result<CompletionWord> find_completion_word(StringView line, usize cursor) {
    if (cursor > line.length()) return Error::InvalidArgument;
    StringView typed = line.substr(0, cursor);
    // The same splitting as the shell's, on the text before the cursor:
    // commands end at ';', '&', '&&' and '||' outside quotes
    // (command_list.hpp), words at spaces, stages at a "|" word
    // (command_line.hpp).
    bool has_command = false;  // the current stage has its program word
    bool file_next = false;    // the last word was a bare "<", ">" or ">>"
    bool in_word = false;
    bool in_quote = false;
    bool quote_inside = false;  // the current word has a '"' past its start
    usize word_start = 0;
    StringView program;  // the stage's program word
    auto new_command = [&] {
        has_command = false;
        file_next = false;
        program = StringView();
    };
    auto end_word = [&](usize end) {
        if (!in_word) return;
        in_word = false;
        StringView word = typed.substr(word_start, end - word_start);
        bool quoted = word[0] == '"';
        if (!quoted && word == "|") {
            new_command();
        } else if (!quoted && (word[0] == '<' || word[0] == '>')) {
            file_next = word == "<" || word == ">" || word == ">>";
        } else if (file_next) {
            file_next = false;
        } else if (!has_command && !quoted && word.length() > 1 && word[0] == '+') {
            // "+cap": the program word is still to come.
        } else if (!has_command) {
            has_command = true;
            // A closed quote (a quote inside is refused when it runs).
            program = quoted && word.length() >= 2 ? word.substr(1, word.length() - 2) : word;
        }
    };
    for (usize i = 0; i < typed.length(); ++i) {
        char c = typed[i];
        if (in_quote) {
            if (c == '"') in_quote = false;
            continue;
        }
        if (c == '"') {
            // The command-list splitter toggles on every '"', so do the same
            // to find the same operators; a word that is not quoted from its
            // first byte is one the shell will refuse.
            in_quote = true;
            if (in_word) {
                quote_inside = true;
            } else {
                in_word = true;
                word_start = i;
                quote_inside = false;
            }
            continue;
        }
        bool twice = i + 1 < typed.length() && typed[i + 1] == c;
        if (c == ' ') {
            end_word(i);
        } else if (c == ';' || c == '&' || (c == '|' && twice)) {
            end_word(i);
            new_command();
            if (twice && c != ';') ++i;
        } else if (!in_word) {
            in_word = true;
            word_start = i;
            quote_inside = false;
        }
    }

    CompletionWord word;
    word.start = cursor;
    if (in_word) {
        if (quote_inside) return Error::Malformed;
        if (typed[word_start] == '"') {
            // A closed quote ends the word: there is nothing left to add.
            if (!in_quote) return Error::Malformed;
            word.quoted = true;
            word.start = word_start + 1;
        } else if (typed[word_start] == '<' || typed[word_start] == '>') {
            word.glued = true;
            word.start = word_start + (typed.substr(word_start).starts_with(">>") ? 2 : 1);
        } else {
            word.start = word_start;
            if (!has_command && !file_next && typed[word_start] == '+') return Error::Malformed;
        }
    }
    word.text = typed.substr(word.start);
    bool command = !has_command && !file_next && !word.glued;
    usize slash = word.text.length();
    while (slash > 0 && word.text[slash - 1] != '/') --slash;
    // A command with a '/' is a path to a program (program_path): a file.
    word.kind = command && slash == 0 ? WordKind::Command : WordKind::File;
    word.directory = word.text.substr(0, slash);
    word.name = word.text.substr(slash);
    if (has_command) word.command = program;
    return word;
}

CompletionDirectory completion_directory(const CompletionWord& word) {
    StringView path = word.directory;
    CompletionDirectory dir;
    dir.from_root = path.starts_with("/");
    usize skip = 0;
    while (skip < path.length() && path[skip] == '/') ++skip;
    usize end = path.length();
    while (end > skip && path[end - 1] == '/') --end;
    dir.path = end == skip ? StringView(".") : path.substr(skip, end - skip);
    return dir;
}

void CompletionSet::offer(StringView name, bool directory) {
    if (name.empty() || name.length() > kMaxName || !name.starts_with(m_prefix)) return;
    if (name == "." || name == "..") return;
    if (name[0] == '.' && !m_prefix.starts_with(".")) return;
    if (!typable(name)) return;
    for (usize i = 0; i < m_count; ++i)
        if (this->name(i) == name) return;
    if (++m_matches == 1) {
        for (usize i = 0; i < name.length(); ++i) m_common[i] = name[i];
        m_common_length = name.length();
        m_first_directory = directory;
    } else {
        usize same = 0;
        while (same < m_common_length && same < name.length() && m_common[same] == name[same]) ++same;
        m_common_length = same;
    }
    if (m_count == kMaxNames || name.length() > kStorage - m_used) return;
    for (usize i = 0; i < name.length(); ++i) m_names[m_used + i] = name[i];
    m_entries[m_count++] = {u16(m_used), u8(name.length()), directory};
    m_used += name.length();
}

StringView CompletionSet::name(usize i) const {
    VERIFY(i < m_count);
    return StringView(m_names + m_entries[i].offset, m_entries[i].length);
}

bool CompletionSet::directory(usize i) const {
    VERIFY(i < m_count);
    return m_entries[i].directory;
}

void CompletionSet::sort() {
    // Insertion sort: at most kMaxNames entries, no allocation.
    for (usize i = 1; i < m_count; ++i) {
        Entry entry = m_entries[i];
        StringView key(m_names + entry.offset, entry.length);
        usize j = i;
        while (j > 0 && before(key, name(j - 1))) {
            m_entries[j] = m_entries[j - 1];
            --j;
        }
        m_entries[j] = entry;
    }
}

Completion decide_completion(StringView line, usize cursor, const CompletionWord& word, const CompletionSet& set,
                             Span<char> storage) {
    Completion result;
    if (set.matches() == 0 || cursor > line.length() || word.start > cursor) return result;
    StringView common = set.common_prefix();
    const bool whole = set.matches() == 1;
    if (!whole && common.length() <= word.name.length()) {
        result.action = CompletionAction::List;
        return result;
    }
    // A name with a space needs quotes; a glued redirection (">a b") cannot
    // have them (arguments.hpp: a quote inside a word).
    const bool open_quote = !word.quoted && (has_space(common) || has_space(word.directory));
    if (open_quote && word.glued) return result;
    char suffix[2];
    usize suffix_length = 0;
    if (whole) {
        if (set.single_directory()) {
            suffix[suffix_length++] = '/';
        } else {
            if (word.quoted || open_quote) suffix[suffix_length++] = '"';
            suffix[suffix_length++] = ' ';
        }
    }
    const StringView head = line.substr(0, word.start);
    const StringView tail = line.substr(cursor);
    const StringView pieces[] = {head, open_quote ? StringView("\"") : StringView(), word.directory, common,
                                 StringView(suffix, suffix_length)};
    usize length = 0;
    for (StringView piece : pieces) length += piece.length();
    if (length + tail.length() > storage.size()) return result;
    usize at = 0;
    for (StringView piece : pieces)
        for (char c : piece) storage[at++] = c;
    result.cursor = at;
    for (char c : tail) storage[at++] = c;
    result.action = CompletionAction::Replace;
    result.line = StringView(storage.data(), at);
    return result;
}

ColumnLayout lay_out_columns(const CompletionSet& set, usize screen_width) {
    ColumnLayout layout;
    const usize count = set.kept();
    if (count == 0) return layout;
    usize widest = 0;
    for (usize i = 0; i < count; ++i) widest = max(widest, set.name(i).length() + (set.directory(i) ? 1 : 0));
    layout.width = widest + 2;
    // The last column needs no gap after it.
    layout.columns = max<usize>(1, (screen_width + 2) / layout.width);
    layout.rows = (count + layout.columns - 1) / layout.columns;
    // As few columns as those rows need: none left empty.
    layout.columns = (count + layout.rows - 1) / layout.rows;
    return layout;
}

}  // namespace mote::user
