// Intrusive list, ring buffer, bitmap, span.
#include <gtest/gtest.h>

#include <vector>

#include "base/bitmap.hpp"
#include "base/list.hpp"
#include "base/ring_buffer.hpp"
#include "base/span.hpp"

using namespace mote;

namespace {
struct Item {
    int value;
    ListNode a;
    ListNode b;
};
using ListA = IntrusiveList<Item, &Item::a>;
using ListB = IntrusiveList<Item, &Item::b>;

std::vector<int> values(ListA& l) {
    std::vector<int> v;
    for (Item& i : l) v.push_back(i.value);
    return v;
}
}  // namespace

TEST(IntrusiveList, PushPopOrderAndSize) {
    Item x {1, {}, {}}, y {2, {}, {}}, z {3, {}, {}};
    ListA l;
    l.push_back(y);
    l.push_front(x);
    l.push_back(z);
    EXPECT_EQ(values(l), (std::vector<int> {1, 2, 3}));
    EXPECT_EQ(l.size(), 3u);
    EXPECT_EQ(l.front()->value, 1);
    EXPECT_EQ(l.back()->value, 3);
    EXPECT_EQ(l.next(x)->value, 2);
    EXPECT_EQ(l.next(z), nullptr);
    l.remove(y);
    EXPECT_FALSE(y.a.is_linked());
    EXPECT_EQ(values(l), (std::vector<int> {1, 3}));
    l.insert_before(z, y);
    EXPECT_EQ(values(l), (std::vector<int> {1, 2, 3}));
    EXPECT_EQ(l.pop_front()->value, 1);
    EXPECT_EQ(l.pop_front()->value, 2);
    EXPECT_EQ(l.pop_front()->value, 3);
    EXPECT_EQ(l.pop_front(), nullptr);
    EXPECT_TRUE(l.empty());
}

TEST(IntrusiveList, ElementOnTwoListsAndRemovalWhileIterating) {
    std::vector<Item> items(10);
    ListA la;
    ListB lb;
    for (int i = 0; i < 10; ++i) {
        items[i].value = i;
        la.push_back(items[i]);
        if (i % 2) lb.push_back(items[i]);
    }
    for (Item& i : la)
        if (i.value % 3 == 0) la.remove(i);
    EXPECT_EQ(values(la), (std::vector<int> {1, 2, 4, 5, 7, 8}));
    EXPECT_EQ(lb.size(), 5u);
    EXPECT_TRUE(lb.contains(items[3])) << "removal from one list leaves the other alone";
    while (la.pop_front()) {
    }
    while (lb.pop_front()) {
    }
}

TEST(IntrusiveListDeathTest, DoubleInsertAndForeignRemoveAreCaught) {
    EXPECT_DEATH(
        {
            Item x {};
            ListA l;
            l.push_back(x);
            l.push_back(x);
        },
        "already linked");
    EXPECT_DEATH(
        {
            Item x {};
            ListA l;
            l.remove(x);
        },
        "unlinked");
}

TEST(RingBuffer, FifoFullEmptyAndWrap) {
    RingBuffer<int, 4> r;
    int out;
    EXPECT_FALSE(r.pop(out));
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 4; ++i) EXPECT_TRUE(r.push(round * 10 + i));
        EXPECT_TRUE(r.full());
        EXPECT_FALSE(r.push(99)) << "full ring refuses, caller counts the drop";
        for (int i = 0; i < 4; ++i) {
            ASSERT_TRUE(r.pop(out));
            EXPECT_EQ(out, round * 10 + i);
        }
        EXPECT_TRUE(r.empty());
        EXPECT_TRUE(r.push(1));  // shift the head so the next round wraps
        ASSERT_TRUE(r.pop(out));
    }
}

TEST(RingBuffer, OverwriteKeepsNewest) {
    RingBuffer<int, 3> r;
    for (int i = 0; i < 5; ++i) r.push_overwrite(i);
    EXPECT_EQ(r.size(), 3u);
    EXPECT_EQ(r.at(0), 2);
    EXPECT_EQ(r.at(2), 4);
}

TEST(Bitmap, SetClearCountFind) {
    Bitmap<130> b;
    EXPECT_EQ(b.count_set(), 0u);
    EXPECT_EQ(b.find_first(true), BitmapView::kNotFound);
    b.set(0);
    b.set(64);
    b.set(129);
    EXPECT_EQ(b.count_set(), 3u);
    EXPECT_EQ(b.find_first(true, 1), 64u);
    EXPECT_EQ(b.find_first(true, 65), 129u);
    EXPECT_EQ(b.find_first(false), 1u);
    b.fill(true);
    EXPECT_EQ(b.count_set(), 130u) << "bits past the end are never set";
    EXPECT_EQ(b.find_first(false), BitmapView::kNotFound);
    b.clear(77);
    EXPECT_EQ(b.find_first(false), 77u);
    EXPECT_FALSE(b.get(77));
}

TEST(BitmapDeathTest, OutOfRangeIsCaught) {
    EXPECT_DEATH(
        {
            Bitmap<10> b;
            b.set(10);
        },
        "VERIFY");
}

TEST(Span, SliceBoundsAreChecked) {
    int data[5] = {1, 2, 3, 4, 5};
    Span<int> s(data);
    EXPECT_EQ(s.slice(1, 3).size(), 3u);
    EXPECT_EQ(s.slice(1, 3)[0], 2);
    EXPECT_EQ(s.slice(5).size(), 0u);
    EXPECT_DEATH((void)s.slice(4, 2), "VERIFY");
    EXPECT_DEATH((void)s[5], "VERIFY");
}

TEST(StringView, CompareAndPrefix) {
    StringView a("hello");
    EXPECT_EQ(a.length(), 5u);
    EXPECT_TRUE(a == StringView("hello"));
    EXPECT_FALSE(a == StringView("hell"));
    EXPECT_TRUE(a.starts_with("he"));
    EXPECT_FALSE(a.starts_with("hello!"));
    EXPECT_TRUE(a.substr(1, 3) == StringView("ell"));
}
