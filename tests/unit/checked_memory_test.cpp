// Checked arithmetic, number parsing and the freestanding memory routines.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "base/checked.hpp"
#include "base/memory.hpp"
#include "base/parse_number.hpp"

using namespace mote;

TEST(Checked, AddSubMulOverflow) {
    EXPECT_EQ(checked_add<u64>(1, 2).value(), 3u);
    EXPECT_EQ(checked_add<u64>(UINT64_MAX, 1).error(), Error::Overflow);
    EXPECT_EQ(checked_sub<u32>(0, 1).error(), Error::Overflow);
    EXPECT_EQ(checked_mul<u32>(1u << 16, 1u << 16).error(), Error::Overflow);
    EXPECT_EQ(checked_mul<u32>(1u << 15, 1u << 16).value(), 1u << 31);
}

TEST(Checked, RangeAndAlignment) {
    EXPECT_TRUE(check_range<u64>(0, 10, 10).ok());
    EXPECT_EQ(check_range<u64>(1, 10, 10).error(), Error::OutOfRange);
    EXPECT_EQ(check_range<u64>(UINT64_MAX, 2, UINT64_MAX).error(), Error::Overflow) << "a wrapping end is not in range";
    EXPECT_EQ(align_up<u64>(4097, 4096).value(), 8192u);
    EXPECT_EQ(align_up<u64>(4096, 4096).value(), 4096u);
    EXPECT_EQ(align_up<u64>(UINT64_MAX - 10, 4096).error(), Error::Overflow);
    EXPECT_EQ(align_down<u64>(8191, 4096), 4096u);
}

TEST(ParseNumber, AcceptsDecimalHexBinary) {
    EXPECT_EQ(parse_u64("0").value(), 0u);
    EXPECT_EQ(parse_u64("123").value(), 123u);
    EXPECT_EQ(parse_u64("0x7b").value(), 123u);
    EXPECT_EQ(parse_u64("0X7B").value(), 123u);
    EXPECT_EQ(parse_u64("0b1111011").value(), 123u);
    EXPECT_EQ(parse_u64("18446744073709551615").value(), UINT64_MAX);
    EXPECT_EQ(parse_u64("0xffffffffffffffff").value(), UINT64_MAX);
}

TEST(ParseNumber, RejectsWithNamedErrors) {
    EXPECT_EQ(parse_u64("").error(), Error::Malformed);
    EXPECT_EQ(parse_u64("0x").error(), Error::Malformed);
    EXPECT_EQ(parse_u64("12a").error(), Error::Malformed);
    EXPECT_EQ(parse_u64("-1").error(), Error::Malformed);
    EXPECT_EQ(parse_u64(" 1").error(), Error::Malformed);
    EXPECT_EQ(parse_u64("0b102").error(), Error::Malformed);
    EXPECT_EQ(parse_u64("18446744073709551616").error(), Error::Overflow);
    EXPECT_EQ(parse_u64("0x10000000000000000").error(), Error::Overflow);
}

// Against libc, at every small size and alignment combination.
TEST(Memory, MatchesLibcAtEveryAlignment) {
    std::mt19937 rng(11);
    std::vector<u8> src(300), a(300), b(300);
    for (auto& x : src) x = u8(rng());
    for (usize so = 0; so < 9; ++so)
        for (usize d = 0; d < 9; ++d)
            for (usize n : {0, 1, 7, 8, 9, 31, 64, 100, 200}) {
                std::fill(a.begin(), a.end(), 0xee);
                std::fill(b.begin(), b.end(), 0xee);
                mem_copy(a.data() + d, src.data() + so, n);
                std::memcpy(b.data() + d, src.data() + so, n);
                ASSERT_EQ(a, b) << so << " " << d << " " << n;
                mem_set(a.data() + d, int(n), n);
                std::memset(b.data() + d, int(n), n);
                ASSERT_EQ(a, b);
                EXPECT_EQ(mem_compare(a.data(), b.data(), 300), 0);
            }
}

TEST(Memory, MoveHandlesOverlapBothWays) {
    for (int shift : {-5, -1, 1, 3, 8, 17}) {
        std::vector<u8> a(80), b(80);
        for (int i = 0; i < 80; ++i) a[i] = b[i] = u8(i);
        mem_move(a.data() + 20 + shift, a.data() + 20, 30);
        std::memmove(b.data() + 20 + shift, b.data() + 20, 30);
        EXPECT_EQ(a, b) << shift;
    }
}

TEST(Memory, CompareOrdersLikeUnsignedBytes) {
    u8 x[3] = {1, 0x80, 3}, y[3] = {1, 0x7f, 9};
    EXPECT_GT(mem_compare(x, y, 3), 0);
    EXPECT_LT(mem_compare(y, x, 3), 0);
    EXPECT_EQ(mem_compare(x, y, 1), 0);
    EXPECT_EQ(string_length("abc"), 3u);
}
