#include <gtest/gtest.h>

#include "base/result.hpp"

using namespace mote;

namespace {

Result<int> parse_digit(char c) {
    if (c < '0' || c > '9') return Error::Malformed;
    return c - '0';
}

Result<int> sum_digits(const char* s) {
    int total = 0;
    for (; *s; ++s) total += TRY(parse_digit(*s));
    return total;
}

Result<void> check_even(int v) {
    if (v % 2) return Error::InvalidArgument;
    return {};
}

Result<int> half_of_even(int v) {
    TRY(check_even(v));
    return v / 2;
}

}  // namespace

TEST(Result, ValueAndError) {
    Result<int> ok = 5;
    EXPECT_TRUE(ok.ok());
    EXPECT_EQ(ok.value(), 5);
    Result<int> bad = Error::NoMemory;
    EXPECT_TRUE(bad.is_error());
    EXPECT_EQ(bad.error(), Error::NoMemory);
    EXPECT_EQ(bad.value_or(7), 7);
}

TEST(Result, TryPropagatesFirstError) {
    EXPECT_EQ(sum_digits("123").value(), 6);
    auto r = sum_digits("12x4");
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Error::Malformed);
}

TEST(Result, TryOnVoid) {
    EXPECT_EQ(half_of_even(8).value(), 4);
    EXPECT_EQ(half_of_even(7).error(), Error::InvalidArgument);
}

TEST(Result, ErrorNamesAreDistinctAndKnown) {
    for (usize i = 0; i < kErrorCount; ++i) {
        const char* name = error_name(Error(i));
        EXPECT_STRNE(name, "UnknownError") << i;
        for (usize j = 0; j < i; ++j) EXPECT_STRNE(name, error_name(Error(j)));
    }
    EXPECT_STREQ(error_name(Error::NoMemory), "NoMemory");
}

TEST(ResultDeathTest, ValueOfErrorIsAVerifyFailure) {
    EXPECT_DEATH(
        {
            Result<int> r = Error::Io;
            (void)r.value();
        },
        "VERIFY failed");
}
