// The user runtime's strings and parsers (user/runtime/strings.hpp,
// parse.hpp): comparisons like C's, seconds, sizes, addresses, ports and
// options.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "parse.hpp"
#include "strings.hpp"

using namespace mote;
using namespace mote::user;

TEST(UserRuntimeStrings, CompareLikeC) {
    EXPECT_EQ(string_compare("abc", "abc"), 0);
    EXPECT_LT(string_compare("abc", "abd"), 0);
    EXPECT_GT(string_compare("abc", "ab"), 0);
    EXPECT_GT(string_compare("\xff", "a"), 0);  // unsigned char order
    EXPECT_EQ(string_compare_n("abcx", "abcy", 3), 0);
    EXPECT_LT(string_compare_n("abcx", "abcy", 4), 0);
    EXPECT_EQ(string_compare_n("a", "b", 0), 0);
    const char* s = "hello";
    EXPECT_EQ(string_find(s, 'l'), s + 2);
    EXPECT_EQ(string_find(s, 0), s + 5);
    EXPECT_EQ(string_find(s, 'z'), nullptr);
    EXPECT_EQ(memory_find(s, 'o', 5), s + 4);
    EXPECT_EQ(memory_find(s, 'o', 4), nullptr);
    char small[4];
    EXPECT_EQ(string_copy(small, "abcdef", sizeof(small)), 6u);
    EXPECT_STREQ(small, "abc");
    EXPECT_EQ(string_copy(small, "ab", sizeof(small)), 2u);
    EXPECT_STREQ(small, "ab");
}

TEST(UserRuntimeParse, Seconds) {
    EXPECT_EQ(parse_seconds("2").value(), 2'000'000'000u);
    EXPECT_EQ(parse_seconds("1.5").value(), 1'500'000'000u);
    EXPECT_EQ(parse_seconds("0.25").value(), 250'000'000u);
    EXPECT_EQ(parse_seconds(".5").value(), 500'000'000u);
    EXPECT_EQ(parse_seconds("3.").value(), 3'000'000'000u);
    EXPECT_EQ(parse_seconds("0.000000001").value(), 1u);
    for (const char* bad : {"", ".", "abc", "1.2.3", "0x10", "1.0000000001", "-1", "1s", " 1"})
        EXPECT_EQ(parse_seconds(bad).error(), Error::Malformed) << bad;
    EXPECT_EQ(parse_seconds("18446744074").error(), Error::Overflow);
    EXPECT_EQ(parse_seconds("18446744073.709551615").value(), ~uint64_t(0));
}

TEST(UserRuntimeParse, Sizes) {
    EXPECT_EQ(parse_size("512").value(), 512u);
    EXPECT_EQ(parse_size("4k").value(), 4096u);
    EXPECT_EQ(parse_size("4K").value(), 4096u);
    EXPECT_EQ(parse_size("1M").value(), 1048576u);
    EXPECT_EQ(parse_size("2g").value(), 2147483648u);
    EXPECT_EQ(parse_size("0").value(), 0u);
    EXPECT_EQ(parse_size("k").error(), Error::Malformed);
    EXPECT_EQ(parse_size("").error(), Error::Malformed);
    EXPECT_EQ(parse_size("4x").error(), Error::Malformed);
    EXPECT_EQ(parse_size("17179869184G").error(), Error::Overflow);
}

TEST(UserRuntimeParse, AddressesAndPorts) {
    EXPECT_EQ(parse_ipv4("10.0.2.2").value(), 0x0a000202u);
    EXPECT_EQ(parse_ipv4("255.255.255.255").value(), 0xffffffffu);
    EXPECT_EQ(parse_ipv4("0.0.0.0").value(), 0u);
    for (const char* bad : {"", "10.0.2", "10.0.2.2.", "10.0.2.256", "10.0.02.2", "1.2.3.4x", "a.b.c.d", "10..2.2", "1234.1.1.1"})
        EXPECT_EQ(parse_ipv4(bad).error(), Error::Malformed) << bad;
    EXPECT_EQ(parse_port("80").value(), 80);
    EXPECT_EQ(parse_port("65535").value(), 65535);
    EXPECT_EQ(parse_port("0").error(), Error::OutOfRange);
    EXPECT_EQ(parse_port("65536").error(), Error::OutOfRange);
    EXPECT_EQ(parse_port("0x50").error(), Error::Malformed);
    EXPECT_EQ(parse_port("").error(), Error::Malformed);
}

TEST(UserRuntimeParse, Options) {
    StringView value;
    EXPECT_TRUE(match_option("if=dev/vda", "if", value));
    EXPECT_TRUE(value == "dev/vda");
    EXPECT_TRUE(match_option("bs=", "bs", value));
    EXPECT_TRUE(value.empty());
    EXPECT_FALSE(match_option("ifx=1", "if", value));
    EXPECT_FALSE(match_option("if", "if", value));
    EXPECT_FALSE(match_option("of=x", "if", value));
}
