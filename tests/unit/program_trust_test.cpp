// ProgramTrust (kernel/exec/program_trust.hpp) over real initramfs trees:
// a program runs only when the manifest that lists it is signed by the
// kernel's key and its bytes are the listed ones. Each refusal has its
// fault: a changed byte, a changed size, a file added after signing, a file
// from another filesystem, no manifest, a malformed one, another key's.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "exec/program_trust.hpp"
#include "fs/initramfs.hpp"
#include "fs/ram_fs.hpp"
#include "fs/walk.hpp"
#include "mm/page_allocator.hpp"
#include "support/cpio_builder.hpp"
#include "support/fake_ram.hpp"
#include "support/signed_manifest.hpp"

using namespace mote;
using namespace mote::fs;
using namespace mote::test;
using Files = std::vector<std::pair<std::string, std::string>>;

namespace {

const Files kSigned = {{"bin/init", "init's bytes"}, {"bin/sh", "the shell's bytes"}, {"etc/motd", "hello\n"}};

class ProgramTrustTest : public ::testing::Test {
protected:
    void SetUp() override {
        PhysRange range = ram.range(0, ram.size());
        ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
        before = pages.stats();
    }
    void TearDown() override {
        trust.reset();
        EXPECT_TRUE(same_free_state(pages.stats(), before)) << "the table's pages go back";
    }

    // An initramfs of `files` plus etc/manifest = `manifest` (none if empty),
    // and a ProgramTrust for the trusted key that has loaded it.
    Result<void> boot(const Files& files, const std::string& manifest) {
        cpio_test::CpioBuilder builder;
        for (const auto& [path, data] : files) builder.file(path, data, 0755);
        if (!manifest.empty()) builder.file("etc/manifest", manifest);
        archive = builder.build();
        auto decoded = CpioArchive::decode(ReadonlyBytes(archive.data(), archive.size()));
        EXPECT_TRUE(decoded.ok());
        slots.resize(Initramfs::slots_needed(decoded.value()));
        auto built = Initramfs::build(decoded.value(), Span<InitramfsSlot>(slots.data(), slots.size()));
        EXPECT_TRUE(built.ok());
        root = &built.value().root();
        trust.emplace(pages, ed25519_public_key(kTrustedSeed), false);
        return trust->load(*root);
    }

    FsNode& node(const char* path) {
        auto found = walk(*root, path, nullptr, WalkMode::MemoryOnly).finish_now();
        EXPECT_TRUE(found.ok()) << path;
        return *found.value().get();
    }
    ReadonlyBytes contents(const char* path) { return node(path).resident_contents().value(); }

    TrustFault check(const char* path) {
        TrustFault fault = TrustFault::None;
        auto result = trust->check(node(path), contents(path), path, &fault);
        EXPECT_EQ(result.ok(), fault == TrustFault::None) << path;
        if (result.is_error()) EXPECT_EQ(result.error(), Error::Untrusted);
        return fault;
    }

