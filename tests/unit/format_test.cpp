#include <gtest/gtest.h>

#include <string>

#include "base/format.hpp"

using namespace mote;

namespace {
template <typename... Args>
std::string fmt(const char* f, const Args&... args) {
    char buf[256];
    StringView v = format_to(buf, f, args...);
    return std::string(v.data(), v.length());
}
}  // namespace

TEST(Format, Basics) {
    EXPECT_EQ(fmt("plain"), "plain");
    EXPECT_EQ(fmt("{} + {} = {}", 1, 2, 3), "1 + 2 = 3");
    EXPECT_EQ(fmt("{}", "text"), "text");
    EXPECT_EQ(fmt("{}", StringView("view", 2)), "vi");
    EXPECT_EQ(fmt("{}", 'c'), "c");
    EXPECT_EQ(fmt("{} {}", true, false), "true false");
    EXPECT_EQ(fmt("{}", Error::NoMemory), "NoMemory");
    EXPECT_EQ(fmt("{{}} {{{}}}", 5), "{} {5}");
}

TEST(Format, IntegerLimits) {
    EXPECT_EQ(fmt("{}", 0), "0");
    EXPECT_EQ(fmt("{}", -1), "-1");
    EXPECT_EQ(fmt("{}", INT64_MIN), "-9223372036854775808");
    EXPECT_EQ(fmt("{}", INT64_MAX), "9223372036854775807");
    EXPECT_EQ(fmt("{}", UINT64_MAX), "18446744073709551615");
    EXPECT_EQ(fmt("{:x}", UINT64_MAX), "ffffffffffffffff");
    EXPECT_EQ(fmt("{}", u8(255)), "255");
    EXPECT_EQ(fmt("{}", i8(-128)), "-128");
}

TEST(Format, BasesPrefixesAndCase) {
    EXPECT_EQ(fmt("{:x}", 255), "ff");
    EXPECT_EQ(fmt("{:X}", 255), "FF");
    EXPECT_EQ(fmt("{:#x}", 255), "0xff");
    EXPECT_EQ(fmt("{:#X}", 255), "0XFF");
    EXPECT_EQ(fmt("{:b}", 5), "101");
    EXPECT_EQ(fmt("{:#b}", 5), "0b101");
    EXPECT_EQ(fmt("{:o}", 8), "10");
    EXPECT_EQ(fmt("{:#o}", 8), "0o10");
    EXPECT_EQ(fmt("{:x}", -1), "ffffffffffffffff") << "hex of a negative is its two's complement";
    EXPECT_EQ(fmt("{:c}", 65), "A");
    EXPECT_EQ(fmt("{:d}", 'A'), "65");
}

TEST(Format, WidthFillAlignAndZeroPadding) {
    EXPECT_EQ(fmt("[{:5}]", 42), "[   42]") << "numbers align right by default";
    EXPECT_EQ(fmt("[{:5}]", "ab"), "[ab   ]") << "text aligns left by default";
    EXPECT_EQ(fmt("[{:<5}]", 42), "[42   ]");
    EXPECT_EQ(fmt("[{:^6}]", "ab"), "[  ab  ]");
    EXPECT_EQ(fmt("[{:*>6}]", "ab"), "[****ab]");
    EXPECT_EQ(fmt("[{:05}]", 42), "[00042]");
    EXPECT_EQ(fmt("[{:05}]", -42), "[-0042]") << "zeros go after the sign";
    EXPECT_EQ(fmt("[{:#010x}]", 0xbeef), "[0x0000beef]") << "zeros go after the prefix";
    EXPECT_EQ(fmt("[{:02x}]", 0xabc), "[abc]") << "width is a minimum";
    EXPECT_EQ(fmt("[{:3}]", 12345), "[12345]");
}

TEST(Format, PointersAreHex) {
    EXPECT_EQ(fmt("{}", reinterpret_cast<void*>(0x1000)), "0x1000");
}

TEST(Format, MalformedFormatsAreVisibleNotFatal) {
    EXPECT_EQ(fmt("{} {}", 1), "1 {?arg}");
    EXPECT_EQ(fmt("{:q} {}", 1, 2), "{?spec} 2") << "a bad spec still consumes its argument";
    EXPECT_EQ(fmt("{:999} {}", 1, 2), "{?spec} 2");
    EXPECT_EQ(fmt("open {", 1), "open {");
    EXPECT_EQ(fmt("{}", 1, 2), "1") << "extra arguments are ignored";
}

TEST(Format, TruncatesAndTerminates) {
    char buf[8];
    FormatBuffer out(buf);
    format_append(out, "{}", "0123456789");
    EXPECT_EQ(std::string(out.view().data(), out.length()), "0123456");
    EXPECT_TRUE(out.truncated());
    EXPECT_EQ(buf[7], '\0');
    char tiny[1];
    FormatBuffer none(tiny);
    format_append(none, "x");
    EXPECT_EQ(none.length(), 0u);
    EXPECT_TRUE(none.truncated());
}

TEST(Format, FixedStringAppends) {
    FixedString<32> s;
    s.appendf("{}-", 1);
    s.append("two");
    s.append('!');
    EXPECT_STREQ(s.c_str(), "1-two!");
    s.clear();
    EXPECT_EQ(s.length(), 0u);
}
