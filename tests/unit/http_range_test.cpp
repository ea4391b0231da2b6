// Byte ranges (user/programs/httpd/http_range.*): the Range header and how
// a range meets a file's size. The 10000-byte cases are RFC 9110 14.1.2's
// own examples ("bytes=0-499": the first 500 bytes, "bytes=-500" and
// "bytes=9500-": the last 500).
#include <gtest/gtest.h>

#include "httpd/http_range.hpp"

using namespace mote;
using namespace mote::httpd;

namespace {

using Kind = RangeAnswer::Kind;

struct Expect {
    Kind kind;
    u64 first = 0;
    u64 last = 0;
};

void expect_answer(const char* header, u64 size, Expect want) {
    RangeAnswer got = resolve_range(parse_range(header), size);
    EXPECT_EQ(int(got.kind), int(want.kind)) << header << " size " << size;
    if (want.kind == Kind::Partial && got.kind == Kind::Partial) {
        EXPECT_EQ(got.first, want.first) << header;
        EXPECT_EQ(got.last, want.last) << header;
        EXPECT_EQ(got.length(), want.last - want.first + 1) << header;
    }
}

TEST(HttpRange, RfcExamples) {
    expect_answer("bytes=0-499", 10000, {Kind::Partial, 0, 499});
    expect_answer("bytes=500-999", 10000, {Kind::Partial, 500, 999});
    expect_answer("bytes=-500", 10000, {Kind::Partial, 9500, 9999});
    expect_answer("bytes=9500-", 10000, {Kind::Partial, 9500, 9999});
    expect_answer("bytes=0-0", 10000, {Kind::Partial, 0, 0});
    expect_answer("bytes=-1", 10000, {Kind::Partial, 9999, 9999});
}

TEST(HttpRange, ParsesEachForm) {
    ByteRange r = parse_range("bytes=3-7");
    EXPECT_EQ(int(r.kind), int(ByteRange::Kind::FromTo));
    EXPECT_EQ(r.first, 3u);
    EXPECT_EQ(r.last, 7u);
    r = parse_range("bytes=3-");
    EXPECT_EQ(int(r.kind), int(ByteRange::Kind::From));
    EXPECT_EQ(r.first, 3u);
    r = parse_range("bytes=-7");
    EXPECT_EQ(int(r.kind), int(ByteRange::Kind::Suffix));
    EXPECT_EQ(r.suffix_length, 7u);
    // The unit is case-insensitive (RFC 9110 14.1).
    EXPECT_EQ(int(parse_range("BYTES=1-2").kind), int(ByteRange::Kind::FromTo));
}

TEST(HttpRange, LastPastTheEndMeansTheEnd) {
    expect_answer("bytes=9000-20000", 10000, {Kind::Partial, 9000, 9999});
    expect_answer("bytes=0-", 1, {Kind::Partial, 0, 0});
    // A suffix longer than the file is the whole file, as a 206.
    expect_answer("bytes=-20000", 10000, {Kind::Partial, 0, 9999});
    // Numbers beyond u64 still mean "past the end".
    expect_answer("bytes=0-99999999999999999999999", 10000, {Kind::Partial, 0, 9999});
    expect_answer("bytes=-99999999999999999999999", 10000, {Kind::Partial, 0, 9999});
}

TEST(HttpRange, BoundariesAtTheLastByte) {
    expect_answer("bytes=-10000", 10000, {Kind::Partial, 0, 9999});
    expect_answer("bytes=-9999", 10000, {Kind::Partial, 1, 9999});
    expect_answer("bytes=9999-", 10000, {Kind::Partial, 9999, 9999});
    expect_answer("bytes=9999-9999", 10000, {Kind::Partial, 9999, 9999});
    expect_answer("bytes=0-9999", 10000, {Kind::Partial, 0, 9999});
    expect_answer("bytes=0-9998", 10000, {Kind::Partial, 0, 9998});
}

TEST(HttpRange, Unsatisfiable) {
    expect_answer("bytes=10000-", 10000, {Kind::Unsatisfiable});
    expect_answer("bytes=10000-10005", 10000, {Kind::Unsatisfiable});
    expect_answer("bytes=99999999999999999999-", 10000, {Kind::Unsatisfiable});
    expect_answer("bytes=-0", 10000, {Kind::Unsatisfiable});
    // An empty file has no first byte.
    expect_answer("bytes=0-", 0, {Kind::Unsatisfiable});
    expect_answer("bytes=0-0", 0, {Kind::Unsatisfiable});
    expect_answer("bytes=-0", 0, {Kind::Unsatisfiable});
}

TEST(HttpRange, SuffixOfAnEmptyFileIsTheWholeFile) {
    expect_answer("bytes=-5", 0, {Kind::Full});
}

TEST(HttpRange, IgnoredRangesServeTheWholeFile) {
    for (const char* header : {"", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=5-4", "bytes=1-2-3",
                               "bytes=1 -2", "bytes =0-1", "items=0-1", "bytes=0x10-", "bytes=+1-2",
                               "bytes=0-1,5-6", "bytes=0-1, -5", "bytes=,", "bytes=0-1;x"}) {
        EXPECT_EQ(int(parse_range(header).kind), int(ByteRange::Kind::None)) << header;
        expect_answer(header, 10000, {Kind::Full});
    }
}

TEST(HttpRange, EmptyListElementsDoNotCount) {
    // RFC 9110 5.6.1: recipients accept and ignore empty list elements.
    expect_answer("bytes=0-1,", 10000, {Kind::Partial, 0, 1});
    expect_answer("bytes=, 5-6", 10000, {Kind::Partial, 5, 6});
}

TEST(HttpRange, NoRangeIsFull) {
    expect_answer("", 0, {Kind::Full});
    EXPECT_EQ(int(resolve_range(ByteRange {}, 10).kind), int(Kind::Full));
}

}  // namespace