    FakeRam ram {4 * kMiB};
    PageAllocator pages;
    PageAllocatorStats before;
    std::vector<u8> archive;
    std::vector<InitramfsSlot> slots;
    InitramfsNode* root = nullptr;
    std::optional<ProgramTrust> trust;
};

TEST_F(ProgramTrustTest, ListedProgramsRunAndAreHashedOnce) {
    ASSERT_TRUE(boot(kSigned, sign_body(manifest_body(kSigned), kTrustedSeed)).ok());
    EXPECT_EQ(trust->state(), TrustFault::None);
    EXPECT_EQ(trust->stats().listed, 3u);
    EXPECT_EQ(check("bin/sh"), TrustFault::None);
    EXPECT_EQ(check("bin/sh"), TrustFault::None);
    EXPECT_EQ(check("bin/init"), TrustFault::None);
    EXPECT_EQ(trust->stats().hashed, 2u) << "the second spawn of bin/sh compares a flag";
    EXPECT_EQ(trust->stats().trusted, 3u);
    EXPECT_EQ(trust->stats().refused, 0u);
}

TEST_F(ProgramTrustTest, EveryEntryOfALargeManifestIsFound) {
    // check() bisects the entries sorted by node: each of many files is
    // found as itself (its own size and digest), none as a neighbour.
    Files many;
    for (int i = 0; i < 41; ++i) many.push_back({"bin/p" + std::to_string(i), std::string(size_t(i + 1), char('a' + i % 26))});
    Files archive_files = many;
    archive_files.push_back({"bin/unlisted", "x"});
    ASSERT_TRUE(boot(archive_files, sign_body(manifest_body(many), kTrustedSeed)).ok());
    EXPECT_EQ(trust->stats().listed, 41u);
    for (const auto& [path, data] : many) EXPECT_EQ(check(path.c_str()), TrustFault::None) << path;
    EXPECT_EQ(check("bin/unlisted"), TrustFault::NotListed);
    EXPECT_EQ(trust->stats().hashed, 41u);
}

TEST_F(ProgramTrustTest, AChangedByteIsRefusedAndTheOthersStillRun) {
    Files changed = kSigned;
    changed[1].second[4] ^= 1;  // same size, one bit off
    ASSERT_TRUE(boot(changed, sign_body(manifest_body(kSigned), kTrustedSeed)).ok());
    EXPECT_EQ(check("bin/sh"), TrustFault::DigestDiffers);
    EXPECT_EQ(check("bin/sh"), TrustFault::DigestDiffers) << "a refusal is not cached as a pass";
    EXPECT_EQ(check("bin/init"), TrustFault::None);
    EXPECT_EQ(trust->stats().refused, 2u);
}

TEST_F(ProgramTrustTest, AChangedSizeIsRefused) {
    Files changed = kSigned;
    changed[1].second += "!";
    ASSERT_TRUE(boot(changed, sign_body(manifest_body(kSigned), kTrustedSeed)).ok());
    EXPECT_EQ(check("bin/sh"), TrustFault::SizeDiffers);
}

TEST_F(ProgramTrustTest, AFileAddedAfterSigningIsRefused) {
    Files more = kSigned;
    more.push_back({"bin/intruder", "not signed"});
    ASSERT_TRUE(boot(more, sign_body(manifest_body(kSigned), kTrustedSeed)).ok());
    EXPECT_EQ(check("bin/intruder"), TrustFault::NotListed);
    // The manifest itself is not a program anybody signed.
    EXPECT_EQ(check("etc/manifest"), TrustFault::NotListed);
}

TEST_F(ProgramTrustTest, AsTheLoadersGateItAdmitsListedFilesAndNoFilelessBytes) {
    ASSERT_TRUE(boot(kSigned, sign_body(manifest_body(kSigned), kTrustedSeed)).ok());
    ProgramGate& gate = *trust;
    EXPECT_TRUE(gate.admit(&node("bin/sh"), contents("bin/sh"), "sh").ok());
    // Bytes with no file behind them cannot be vouched for.
    auto fileless = gate.admit(nullptr, contents("bin/sh"), "sh");
    ASSERT_TRUE(fileless.is_error());
    EXPECT_EQ(fileless.error(), Error::Untrusted);
    EXPECT_EQ(trust->stats().refused, 1u);
    EXPECT_EQ(trust->stats().trusted, 1u);
}

TEST_F(ProgramTrustTest, AListedFileTheArchiveLacksIsCountedNotFatal) {
    Files fewer = {kSigned[0], kSigned[2]};
    ASSERT_TRUE(boot(fewer, sign_body(manifest_body(kSigned), kTrustedSeed)).ok());
    EXPECT_EQ(trust->stats().listed, 2u);
    EXPECT_EQ(trust->stats().missing, 1u);
    EXPECT_EQ(check("bin/init"), TrustFault::None);
}

TEST_F(ProgramTrustTest, AFileFromAnotherFilesystemIsNotListed) {
    ASSERT_TRUE(boot(kSigned, sign_body(manifest_body(kSigned), kTrustedSeed)).ok());
    alignas(RamFs) u8 storage[sizeof(RamFs)];
    auto* tmp = new (storage) RamFs(pages, {.bytes = kMiB, .nodes = 8}, FsClock {});
    {
        auto created = tmp->root().create("sh", CreateSpec {}).finish_now();
        ASSERT_TRUE(created.ok());
        const std::string bytes = "the shell's bytes";  // the same bytes, elsewhere
        TrustFault fault = TrustFault::None;
        EXPECT_EQ(trust->check(*created.value(), bytes_of(bytes), "tmp/sh", &fault).error(), Error::Untrusted);
        EXPECT_EQ(fault, TrustFault::NotListed);
    }
    tmp->~RamFs();
}

TEST_F(ProgramTrustTest, AnotherKeysManifestRefusesEverything) {
    EXPECT_EQ(boot(kSigned, sign_body(manifest_body(kSigned), kOtherSeed)).error(), Error::Untrusted);
    EXPECT_EQ(trust->state(), TrustFault::WrongKey);
    EXPECT_EQ(check("bin/init"), TrustFault::WrongKey);
    EXPECT_EQ(check("bin/sh"), TrustFault::WrongKey);
}

TEST_F(ProgramTrustTest, AnEditedManifestNoLongerVerifies) {
    std::string manifest = sign_body(manifest_body(kSigned), kTrustedSeed);
    // Re-list bin/sh with the changed file's digest, keeping the signature.
    Files changed = kSigned;
    changed[1].second[0] ^= 1;
    const std::string edited_body = manifest_body(changed);
    manifest.replace(0, edited_body.size(), edited_body);
    EXPECT_EQ(boot(changed, manifest).error(), Error::Untrusted);
    EXPECT_EQ(trust->state(), TrustFault::WrongKey);
}

TEST_F(ProgramTrustTest, NoOrAMalformedManifestRefusesEverything) {
    EXPECT_EQ(boot(kSigned, "").error(), Error::Untrusted);
    EXPECT_EQ(trust->state(), TrustFault::NoManifest);
    EXPECT_EQ(check("bin/init"), TrustFault::NoManifest);

    EXPECT_EQ(boot(kSigned, "mote-manifest 1\n").error(), Error::Untrusted);
    EXPECT_EQ(trust->state(), TrustFault::BadManifest);
    EXPECT_EQ(check("bin/init"), TrustFault::BadManifest);
}

TEST_F(ProgramTrustTest, TheReportNamesKeyStateAndCounters) {
    ASSERT_TRUE(boot(kSigned, sign_body(manifest_body(kSigned), kTrustedSeed)).ok());
    (void)check("bin/sh");
    char text[512];
    FormatBuffer out(Span<char>(text, sizeof(text)));
    trust->write_report(out);
    const std::string report(out.view().data(), out.view().length());
    const Ed25519PublicKey key = ed25519_public_key(kTrustedSeed);
    EXPECT_NE(report.find("key: " + hex_of(key.bytes, 8) + "\n"), std::string::npos) << report;
    EXPECT_NE(report.find("manifest: verified\n"), std::string::npos) << report;
    EXPECT_NE(report.find("listed: 3\n"), std::string::npos) << report;
    EXPECT_NE(report.find("trusted: 1\n"), std::string::npos) << report;
}

TEST_F(ProgramTrustTest, EveryFaultHasAName) {
    for (usize i = 0; i < kTrustFaultCount; ++i) EXPECT_STRNE(trust_fault_name(TrustFault(i)), "?") << i;
}

}  // namespace
