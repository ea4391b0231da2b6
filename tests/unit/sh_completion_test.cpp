// The shell's Tab completion (user/programs/sh/completion.*): which word
// is completed and whether it is a command or a file, the candidate set
// (filters, common prefix, bounds), what Tab does with them (replace,
// extend, list, nothing) and the listing's columns; and the line editor's
// cursor, which the shell hands to it.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "command_line.hpp"
#include "completion.hpp"
#include "line_editor.hpp"

using namespace mote;
using namespace mote::user;

namespace {

std::string str(StringView v) { return std::string(v.data(), v.length()); }

struct Word {
    WordKind kind;
    std::string text;
    std::string directory;
    std::string name;
    usize start;
    bool quoted;
    bool glued;
    bool operator==(const Word&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Word& w) {
    return os << (w.kind == WordKind::Command ? "Command" : "File") << " text='" << w.text << "' dir='"
              << w.directory << "' name='" << w.name << "' start=" << w.start << " quoted=" << w.quoted
              << " glued=" << w.glued;
}

// The word at the end of `line` (or at `cursor`).
Word word_at(const std::string& line, usize cursor = usize(-1)) {
    if (cursor == usize(-1)) cursor = line.size();
    auto found = find_completion_word(StringView(line.data(), line.size()), cursor);
    EXPECT_TRUE(found.ok()) << "'" << line << "'";
    if (found.is_error()) return {};
    const CompletionWord& w = found.value();
    return {w.kind, str(w.text), str(w.directory), str(w.name), w.start, w.quoted, w.glued};
}

bool refused(const std::string& line) {
    return find_completion_word(StringView(line.data(), line.size()), line.size()).is_error();
}

Word command(std::string text, usize start) { return {WordKind::Command, text, "", text, start, false, false}; }
Word file(std::string text, std::string directory, std::string name, usize start, bool quoted = false,
          bool glued = false) {
    return {WordKind::File, text, directory, name, start, quoted, glued};
}

// A directory as the shell would read it: names and whether each is a
// directory.
using Listing = std::vector<std::pair<std::string, bool>>;

// Tab on `line` with the cursor at `cursor` (the end by default), the
// candidates being `names`: the new line with a '|' where the cursor goes,
// or "LIST" / "NOTHING".
std::string tab(const std::string& line, const Listing& names, usize cursor = usize(-1)) {
    if (cursor == usize(-1)) cursor = line.size();
    StringView view(line.data(), line.size());
    auto word = find_completion_word(view, cursor);
    if (word.is_error()) return "NOTHING";
    CompletionSet set(word.value().name);
    for (const auto& [name, directory] : names) set.offer(StringView(name.data(), name.size()), directory);
    char storage[LineEditor::kMaxLine];
    Completion result = decide_completion(view, cursor, word.value(), set, Span<char>(storage, sizeof(storage)));
    switch (result.action) {
    case CompletionAction::Nothing: return "NOTHING";
    case CompletionAction::List: return "LIST";
    case CompletionAction::Replace: {
        EXPECT_LE(result.line.length(), LineEditor::kMaxLine);
        EXPECT_LE(result.cursor, result.line.length());
        std::string out = str(result.line);
        return out.insert(result.cursor, "|");
    }
    }
    return "?";
}

std::vector<std::string> kept(const CompletionSet& set) {
    std::vector<std::string> out;
    for (usize i = 0; i < set.kept(); ++i) out.push_back(str(set.name(i)) + (set.directory(i) ? "/" : ""));
    return out;
}

}  // namespace

TEST(ShellCompletionWord, FirstWordOfACommandIsACommand) {
    EXPECT_EQ(word_at(""), command("", 0));
    EXPECT_EQ(word_at("un"), command("un", 0));
    EXPECT_EQ(word_at("   un"), command("un", 3));
    // After each operator that starts a new command, glued or spaced.
    for (const char* line : {"ls; un", "ls;un", "ls && un", "ls&&un", "ls || un", "ls||un", "ls & un", "ls&un",
                             "ls | un", "echo a | ls -l | un"}) {
        std::string text(line);
        EXPECT_EQ(word_at(text), command("un", text.size() - 2)) << line;
    }
    EXPECT_EQ(word_at("ls | "), command("", 5));
    EXPECT_EQ(word_at("ls && "), command("", 6));
}

TEST(ShellCompletionWord, LaterWordsAreFiles) {
    EXPECT_EQ(word_at("cat "), file("", "", "", 4));
    EXPECT_EQ(word_at("cat etc/mo"), file("etc/mo", "etc/", "mo", 4));
    EXPECT_EQ(word_at("ls -l /b"), file("/b", "/", "b", 6));
    EXPECT_EQ(word_at("ls /etc/"), file("/etc/", "/etc/", "", 3));
    // A glued bar is a word, not a pipe (command_line.hpp).
    EXPECT_EQ(word_at("echo a|b"), file("a|b", "", "a|b", 5));
    // Only the text before the cursor counts.
    EXPECT_EQ(word_at("cat etc/mo | wc", 10), file("etc/mo", "etc/", "mo", 4));
    EXPECT_EQ(word_at("cat etc/motd", 6), file("et", "", "et", 4));
}

TEST(ShellCompletionWord, CapabilitiesAndRedirectionsComeBeforeTheCommand) {
    EXPECT_EQ(word_at("+dev d"), command("d", 5));
    EXPECT_EQ(word_at("+dev +log "), command("", 10));
    EXPECT_EQ(word_at("+dev dd if=dev/v"), file("if=dev/v", "if=dev/", "v", 8));
    EXPECT_EQ(word_at("ls | +log lo"), command("lo", 10));
    // A "+cap" word itself is not completed, but a later "+x" is a file.
    EXPECT_TRUE(refused("+de"));
    EXPECT_EQ(word_at("echo +x"), file("+x", "", "+x", 5));
    // "< in cat": the file after a bare redirection, then the command.
    EXPECT_EQ(word_at("< "), file("", "", "", 2));
    EXPECT_EQ(word_at("< in ca"), command("ca", 5));
    EXPECT_EQ(word_at("cat > tm"), file("tm", "", "tm", 6));
    EXPECT_EQ(word_at("cat >> lo"), file("lo", "", "lo", 7));
    EXPECT_EQ(word_at("cat > tmp/x "), file("", "", "", 12)) << "the file is named; an argument follows";
}

TEST(ShellCompletionWord, GluedRedirectionsCompleteTheirFile) {
    EXPECT_EQ(word_at("cat >tm"), file("tm", "", "tm", 5, false, true));
    EXPECT_EQ(word_at("cat >>tmp/l"), file("tmp/l", "tmp/", "l", 6, false, true));
    EXPECT_EQ(word_at("<et"), file("et", "", "et", 1, false, true));
    EXPECT_EQ(word_at("cat <"), file("", "", "", 5, false, true));
}

TEST(ShellCompletionWord, CommandsWithASlashArePaths) {
    EXPECT_EQ(word_at("/bin/ec"), file("/bin/ec", "/bin/", "ec", 0));
    EXPECT_EQ(word_at("tmp/pr"), file("tmp/pr", "tmp/", "pr", 0));
    EXPECT_EQ(word_at("ls; ./x"), file("./x", "./", "x", 4));
}

TEST(ShellCompletionWord, Quotes) {
    EXPECT_EQ(word_at("cat \"my fi"), file("my fi", "", "my fi", 5, true));
    EXPECT_EQ(word_at("cat \"a dir/b"), file("a dir/b", "a dir/", "b", 5, true));
    EXPECT_EQ(word_at("\"ec"), (Word {WordKind::Command, "ec", "", "ec", 1, true, false}));
    // Operators inside quotes are text: "c" is still echo's argument.
    EXPECT_EQ(word_at("echo \"a; b\" c"), file("c", "", "c", 12));
    EXPECT_EQ(word_at("echo \"x && ca"), file("x && ca", "", "x && ca", 6, true));
    // A closed quote is a whole word; a quote inside a word is refused by
    // the shell, so neither is completed.
    EXPECT_TRUE(refused("cat \"a b\""));
    EXPECT_TRUE(refused("cat \"a b\"c"));
    EXPECT_TRUE(refused("cat a\"b"));
    EXPECT_TRUE(refused("cat >\"x"));
    // A bad word earlier on the line does not stop the last one.
    EXPECT_EQ(word_at("cat \"a b\" x"), file("x", "", "x", 10));
}

TEST(ShellCompletionWord, LaterWordsKnowTheirCommand) {
    auto command_of = [](const std::string& line) {
        auto word = find_completion_word(StringView(line.data(), line.size()), line.size());
        EXPECT_TRUE(word.ok()) << line;
        return word.ok() ? str(word.value().command) : std::string("?");
    };
    EXPECT_EQ(command_of("cd tm"), "cd");
    EXPECT_EQ(command_of("cd "), "cd");
    EXPECT_EQ(command_of("\"cd\" x"), "cd");
    EXPECT_EQ(command_of("ls -l x"), "ls");
    EXPECT_EQ(command_of("ls | cat x"), "cat");
    EXPECT_EQ(command_of("+dev dd if=x"), "dd");
    EXPECT_EQ(command_of("< in cat x"), "cat");
    EXPECT_EQ(command_of("cat > x"), "cat");
    EXPECT_EQ(command_of("cd a; ls x"), "ls") << "each command has its own";
    EXPECT_EQ(command_of("cd a && x"), "") << "x is a command itself";
    EXPECT_EQ(command_of("un"), "");
}

TEST(ShellCompletionWord, CursorPastTheLineIsRefused) {
    auto found = find_completion_word("ls", 3);
    ASSERT_TRUE(found.is_error());
    EXPECT_EQ(found.error(), Error::InvalidArgument);
}

TEST(ShellCompletionDirectory, WhereTheNamesAreRead) {
    auto dir = [](const std::string& line) {
        auto word = find_completion_word(StringView(line.data(), line.size()), line.size());
        EXPECT_TRUE(word.ok());
        CompletionDirectory d = completion_directory(word.value());
        return std::make_pair(d.from_root, str(d.path));
    };
    EXPECT_EQ(dir("cat mo"), std::make_pair(false, std::string(".")));
    EXPECT_EQ(dir("cat etc/mo"), std::make_pair(false, std::string("etc")));
    EXPECT_EQ(dir("cat a/b//c"), std::make_pair(false, std::string("a/b")));
    EXPECT_EQ(dir("cat /"), std::make_pair(true, std::string(".")));
    EXPECT_EQ(dir("cat //etc//m"), std::make_pair(true, std::string("etc")));
    EXPECT_EQ(dir("/bin/e"), std::make_pair(true, std::string("bin")));
}

TEST(ShellCompletionSet, KeepsOnlyTypableMatches) {
    CompletionSet set("m");
    set.offer("motd", false);
    set.offer("mnt", true);
    set.offer("ls", false);      // no match
    set.offer("m\"x", false);    // a quote cannot be typed in a word
    set.offer("m\tx", false);    // nor a tab
    set.offer("m\x80x", false);  // nor a byte the line editor drops
    set.offer("motd", false);    // already there
    set.offer("", false);
    EXPECT_EQ(kept(set), (std::vector<std::string> {"motd", "mnt/"}));
    EXPECT_EQ(set.matches(), 2u);
    EXPECT_EQ(str(set.common_prefix()), "m");
    EXPECT_FALSE(set.single_directory());
}

TEST(ShellCompletionSet, HiddenNamesOnlyForADot) {
    CompletionSet all("");
    for (const char* name : {".", "..", ".profile", "bin", "etc"}) all.offer(name, true);
    EXPECT_EQ(kept(all), (std::vector<std::string> {"bin/", "etc/"}));
    CompletionSet dot(".");
    for (const char* name : {".", "..", ".profile", "bin"}) dot.offer(name, false);
    EXPECT_EQ(kept(dot), (std::vector<std::string> {".profile"}));
}

TEST(ShellCompletionSet, CommonPrefixCountsEveryMatchEvenUnkept) {
    CompletionSet set("f");
    std::vector<std::string> names;
    for (usize i = 0; i < CompletionSet::kMaxNames + 10; ++i) names.push_back("file" + std::to_string(1000 + i));
    for (const auto& n : names) set.offer(StringView(n.data(), n.size()), false);
    EXPECT_EQ(set.kept(), CompletionSet::kMaxNames);
    EXPECT_EQ(set.matches(), CompletionSet::kMaxNames + 10);
    EXPECT_FALSE(set.complete_list());
    EXPECT_EQ(str(set.common_prefix()), "file1");
    // A match past the kept ones still narrows the prefix.
    set.offer("fi", false);
    EXPECT_EQ(str(set.common_prefix()), "fi");
    EXPECT_EQ(set.kept(), CompletionSet::kMaxNames);
}

TEST(ShellCompletionSet, LongNamesStopAtTheStorageNotPastIt) {
    CompletionSet set("");
    const usize fit = CompletionSet::kStorage / CompletionSet::kMaxName;
    for (usize i = 0; i < fit + 5; ++i) {
        std::string name(CompletionSet::kMaxName, 'a');
        name[CompletionSet::kMaxName - 1] = char('A' + i % 26);
        name[CompletionSet::kMaxName - 2] = char('A' + i / 26);
        set.offer(StringView(name.data(), name.size()), false);
    }
    EXPECT_EQ(set.kept(), fit);
    EXPECT_EQ(set.matches(), fit + 5);
    for (usize i = 0; i < set.kept(); ++i) EXPECT_EQ(set.name(i).length(), CompletionSet::kMaxName);
    std::string too_long(CompletionSet::kMaxName + 1, 'b');
    CompletionSet other("");
    other.offer(StringView(too_long.data(), too_long.size()), false);
    EXPECT_EQ(other.matches(), 0u);
}

TEST(ShellCompletionSet, SortsInByteOrder) {
    CompletionSet set("");
    for (const char* name : {"rmdir", "rm", "Zed", "random", "reboot", "r"}) set.offer(name, false);
    set.sort();
    EXPECT_EQ(kept(set), (std::vector<std::string> {"Zed", "r", "random", "reboot", "rm", "rmdir"}));
}

TEST(ShellCompletion, OneMatchReplacesTheWord) {
    EXPECT_EQ(tab("una", {{"uname", false}, {"uptime", false}}), "uname |");
    EXPECT_EQ(tab("cat etc/mo", {{"motd", false}, {"caps", false}}), "cat etc/motd |");
    EXPECT_EQ(tab("cd e", {{"etc", true}, {"bin", true}}), "cd etc/|");
    EXPECT_EQ(tab("ls /b", {{"bin", true}}), "ls /bin/|");
    EXPECT_EQ(tab("ls", {{"ls", false}}), "ls |") << "a whole name still gets its space";
    // The rest of the line stays after the cursor.
    EXPECT_EQ(tab("cat etc/mo | wc", {{"motd", false}}, 10), "cat etc/motd | | wc");
    EXPECT_EQ(tab("cat >tm", {{"tmp", true}}), "cat >tmp/|");
}

TEST(ShellCompletion, SeveralExtendToTheCommonPrefixThenList) {
    EXPECT_EQ(tab("r", {{"reboot", false}, {"regcheck", false}}), "re|");
    EXPECT_EQ(tab("re", {{"reboot", false}, {"regcheck", false}}), "LIST");
    EXPECT_EQ(tab("ls", {{"ls", false}, {"lsblk", false}}), "LIST") << "nothing to add to ls";
    EXPECT_EQ(tab("cat tmp/f", {{"file1", false}, {"file2", false}}), "cat tmp/file|");
}

TEST(ShellCompletion, NoMatchIsNothing) {
    EXPECT_EQ(tab("zz", {{"ls", false}}), "NOTHING");
    EXPECT_EQ(tab("cat x", {}), "NOTHING");
    EXPECT_EQ(tab("+de", {{"dev", false}}), "NOTHING");
}

TEST(ShellCompletion, NamesWithSpacesGetQuotes) {
    EXPECT_EQ(tab("cat my", {{"my file", false}}), "cat \"my file\" |");
    EXPECT_EQ(tab("cat my", {{"my file", false}, {"my filter", false}}), "cat \"my fil|");
    EXPECT_EQ(tab("cat \"my fi", {{"my file", false}}), "cat \"my file\" |");
    EXPECT_EQ(tab("cd \"my", {{"my dir", true}}), "cd \"my dir/|") << "the quote stays open for the rest of the path";
    EXPECT_EQ(tab("cat \"my dir/n", {{"notes", false}}), "cat \"my dir/notes\" |");
    // ">my file" cannot be written: a quote inside a word.
    EXPECT_EQ(tab("cat >my", {{"my file", false}}), "NOTHING");
}

TEST(ShellCompletion, NeverPastTheLineLimit) {
    // A line that ends exactly at the limit is fine; one byte more is not.
    std::string head = "cat " + std::string(LineEditor::kMaxLine - 4 - 5, 'x') + " ";  // room for 4 bytes
    ASSERT_EQ(head.size() + 4, LineEditor::kMaxLine);
    EXPECT_EQ(tab(head + "ab", {{"abc", false}}), head + "abc |");
    EXPECT_EQ(tab(head + "ab", {{"abcd", false}}), "NOTHING");
    std::string long_name(CompletionSet::kMaxName, 'n');
    EXPECT_EQ(tab("cat n", {{long_name, false}}), "NOTHING");
    // The tail counts too.
    std::string tail(LineEditor::kMaxLine - 8, 't');
    EXPECT_EQ(tab("cat ab " + tail, {{"abc", false}}, 6), "NOTHING");
    EXPECT_EQ(tab("cat a " + tail, {{"ab", false}}, 5), "cat ab |" + std::string(" ") + tail);
}

TEST(ShellCompletionColumns, FitTheScreenAndPlaceEveryName) {
    for (usize count : {1u, 2u, 9u, 10u, 11u, 30u, 128u}) {
        CompletionSet set("");
        std::vector<std::string> names;
        for (usize i = 0; i < count; ++i) names.push_back("n" + std::to_string(i) + (i % 3 ? "" : "xxxxx"));
        for (usize i = 0; i < count; ++i) set.offer(StringView(names[i].data(), names[i].size()), i % 4 == 0);
        ColumnLayout layout = lay_out_columns(set, 80);
        usize widest = 0;
        for (usize i = 0; i < set.kept(); ++i) widest = std::max(widest, set.name(i).length() + set.directory(i));
        EXPECT_EQ(layout.width, widest + 2) << count;
        EXPECT_LE((layout.columns - 1) * layout.width + widest, 80u) << count;
        EXPECT_GE(layout.rows * layout.columns, count) << count;
        // No column left empty, and as few rows as fit: one row fewer would
        // take more columns than the screen has room for.
        EXPECT_LT((layout.columns - 1) * layout.rows, count) << count;
        if (layout.rows > 1) {
            usize columns = (count + layout.rows - 2) / (layout.rows - 1);
            EXPECT_GT((columns - 1) * layout.width + widest, 80u) << count;
        }
        std::set<std::pair<usize, usize>> cells;
        for (usize i = 0; i < count; ++i) cells.insert({i % layout.rows, i / layout.rows});
        EXPECT_EQ(cells.size(), count);
    }
}

TEST(ShellCompletionColumns, WideNamesGetOneColumnAndNoneGetNoRows) {
    CompletionSet wide("");
    std::string a(100, 'a'), b(100, 'b');
    wide.offer(StringView(a.data(), a.size()), false);
    wide.offer(StringView(b.data(), b.size()), false);
    ColumnLayout layout = lay_out_columns(wide, 80);
    EXPECT_EQ(layout.columns, 1u);
    EXPECT_EQ(layout.rows, 2u);
    CompletionSet none("x");
    EXPECT_EQ(lay_out_columns(none, 80).rows, 0u);
}

TEST(ShellCompletion, BuiltinNamesAreTheBuiltins) {
    std::vector<std::string> names;
    for (StringView name : builtin_names()) {
        EXPECT_NE(find_builtin(name), Builtin::None) << str(name);
        names.push_back(str(name));
    }
    EXPECT_EQ(names.size(), 6u);
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    EXPECT_EQ(find_builtin("cat"), Builtin::None);
}

namespace {

// A one-line terminal: printable bytes overwrite at the cursor, ESC[nD and
// ESC[nC move it; enough to see what the line editor's echo leaves.
struct Screen {
    std::string row;
    usize cursor = 0;
    void take(StringView text) {
        for (usize i = 0; i < text.length(); ++i) {
            if (text[i] == '\x1b') {
                usize n = 0;
                i += 2;  // ESC [
                while (text[i] >= '0' && text[i] <= '9') n = n * 10 + usize(text[i++] - '0');
                ASSERT_TRUE(text[i] == 'D' || text[i] == 'C');
                if (text[i] == 'D') {
                    ASSERT_LE(n, cursor);
                    cursor -= n;
                } else {
                    cursor += n;
                }
                continue;
            }
            if (cursor == row.size()) row += text[i];
            else row[cursor] = text[i];
            ++cursor;
        }
    }
    // The row without the trailing blanks that erased longer text.
    std::string shown() const { return row.substr(0, row.find_last_not_of(' ') + 1); }
};

}  // namespace

TEST(ShellCompletion, TheTerminalShowsTheReplacedLine) {
    LineEditor ed;
    Screen screen;
    ed.set_echo([](StringView t, void* c) { static_cast<Screen*>(c)->take(t); }, &screen);
    for (char c : std::string("cat etc/mo | wc")) ed.feed(u8(c));
    for (int i = 0; i < 5; ++i)
        for (u8 byte : {u8(0x1b), u8('['), u8('D')}) ed.feed(byte);
    ed.replace("cat etc/motd  | wc", 13);
    EXPECT_EQ(screen.shown(), "cat etc/motd  | wc");
    EXPECT_EQ(screen.cursor, 13u);
    EXPECT_EQ(ed.cursor(), 13u);
    // A shorter line (history) blanks what is left of the longer one.
    ed.replace("ls", 2);
    EXPECT_EQ(screen.shown(), "ls");
    EXPECT_EQ(screen.cursor, 2u);
    ed.feed('x');
    EXPECT_EQ(screen.shown(), "lsx");
}

TEST(ShellCompletion, LineEditorReplacesWithTheCursorInside) {
    LineEditor ed;
    for (char c : std::string("cat x | wc")) ed.feed(u8(c));
    EXPECT_EQ(ed.cursor(), 10u);
    for (u8 byte : {u8(0x1b), u8('['), u8('D')}) ed.feed(byte);
    EXPECT_EQ(ed.cursor(), 9u);
    EXPECT_EQ(ed.feed('\t'), LineEditor::Event::Complete);
    EXPECT_EQ(str(ed.line()), "cat x | wc") << "Tab itself changes nothing";
    ed.replace("cat xyz | wc", 7);
    EXPECT_EQ(ed.cursor(), 7u);
    ed.feed('!');
    EXPECT_EQ(str(ed.line()), "cat xyz! | wc");
    ed.replace("ab", 99);
    EXPECT_EQ(ed.cursor(), 2u) << "a cursor past the end goes to the end";
    ed.replace("abc");
    EXPECT_EQ(ed.cursor(), 3u);
}

// Lines of the bytes that matter to the splitting, with the cursor
// anywhere: the word is always inside the line before the cursor, and a
// replacement keeps what is before the word and after the cursor and never
// passes the line limit (ASan checks the bounds on the way).
TEST(ShellCompletion, RandomLinesStayInBounds) {
    std::mt19937 random(20261207);
    const std::string alphabet = " \"\";&|<>+/.ab";
    const Listing names = {{"a", false}, {"ab", true}, {"a b", false}, {"abc def", true}, {".a", false}};
    int replaced = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string line(random() % (LineEditor::kMaxLine + 1), ' ');
        for (char& c : line) c = alphabet[random() % alphabet.size()];
        usize cursor = random() % (line.size() + 1);
        StringView view(line.data(), line.size());
        auto word = find_completion_word(view, cursor);
        if (word.is_error()) continue;
        const CompletionWord& w = word.value();
        ASSERT_LE(w.start, cursor) << line;
        ASSERT_EQ(str(w.text), line.substr(w.start, cursor - w.start));
        ASSERT_EQ(str(w.directory) + str(w.name), str(w.text));
        CompletionSet set(w.name);
        for (const auto& [name, directory] : names) set.offer(StringView(name.data(), name.size()), directory);
        char storage[LineEditor::kMaxLine];
        Completion result = decide_completion(view, cursor, w, set, Span<char>(storage, sizeof(storage)));
        if (result.action != CompletionAction::Replace) continue;
        std::string out = str(result.line);
        ASSERT_LE(out.size(), LineEditor::kMaxLine);
        ASSERT_EQ(out.substr(0, w.start), line.substr(0, w.start)) << line;
        ASSERT_EQ(out.substr(result.cursor), line.substr(cursor)) << line;
        ASSERT_GT(result.cursor, w.start);
        ++replaced;
    }
    EXPECT_GT(replaced, 1000) << "the lines must reach replacements";
}
