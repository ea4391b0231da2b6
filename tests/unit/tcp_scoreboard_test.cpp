// The sender's SACK scoreboard (RFC 6675): merging blocks, ignoring the
// ones outside what is outstanding, staying bounded, and the IsLost and
// next-hole questions loss recovery asks of it.
#include <gtest/gtest.h>

#include "net/tcp/tcp_scoreboard.hpp"

using namespace mote;

namespace {

constexpr u32 kMss = 1000;
const Seq kUna(1'000'000);
const Seq kSentEnd = kUna + 100 * kMss;

TcpOptions blocks(std::initializer_list<std::pair<u32, u32>> list) {
    TcpOptions o;
    for (auto [left, right] : list) {
        o.sack[o.sack_count].left = left;
        o.sack[o.sack_count].right = right;
        ++o.sack_count;
    }
    return o;
}

// [una + a*mss, una + b*mss) as a raw SACK block.
std::pair<u32, u32> seg(u32 a, u32 b) { return {(kUna + a * kMss).value, (kUna + b * kMss).value}; }

}  // namespace

TEST(TcpScoreboard, CountsOnlyNewlySackedBytes) {
    TcpScoreboard board;
    EXPECT_EQ(board.update(kUna, kSentEnd, blocks({seg(2, 4)})), 2 * kMss);
    EXPECT_EQ(board.update(kUna, kSentEnd, blocks({seg(2, 4)})), 0u);  // repeated
    EXPECT_EQ(board.update(kUna, kSentEnd, blocks({seg(3, 6)})), 2 * kMss);  // overlaps
    ASSERT_EQ(board.count(), 1u);
    EXPECT_EQ(board.at(0).left, kUna + 2 * kMss);
    EXPECT_EQ(board.at(0).right, kUna + 6 * kMss);
}

TEST(TcpScoreboard, MergesABlockThatBridgesRanges) {
    TcpScoreboard board;
    board.update(kUna, kSentEnd, blocks({seg(1, 2), seg(4, 5), seg(7, 8)}));
    ASSERT_EQ(board.count(), 3u);
    // Touches the first (adjacent) and overlaps the second: one range.
    EXPECT_EQ(board.update(kUna, kSentEnd, blocks({seg(2, 6)})), 3 * kMss);
    ASSERT_EQ(board.count(), 2u);
    EXPECT_EQ(board.at(0).left, kUna + 1 * kMss);
    EXPECT_EQ(board.at(0).right, kUna + 6 * kMss);
    EXPECT_EQ(board.at(1).left, kUna + 7 * kMss);
}

TEST(TcpScoreboard, IgnoresBlocksOutsideWhatIsOutstanding) {
    TcpScoreboard board;
    const u32 below = (kUna - 5 * kMss).value;
    EXPECT_EQ(board.update(kUna, kSentEnd, blocks({{below, kUna.value}})), 0u);  // D-SACK below una
    EXPECT_EQ(board.update(kUna, kSentEnd, blocks({seg(99, 101)})), 0u);  // past what was sent
    EXPECT_EQ(board.update(kUna, kSentEnd, blocks({seg(5, 5), seg(6, 4)})), 0u);  // empty, inverted
    EXPECT_TRUE(board.empty());
    // A block straddling una counts only from una.
    EXPECT_EQ(board.update(kUna, kSentEnd, blocks({{below, (kUna + kMss).value}})), kMss);
    EXPECT_EQ(board.at(0).left, kUna);
}

TEST(TcpScoreboard, StaysBoundedAndForgetsTheHighestRange) {
    TcpScoreboard board;
    for (u32 i = 0; i < TcpScoreboard::kMaxRanges; ++i) board.update(kUna, kSentEnd, blocks({seg(2 * i + 1, 2 * i + 2)}));
    ASSERT_EQ(board.count(), TcpScoreboard::kMaxRanges);
    const Seq highest = board.highest();
    // Higher than all: dropped.
    EXPECT_EQ(board.update(kUna, kSentEnd, blocks({seg(60, 61)})), 0u);
    EXPECT_EQ(board.highest(), highest);
    // Lower than the highest: kept, and the highest range goes.
    EXPECT_EQ(board.update(kUna, kSentEnd, blocks({{(kUna + 100).value, (kUna + 200).value}})), 100u);
    EXPECT_EQ(board.count(), TcpScoreboard::kMaxRanges);
    EXPECT_TRUE(board.highest().before(highest));
    EXPECT_TRUE(board.sacked(kUna + 150));
}

TEST(TcpScoreboard, AdvanceForgetsWhatTheCumulativeAckCovers) {
    TcpScoreboard board;
    board.update(kUna, kSentEnd, blocks({seg(2, 4), seg(6, 8)}));
    board.advance(kUna + 3 * kMss);
    ASSERT_EQ(board.count(), 2u);
    EXPECT_EQ(board.at(0).left, kUna + 3 * kMss);
    board.advance(kUna + 8 * kMss);
    EXPECT_TRUE(board.empty());
}

TEST(TcpScoreboard, IsLostAfterThreeSegmentsOrThreeRangesAbove) {
    TcpScoreboard board;
    board.update(kUna, kSentEnd, blocks({seg(1, 3)}));
    EXPECT_FALSE(board.is_lost(kUna, kMss));  // two segments above: not yet
    board.update(kUna, kSentEnd, blocks({seg(3, 4)}));
    EXPECT_TRUE(board.is_lost(kUna, kMss));  // three
    EXPECT_FALSE(board.is_lost(kUna + 3 * kMss, kMss));  // nothing much above

    TcpScoreboard sparse;
    sparse.update(kUna, kSentEnd, blocks({{(kUna + 10).value, (kUna + 20).value}, {(kUna + 30).value, (kUna + 40).value}}));
    EXPECT_FALSE(sparse.is_lost(kUna, kMss));
    sparse.update(kUna, kSentEnd, blocks({{(kUna + 50).value, (kUna + 60).value}}));
    EXPECT_TRUE(sparse.is_lost(kUna, kMss));  // three ranges, few bytes
}

TEST(TcpScoreboard, NextHoleSkipsSackedRangesAndStopsAtTheHighest) {
    TcpScoreboard board;
    board.update(kUna, kSentEnd, blocks({seg(1, 3), seg(5, 6)}));
    Seq left;
    u32 length = 0;
    ASSERT_TRUE(board.next_hole(kUna, &left, &length));
    EXPECT_EQ(left, kUna);
    EXPECT_EQ(length, kMss);
    ASSERT_TRUE(board.next_hole(kUna + 2 * kMss, &left, &length));  // inside a range
    EXPECT_EQ(left, kUna + 3 * kMss);
    EXPECT_EQ(length, 2 * kMss);
    EXPECT_FALSE(board.next_hole(kUna + 6 * kMss, &left, &length));  // nothing SACKed above
}

TEST(TcpScoreboard, WorksAcrossSequenceWrap) {
    TcpScoreboard board;
    const Seq una(0xffff'f000u);
    const Seq end = una + 100 * kMss;
    TcpOptions o = blocks({{(una + 2 * kMss).value, (una + 6 * kMss).value}});  // crosses zero
    EXPECT_EQ(board.update(una, end, o), 4 * kMss);
    EXPECT_TRUE(board.sacked(Seq(0)));
    EXPECT_TRUE(board.is_lost(una, kMss));
    board.advance(una + 5 * kMss);
    EXPECT_EQ(board.at(0).left, una + 5 * kMss);
}
