#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "arguments.hpp"
#include "line_editor.hpp"

using namespace mote;

namespace {
struct Fed {
    std::vector<std::string> lines;
    std::vector<usize> garbage;
    std::vector<usize> overlong;
    int cancels = 0;
    int completes = 0;
};

Fed feed(LineEditor& ed, const std::string& bytes) {
    Fed f;
    for (unsigned char b : bytes) {
        switch (ed.feed(b)) {
        case LineEditor::Event::Line:
            f.lines.emplace_back(ed.line().data(), ed.line().length());
            f.garbage.push_back(ed.garbage());
            f.overlong.push_back(ed.overlong());
            ed.reset();
            break;
        case LineEditor::Event::Cancelled:
            ++f.cancels;
            ed.reset();
            break;
        case LineEditor::Event::Complete: ++f.completes; break;
        case LineEditor::Event::None: break;
        }
    }
    return f;
}
}  // namespace

TEST(LineEditor, LineEndingsCrLfAndCrLfAreOneEach) {
    LineEditor ed;
    auto f = feed(ed, "a\nb\rc\r\nd\n\n");
    EXPECT_EQ(f.lines, (std::vector<std::string> {"a", "b", "c", "d", ""}));
}

TEST(LineEditor, BackspaceArrowsHomeEndDelete) {
    LineEditor ed;
    // "helo", left, insert 'l' -> "hello"; Home, insert '>' ; End, "!"
    auto f = feed(ed, "helo\x1b[Dl\x1b[H>\x1b[F!\n");
    EXPECT_EQ(f.lines.at(0), ">hello!");
    // Backspace (DEL and BS), Delete key in the middle.
    f = feed(ed, "abcd\x7f\x08x\n");
    EXPECT_EQ(f.lines.at(0), "abx");
    f = feed(ed, "abcd\x1b[D\x1b[D\x1b[3~\n");
    EXPECT_EQ(f.lines.at(0), "abd");
    f = feed(ed, "abc\x01X\x05Y\n");  // Ctrl-A, Ctrl-E
    EXPECT_EQ(f.lines.at(0), "XabcY");
    f = feed(ed, "junk\x15ok\n");  // Ctrl-U
    EXPECT_EQ(f.lines.at(0), "ok");
}

TEST(LineEditor, HistoryWalksBackAndForward) {
    LineEditor ed;
    feed(ed, "one\ntwo\ntwo\nthree\n");
    EXPECT_EQ(ed.history_size(), 3u) << "repeats are not stored twice";
    auto f = feed(ed, "\x1b[A\x1b[A\n");
    EXPECT_EQ(f.lines.at(0), "two");
    f = feed(ed, "\x1b[A\x1b[A\x1b[A\x1b[A\x1b[B\n");  // past the oldest stays there
    EXPECT_EQ(f.lines.at(0), "two");
    f = feed(ed, "draft\x1b[A\x1b[B\n");  // down past the newest: a fresh line
    EXPECT_EQ(f.lines.at(0), "");
}

TEST(LineEditor, GarbageAndOverlongLinesAreFlaggedNotRun) {
    LineEditor ed;
    auto f = feed(ed, std::string("ab\x02\xff\x80" "c\n", 7));
    EXPECT_EQ(f.lines.at(0), "abc");
    EXPECT_EQ(f.garbage.at(0), 3u);
    f = feed(ed, std::string(LineEditor::kMaxLine + 10, 'x') + "\n");
    EXPECT_EQ(f.lines.at(0).size(), LineEditor::kMaxLine);
    EXPECT_EQ(f.overlong.at(0), 10u);
    f = feed(ed, "\x1bZok\n");  // an unknown escape is garbage too
    EXPECT_EQ(f.garbage.at(0), 1u);
    f = feed(ed, "clean\n");
    EXPECT_EQ(f.garbage.at(0), 0u) << "reset clears the counts";
}

TEST(LineEditor, CtrlCCancelsAndTabAsksForCompletion) {
    LineEditor ed;
    auto f = feed(ed, "half\x03whole\n");
    EXPECT_EQ(f.cancels, 1);
    EXPECT_EQ(f.lines, (std::vector<std::string> {"whole"}));
    f = feed(ed, "he\t");
    EXPECT_EQ(f.completes, 1);
    ed.replace("help ");
    f = feed(ed, "\n");
    EXPECT_EQ(f.lines.at(0), "help ");
}

TEST(LineEditor, EchoRedrawsEditsInTheMiddle) {
    LineEditor ed;
    std::string screen;
    ed.set_echo([](StringView t, void* c) { static_cast<std::string*>(c)->append(t.data(), t.length()); }, &screen);
    feed(ed, "ac\x1b[Db\n");
    // 'a','c' echoed; cursor left; 'b' inserted: tail "bc" redrawn and the
    // cursor moved back over "c".
    EXPECT_EQ(screen, "ac\x1b[1Dbc\x1b[1D\n");
}

TEST(Arguments, SplitsWordsAndQuotes) {
    auto a = Arguments::parse("  blk  write 5 \"hello world\" ").value();
    ASSERT_EQ(a.count(), 4u);
    EXPECT_TRUE(a[0] == StringView("blk"));
    EXPECT_TRUE(a[3] == StringView("hello world"));
    EXPECT_EQ(a.number(2).value(), 5u);
    EXPECT_EQ(a.number(0).error(), Error::Malformed);
    EXPECT_EQ(a.number(9).error(), Error::InvalidArgument);
    EXPECT_FALSE(a.quoted(2));
    EXPECT_TRUE(a.quoted(3));
    EXPECT_FALSE(a.quoted(4)) << "past the end";
    EXPECT_TRUE(Arguments::parse("").value().empty());
    EXPECT_EQ(Arguments::parse("\"\"").value().count(), 1u);
}

TEST(Arguments, RejectsMalformedLinesWithAReason) {
    ArgumentsFault fault;
    EXPECT_EQ(Arguments::parse("say \"unterminated", &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, ArgumentsFault::UnterminatedQuote);
    EXPECT_EQ(Arguments::parse("a\"b\"", &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, ArgumentsFault::QuoteInsideWord);
    EXPECT_EQ(Arguments::parse("\"a\"b", &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, ArgumentsFault::QuoteInsideWord);
    std::string many;
    for (int i = 0; i < 17; ++i) many += "w ";
    EXPECT_EQ(Arguments::parse(StringView(many.data(), many.size()), &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, ArgumentsFault::TooManyWords);
}
