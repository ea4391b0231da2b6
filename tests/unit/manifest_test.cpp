// The manifest decoder (kernel/exec/manifest.hpp): a manifest as
// tools/sign_manifest.py writes it decodes to its entries and signature,
// and each way the text can be wrong is refused with its own fault and
// line. The decoder does not judge the signature (program_trust_test.cpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "exec/manifest.hpp"
#include "support/signed_manifest.hpp"

using namespace mote;
using namespace mote::test;

namespace {

const std::string kSignatureLine = "signature ed25519 " + std::string(128, 'a') + "\n";

struct Decoded {
    bool ok;
    ManifestFault fault;
    usize line;
};

Decoded decode(const std::string& text) {
    ManifestFault fault = ManifestFault::None;
    usize line = 0;
    auto result = Manifest::decode(bytes_of(text), &fault, &line);
    if (result.is_error()) EXPECT_EQ(result.error(), Error::Malformed);
    return {result.ok(), fault, line};
}

std::string entry(const std::string& path, const std::string& size = "3", char digit = '0') {
    return "file " + std::string(128, digit) + " " + size + " " + path + "\n";
}

TEST(ManifestTest, DecodesEntriesInOrderAndTheSignature) {
    const std::string body = manifest_body({{"etc/motd", "hello\n"}, {"bin/sh", "shell"}, {"bin/ls", ""}});
    const std::string text = sign_body(body, kTrustedSeed);
    ManifestFault fault = ManifestFault::BadLine;
    auto decoded = Manifest::decode(bytes_of(text), &fault);
    ASSERT_TRUE(decoded.ok()) << manifest_fault_name(fault);
    EXPECT_EQ(fault, ManifestFault::None);
    const Manifest& manifest = decoded.value();
    EXPECT_EQ(manifest.count(), 3u);
    // The signed part is everything before the signature line.
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(manifest.signed_part().data()), manifest.signed_part().size()),
              body);
    EXPECT_EQ(hex_of(manifest.signature().bytes, 64), text.substr(body.size() + 18, 128));
    std::vector<std::string> paths;
    std::vector<u64> sizes;
    manifest.for_each([&](const ManifestEntry& e) {
        paths.emplace_back(e.path.data(), e.path.length());
        sizes.push_back(e.size);
    });
    EXPECT_EQ(paths, (std::vector<std::string> {"bin/ls", "bin/sh", "etc/motd"}));
    EXPECT_EQ(sizes, (std::vector<u64> {0, 5, 6}));
    u8 expected[Sha512::kDigestSize];
    Sha512::hash(bytes_of("shell"), expected);
    bool checked = false;
    manifest.for_each([&](const ManifestEntry& e) {
        if (e.path == "bin/sh") checked = hex_of(e.digest, 64) == hex_of(expected, 64);
    });
    EXPECT_TRUE(checked);
}

TEST(ManifestTest, AnEmptyListIsValid) {
    const Decoded d = decode("mote-manifest 1\n" + kSignatureLine);
    EXPECT_TRUE(d.ok);
}

TEST(ManifestTest, EachMistakeHasItsFaultAndLine) {
    const std::string head = "mote-manifest 1\n";
    struct Case {
        std::string text;
        ManifestFault fault;
        usize line;
    };
    const Case cases[] = {
        {"", ManifestFault::Unterminated, 0},
        {head + kSignatureLine.substr(0, kSignatureLine.size() - 1), ManifestFault::Unterminated, 0},
        {"mote-manifest 2\n" + kSignatureLine, ManifestFault::BadHeader, 1},
        {"\n" + kSignatureLine, ManifestFault::BadHeader, 1},
        {head + "files\n" + kSignatureLine, ManifestFault::BadLine, 2},
        {head + "file 00 3 bin/sh\n" + kSignatureLine, ManifestFault::BadLine, 2},
        {head + "file " + std::string(128, '0') + " 3\n" + kSignatureLine, ManifestFault::BadLine, 2},
        {head + "file " + std::string(127, '0') + "A 3 bin/sh\n" + kSignatureLine, ManifestFault::BadDigest, 2},
        {head + "file " + std::string(127, '0') + "g 3 bin/sh\n" + kSignatureLine, ManifestFault::BadDigest, 2},
        {head + entry("bin/sh", "03") + kSignatureLine, ManifestFault::BadSize, 2},
        {head + entry("bin/sh", "") + kSignatureLine, ManifestFault::BadSize, 2},
        {head + entry("bin/sh", "-1") + kSignatureLine, ManifestFault::BadSize, 2},
        {head + entry("bin/sh", "99999999999999999999") + kSignatureLine, ManifestFault::BadSize, 2},
        {head + entry("/bin/sh") + kSignatureLine, ManifestFault::BadPath, 2},
        {head + entry("bin//sh") + kSignatureLine, ManifestFault::BadPath, 2},
        {head + entry("bin/../sh") + kSignatureLine, ManifestFault::BadPath, 2},
        {head + entry("bin/./sh") + kSignatureLine, ManifestFault::BadPath, 2},
        {head + entry("bin/") + kSignatureLine, ManifestFault::BadPath, 2},
        {head + entry("bin/s\th") + kSignatureLine, ManifestFault::BadPath, 2},
        {head + entry(std::string(1025, 'x')) + kSignatureLine, ManifestFault::BadPath, 2},
        {head + entry("bin/sh") + entry("bin/ls") + kSignatureLine, ManifestFault::NotSorted, 3},
        {head + entry("bin/sh") + entry("bin/sh") + kSignatureLine, ManifestFault::NotSorted, 3},
        {head + entry("bin/sh"), ManifestFault::NoSignature, 2},
        {head + "signature ed25519 " + std::string(126, 'a') + "\n", ManifestFault::BadSignature, 2},
        {head + "signature ed25519 " + std::string(130, 'a') + "\n", ManifestFault::BadSignature, 2},
        {head + "signature rsa " + std::string(128, 'a') + "\n", ManifestFault::BadLine, 2},
        {head + kSignatureLine + entry("bin/sh"), ManifestFault::AfterSignature, 3},
        {head + kSignatureLine + "\n", ManifestFault::AfterSignature, 3},
    };
    for (const Case& c : cases) {
        const Decoded d = decode(c.text);
        EXPECT_FALSE(d.ok) << c.text;
        EXPECT_EQ(d.fault, c.fault) << c.text << " gave " << manifest_fault_name(d.fault);
        EXPECT_EQ(d.line, c.line) << c.text;
    }
}

TEST(ManifestTest, SizeLimits) {
    // 8,000 entries of 144 bytes: past the limit, though each line is fine.
    std::string big = "mote-manifest 1\n";
    for (usize i = 0; i < 8000; ++i) {
        char path[32];
        std::snprintf(path, sizeof(path), "f%06zu", i);
        big += entry(path);
    }
    big += kSignatureLine;
    EXPECT_EQ(decode(big).fault, ManifestFault::TooLarge);
    EXPECT_EQ(decode(std::string(Manifest::kMaxBytes + 1, '\n')).fault, ManifestFault::TooLarge);
}

TEST(ManifestTest, EveryFaultHasAName) {
    for (usize i = 0; i < kManifestFaultCount; ++i) EXPECT_STRNE(manifest_fault_name(ManifestFault(i)), "?") << i;
}

}  // namespace
