// etc/caps decoded (user/runtime/caps_policy.*): good files, comments and
// blank lines, every CapsFault with the line it names, and the file the
// image ships (user/etc/caps) decoding to what its comments promise.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "caps_policy.hpp"

using namespace mote;
using namespace mote::user;

namespace {

struct Parsed {
    bool ok = false;
    CapsPolicy policy;
    CapsFault fault = CapsFault::None;
    usize line = 0;
};

Parsed parse(const std::string& text) {
    Parsed out;
    out.fault = CapsFault(0xee);  // anything parse() leaves is its own doing
    out.line = 9999;
    auto result = CapsPolicy::parse(StringView(text.data(), text.size()), &out.fault, &out.line);
    out.ok = result.ok();
    if (result.ok()) out.policy = result.value();
    else EXPECT_EQ(result.error(), Error::Malformed);
    return out;
}

void expect_fault(const std::string& text, CapsFault fault, usize line) {
    Parsed p = parse(text);
    EXPECT_FALSE(p.ok) << text;
    EXPECT_EQ(p.fault, fault) << caps_fault_name(p.fault) << " for:\n" << text;
    EXPECT_EQ(p.line, line) << text;
}

}  // namespace

TEST(CapsPolicy, CapabilityNamesAndBits) {
    EXPECT_EQ(cap_bit("power"), u32(kCapPower));
    EXPECT_EQ(cap_bit("log"), u32(kCapLog));
    EXPECT_EQ(cap_bit("audit"), u32(kCapAudit));
    EXPECT_EQ(cap_bit("dev"), u32(kCapDev));
    EXPECT_EQ(cap_bit("Power"), 0u);
    EXPECT_EQ(cap_bit("powe"), 0u);
    EXPECT_EQ(cap_bit("powers"), 0u);
    EXPECT_EQ(cap_bit(""), 0u);
    // Bit i is the start handle kPowerCap + i.
    for (u32 i = 0; i < kCapCount; ++i) EXPECT_EQ(cap_bit(cap_name(i)), 1u << i) << i;
    EXPECT_EQ(mote::abi::kPowerCap + kCapCount, u32(mote::abi::kStartHandleCount));
    EXPECT_STREQ(cap_name(kCapCount), "?");
}

TEST(CapsPolicy, AGoodFile) {
    Parsed p = parse("sh power log audit dev\npoweroff power\nlog log\nnothing\n");
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.fault, CapsFault::None);
    EXPECT_EQ(p.policy.count(), 4u);
    EXPECT_EQ(p.policy.caps_for("sh"), u32(kCapPower | kCapLog | kCapAudit | kCapDev));
    EXPECT_EQ(p.policy.caps_for("poweroff"), u32(kCapPower));
    EXPECT_EQ(p.policy.caps_for("log"), u32(kCapLog));
    EXPECT_EQ(p.policy.caps_for("nothing"), 0u) << "listed with no capabilities";
    EXPECT_EQ(p.policy.caps_for("cat"), 0u) << "not listed";
    EXPECT_EQ(p.policy.caps_for("s"), 0u) << "a prefix is another name";
    EXPECT_EQ(p.policy.caps_for("shx"), 0u);
    EXPECT_EQ(p.policy.caps_for(""), 0u);
}

TEST(CapsPolicy, CommentsBlanksAndSpacing) {
    Parsed p = parse("# a comment\n\n   \n\t# indented comment\n  sh\t power   log # trailing comment audit\r\n"
                     "dd dev dev\n#last line without newline");
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.policy.count(), 2u);
    EXPECT_EQ(p.policy.caps_for("sh"), u32(kCapPower | kCapLog)) << "nothing after '#' counts";
    EXPECT_EQ(p.policy.caps_for("dd"), u32(kCapDev)) << "a capability twice is the same capability";
    // Empty and comment-only files are empty policies.
    for (const char* text : {"", "\n\n", "# only a comment", "   \t \r\n"}) {
        Parsed empty = parse(text);
        EXPECT_TRUE(empty.ok) << text;
        EXPECT_EQ(empty.policy.count(), 0u);
    }
    // The last line needs no newline.
    Parsed last = parse("a power\nb log");
    ASSERT_TRUE(last.ok);
    EXPECT_EQ(last.policy.caps_for("b"), u32(kCapLog));
}

