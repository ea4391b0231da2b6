// The two CRCs under the jbd2 journal, against published check values:
// CRC-32C from the CRC catalogue and RFC 3720 (iSCSI) appendix B.4, the
// MSB-first CRC-32 against the catalogue's CRC-32/MPEG-2 and CRC-32/BZIP2;
// plus the raw (ext4/jbd2) convention checked against checksums that
// mke2fs itself wrote into a metadata_csum filesystem.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "base/crc32_be.hpp"
#include "base/crc32c.hpp"
#include "support/jbd2_image.hpp"

using namespace mote;
using namespace mote::jbd2_test;

namespace {

ReadonlyBytes text(const char* s) { return ReadonlyBytes(reinterpret_cast<const u8*>(s), std::strlen(s)); }
ReadonlyBytes view(const std::vector<u8>& v) { return ReadonlyBytes(v.data(), v.size()); }

}  // namespace

TEST(Crc32c, CatalogueCheckValue) {
    EXPECT_EQ(crc32c(text("123456789")), 0xE3069283u);
    // The raw register is the same computation without the two inversions.
    EXPECT_EQ(crc32c_update(~0u, text("123456789")), ~0xE3069283u);
    EXPECT_EQ(crc32c(ReadonlyBytes()), 0u);
}

// RFC 3720, B.4 "CRC Examples".
TEST(Crc32c, Rfc3720Examples) {
    std::vector<u8> zeros(32, 0), ones(32, 0xFF), up(32), down(32);
    for (int i = 0; i < 32; ++i) {
        up[i] = u8(i);
        down[i] = u8(31 - i);
    }
    EXPECT_EQ(crc32c(view(zeros)), 0x8A9136AAu);
    EXPECT_EQ(crc32c(view(ones)), 0x62A8AB43u);
    EXPECT_EQ(crc32c(view(up)), 0x46DD794Eu);
    EXPECT_EQ(crc32c(view(down)), 0x113FDB5Cu);
}

TEST(Crc32c, AnySplitGivesTheSameResult) {
    std::vector<u8> data(1000);
    for (usize i = 0; i < data.size(); ++i) data[i] = u8(i * 37 + 11);
    const u32 whole = crc32c_update(0x12345678u, view(data));
    for (usize cut : {0u, 1u, 3u, 500u, 999u, 1000u}) {
        u32 crc = crc32c_update(0x12345678u, ReadonlyBytes(data.data(), cut));
        crc = crc32c_update(crc, ReadonlyBytes(data.data() + cut, data.size() - cut));
        EXPECT_EQ(crc, whole) << cut;
    }
}

TEST(Crc32Be, CatalogueCheckValues) {
    // CRC-32/MPEG-2: init ~0, no reflection, no final inversion.
    EXPECT_EQ(crc32_be_update(~0u, text("123456789")), 0x0376E6E7u);
    // CRC-32/BZIP2: the same with the final inversion.
    EXPECT_EQ(~crc32_be_update(~0u, text("123456789")), 0xFC891918u);
    std::vector<u8> data(300, 0x5A);
    u32 split = crc32_be_update(crc32_be_update(~0u, ReadonlyBytes(data.data(), 7)),
                                ReadonlyBytes(data.data() + 7, data.size() - 7));
    EXPECT_EQ(split, crc32_be_update(~0u, view(data)));
}

// ext4's superblock checksum (metadata_csum) is the raw crc32c_update(~0)
// of its first 0x3FC bytes, stored little-endian at 0x3FC: mke2fs wrote it.
TEST(Crc32c, MatchesTheExt4SuperblockChecksumMke2fsWrote) {
    if (!have_e2fsprogs()) GTEST_SKIP() << "no e2fsprogs on this machine";
    TempDir dir;
    const std::string image = dir.file("csum.img");
    ASSERT_EQ(run("dd if=/dev/zero of='" + image + "' bs=1k count=4096 status=none"), 0);
    ASSERT_EQ(run("mke2fs -q -F -t ext4 -O metadata_csum -b 1024 '" + image + "'"), 0);
    auto bytes = read_file(image);
    ASSERT_GE(bytes.size(), 2048u);
    const u8* sb = bytes.data() + 1024;
    const u32 stored = u32(sb[0x3FC]) | u32(sb[0x3FD]) << 8 | u32(sb[0x3FE]) << 16 | u32(sb[0x3FF]) << 24;
    EXPECT_EQ(crc32c_update(~0u, ReadonlyBytes(sb, 0x3FC)), stored);
}
