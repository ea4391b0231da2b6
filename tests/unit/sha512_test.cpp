// SHA-512 against FIPS 180-4's examples (digests from Python's hashlib, an
// independent implementation), split-independence, the padding's block
// boundaries, and Debian's openssl on random inputs of every length
// around them.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "crypto/sha512.hpp"
#include "support/hex.hpp"
#include "support/openssl_tool.hpp"

using namespace mote;

namespace {

using test::hex_of;

std::string digest_hex(const std::string& text) {
    u8 out[Sha512::kDigestSize];
    Sha512::hash(ReadonlyBytes(reinterpret_cast<const u8*>(text.data()), text.size()), out);
    return hex_of(out, sizeof(out));
}

TEST(Sha512Test, FipsExamples) {
    EXPECT_EQ(digest_hex(""),
              "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
              "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
    EXPECT_EQ(digest_hex("abc"),
              "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
              "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    // 112 bytes: the length no longer fits the first block's tail.
    EXPECT_EQ(digest_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
                         "lmnopqrsmnopqrstnopqrstu"),
              "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
              "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
}

TEST(Sha512Test, MillionAsInPiecesOfEveryOddSize) {
    Sha512 h;
    const std::string chunk(997, 'a');
    usize left = 1000000;
    for (usize piece = 1; left > 0; piece = piece % 997 + 1) {
        const usize take = std::min(piece, left);
        h.update(ReadonlyBytes(reinterpret_cast<const u8*>(chunk.data()), take));
        left -= take;
    }
    u8 out[Sha512::kDigestSize];
    h.final(out);
    EXPECT_EQ(hex_of(out, sizeof(out)),
              "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
              "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
}

TEST(Sha512Test, FinalStartsTheNextHash) {
    Sha512 h;
    u8 first[Sha512::kDigestSize], second[Sha512::kDigestSize];
    h.update(ReadonlyBytes(reinterpret_cast<const u8*>("abc"), 3));
    h.final(first);
    h.update(ReadonlyBytes(reinterpret_cast<const u8*>("abc"), 3));
    h.final(second);
    EXPECT_EQ(hex_of(first, 64), hex_of(second, 64));
}

TEST(Sha512Test, AgreesWithOpensslAcrossBlockBoundaries) {
    if (!test::OpensslTool::available()) GTEST_SKIP() << "no openssl on this machine";
    test::OpensslTool openssl;
    std::mt19937 random(512);
    // Every length the padding treats differently: 0..300 covers 111/112
    // (one or two final blocks) and 127/128/129 twice over.
    for (usize length : {0, 1, 55, 111, 112, 113, 127, 128, 129, 239, 240, 255, 256, 257, 1000, 4096, 65537}) {
        std::vector<u8> data(length);
        for (u8& b : data) b = u8(random());
        u8 ours[Sha512::kDigestSize];
        // Split at a random point: the digest must not care.
        Sha512 h;
        const usize split = length ? random() % length : 0;
        h.update(ReadonlyBytes(data.data(), split));
        h.update(ReadonlyBytes(data.data() + split, length - split));
        h.final(ours);
        const std::vector<u8> theirs = openssl.sha512(data);
        ASSERT_EQ(theirs.size(), Sha512::kDigestSize) << "openssl failed at length " << length;
        EXPECT_EQ(hex_of(ours, 64), hex_of(theirs.data(), theirs.size())) << "length " << length;
    }
}

}  // namespace