TEST(CapsPolicy, UnknownCapabilityNamesItsLine) {
    expect_fault("sh power\npoweroff pwr\n", CapsFault::UnknownCapability, 2);
    expect_fault("# one\n\nsh power LOG\n", CapsFault::UnknownCapability, 3);
    expect_fault("sh power#log\n", CapsFault::UnknownCapability, 1);  // a '#' inside a word is no comment
    expect_fault("sh +power\n", CapsFault::UnknownCapability, 1);
}

TEST(CapsPolicy, NameTooLongNamesItsLine) {
    std::string longest(CapsPolicy::kNameMax, 'n');
    Parsed ok = parse(longest + " power\n");
    ASSERT_TRUE(ok.ok);
    EXPECT_EQ(ok.policy.caps_for(StringView(longest.data(), longest.size())), u32(kCapPower));
    expect_fault("sh\n" + longest + "x power\n", CapsFault::NameTooLong, 2);
}

TEST(CapsPolicy, DuplicateNamesItsLine) {
    expect_fault("sh power\nlog log\n\nsh log\n", CapsFault::Duplicate, 4);
    expect_fault("a\na\n", CapsFault::Duplicate, 2);
}

TEST(CapsPolicy, TooManyLinesNamesTheFirstOneTooMany) {
    std::string text;
    for (usize i = 0; i < CapsPolicy::kMaxPrograms; ++i) text += "p" + std::to_string(i) + " log\n# comment\n";
    Parsed full = parse(text);
    ASSERT_TRUE(full.ok);
    EXPECT_EQ(full.policy.count(), CapsPolicy::kMaxPrograms);
    EXPECT_EQ(full.policy.caps_for("p31"), u32(kCapLog));
    expect_fault(text + "\none more\n", CapsFault::TooManyLines, 2 * CapsPolicy::kMaxPrograms + 2);
}

TEST(CapsPolicy, NulInTextNamesItsLine) {
    expect_fault(std::string("sh power\nlog\0 log\n", 18), CapsFault::NulInText, 2);
    expect_fault(std::string("# comment \0 hidden\n", 19), CapsFault::NulInText, 1);  // even in a comment
}

TEST(CapsPolicy, EveryFaultHasAName) {
    EXPECT_STREQ(caps_fault_name(CapsFault::None), "None");
    EXPECT_STREQ(caps_fault_name(CapsFault::UnknownCapability), "UnknownCapability");
    EXPECT_STREQ(caps_fault_name(CapsFault::NameTooLong), "NameTooLong");
    EXPECT_STREQ(caps_fault_name(CapsFault::Duplicate), "Duplicate");
    EXPECT_STREQ(caps_fault_name(CapsFault::TooManyLines), "TooManyLines");
    EXPECT_STREQ(caps_fault_name(CapsFault::NulInText), "NulInText");
    EXPECT_STREQ(caps_fault_name(CapsFault(200)), "UnknownCapsFault");
}

TEST(CapsPolicy, TheShippedFileDecodes) {
    std::ifstream file(MOTE_TEST_DATA "/../../user/etc/caps");
    ASSERT_TRUE(file.good());
    std::stringstream text;
    text << file.rdbuf();
    Parsed p = parse(text.str());
    ASSERT_TRUE(p.ok) << caps_fault_name(p.fault) << " at line " << p.line;
    EXPECT_EQ(p.policy.caps_for("sh"), u32(kCapPower | kCapLog | kCapAudit | kCapDev | kCapNet | kCapSpawn));
    EXPECT_EQ(p.policy.caps_for("poweroff"), u32(kCapPower));
    // The socket programs get the network and nothing else.
    for (const char* program : {"httpd", "nc", "ping", "udpecho", "wget"})
        EXPECT_EQ(p.policy.caps_for(program), u32(kCapNet)) << program;
    EXPECT_EQ(p.policy.caps_for("cat"), 0u);
}
