// Ed25519 against RFC 8032 section 7.1's test vectors (key derivation,
// signing and verification), strict decoding of keys and signatures, and
// Debian's openssl: same public keys and byte-identical signatures for
// random seeds and messages, and openssl's own keys' signatures verify.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "crypto/ed25519.hpp"
#include "support/hex.hpp"
#include "support/openssl_tool.hpp"

using namespace mote;

namespace {

std::vector<u8> hex(const char* text) { return test::bytes_from_hex(text); }

std::vector<u8> random_bytes(std::mt19937& random, usize size) {
    std::vector<u8> out(size);
    for (u8& b : out) b = u8(random());
    return out;
}

template <usize N> void copy_to(u8 (&out)[N], const std::vector<u8>& bytes) {
    ASSERT_EQ(bytes.size(), N);
    std::copy(bytes.begin(), bytes.end(), out);
}

ReadonlyBytes view(const std::vector<u8>& v) { return ReadonlyBytes(v.data(), v.size()); }

struct Vector {
    const char* seed;
    const char* public_key;
    const char* message;
    const char* signature;
};

// RFC 8032 section 7.1, TESTs 1-3 (empty, one-byte and two-byte messages).
const Vector kRfcVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe2465"
     "5141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb0"
     "0d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc0"
     "27beceea1ec40a"},
};

TEST(Ed25519Test, Rfc8032VectorsDeriveSignAndVerify) {
    for (const Vector& v : kRfcVectors) {
        u8 seed[kEd25519SeedSize];
        copy_to(seed, hex(v.seed));
        const std::vector<u8> message = hex(v.message);
        const Ed25519PublicKey key = ed25519_public_key(seed);
        EXPECT_EQ(std::vector<u8>(key.bytes, key.bytes + 32), hex(v.public_key)) << v.seed;
        const Ed25519Signature signature = ed25519_sign(seed, view(message));
        EXPECT_EQ(std::vector<u8>(signature.bytes, signature.bytes + 64), hex(v.signature)) << v.seed;
        Ed25519Signature expected;
        copy_to(expected.bytes, hex(v.signature));
        EXPECT_TRUE(ed25519_verify(key, view(message), expected).ok()) << v.seed;
    }
}

TEST(Ed25519Test, AnyFlippedBitFailsVerification) {
    const Vector& v = kRfcVectors[2];
    Ed25519PublicKey key;
    copy_to(key.bytes, hex(v.public_key));
    Ed25519Signature signature;
    copy_to(signature.bytes, hex(v.signature));
    std::vector<u8> message = hex(v.message);
    for (usize bit = 0; bit < 16; ++bit) {
        std::vector<u8> changed = message;
        changed[bit / 8] ^= u8(1 << (bit % 8));
        EXPECT_FALSE(ed25519_verify(key, view(changed), signature).ok()) << "message bit " << bit;
    }
    for (usize bit = 0; bit < 512; bit += 7) {
        Ed25519Signature changed = signature;
        changed.bytes[bit / 8] ^= u8(1 << (bit % 8));
        EXPECT_FALSE(ed25519_verify(key, view(message), changed).ok()) << "signature bit " << bit;
    }
    for (usize bit = 0; bit < 256; bit += 5) {
        Ed25519PublicKey changed = key;
        changed.bytes[bit / 8] ^= u8(1 << (bit % 8));
        EXPECT_FALSE(ed25519_verify(changed, view(message), signature).ok()) << "key bit " << bit;
    }
    // Another key's valid signature of the same message: a mismatch, not
    // malformed input.
    Ed25519PublicKey other;
    copy_to(other.bytes, hex(kRfcVectors[1].public_key));
    EXPECT_EQ(ed25519_verify(other, view(message), signature).error(), Error::AccessDenied);
}

TEST(Ed25519Test, NonCanonicalInputIsMalformed) {
    const Vector& v = kRfcVectors[0];
    Ed25519PublicKey key;
    copy_to(key.bytes, hex(v.public_key));
    Ed25519Signature signature;
    copy_to(signature.bytes, hex(v.signature));
    const ReadonlyBytes empty;

    // S = L, and S = L + the real S (the classic malleated twin).
    const std::vector<u8> l = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    Ed25519Signature s_is_l = signature;
    std::copy(l.begin(), l.end(), s_is_l.bytes + 32);
    EXPECT_EQ(ed25519_verify(key, empty, s_is_l).error(), Error::Malformed);
    Ed25519Signature twin = signature;
    unsigned carry = 0;
    for (int i = 0; i < 32; ++i) {
        const unsigned sum = twin.bytes[32 + i] + l[usize(i)] + carry;
        twin.bytes[32 + i] = u8(sum);
        carry = sum >> 8;
    }
    EXPECT_EQ(ed25519_verify(key, empty, twin).error(), Error::Malformed);

    // A key whose y is p (= 0 after reduction): not canonical.
    Ed25519PublicKey y_is_p;
    copy_to(y_is_p.bytes, hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));
    EXPECT_EQ(ed25519_verify(y_is_p, empty, signature).error(), Error::Malformed);
    // y = 2 and y = 7 have no x on the curve (u/v is not a square mod p).
    for (u8 y : {u8(2), u8(7)}) {
        Ed25519PublicKey off_curve {};
        off_curve.bytes[0] = y;
        EXPECT_EQ(ed25519_verify(off_curve, empty, signature).error(), Error::Malformed) << int(y);
    }
    // y = 1 is the identity, x = 0: with the sign bit set it is "-0".
    Ed25519PublicKey negative_zero {};
    negative_zero.bytes[0] = 1;
    negative_zero.bytes[31] = 0x80;
    EXPECT_EQ(ed25519_verify(negative_zero, empty, signature).error(), Error::Malformed);
}

TEST(Ed25519Test, AgreesWithOpenssl) {
    if (!test::OpensslTool::available()) GTEST_SKIP() << "no openssl on this machine";
    test::OpensslTool openssl;
    std::mt19937 random(25519);
    for (int round = 0; round < 12; ++round) {
        const std::vector<u8> seed_bytes = random_bytes(random, 32);
        const std::vector<u8> message = random_bytes(random, random() % 300);
        ASSERT_TRUE(openssl.use_seed(seed_bytes));
        u8 seed[kEd25519SeedSize];
        copy_to(seed, seed_bytes);
        const Ed25519PublicKey key = ed25519_public_key(seed);
        EXPECT_EQ(std::vector<u8>(key.bytes, key.bytes + 32), openssl.public_key()) << "round " << round;
        // Ed25519 is deterministic: both must produce the same bytes.
        const Ed25519Signature ours = ed25519_sign(seed, view(message));
        EXPECT_EQ(std::vector<u8>(ours.bytes, ours.bytes + 64), openssl.sign(message)) << "round " << round;
    }
    // Keys openssl draws itself, their signatures verified here.
    for (int round = 0; round < 4; ++round) {
        std::vector<u8> seed, public_key;
        ASSERT_TRUE(openssl.generate(&seed, &public_key));
        std::vector<u8> message = random_bytes(random, random() % 1000);
        Ed25519PublicKey key;
        copy_to(key.bytes, public_key);
        Ed25519Signature signature;
        copy_to(signature.bytes, openssl.sign(message));
        EXPECT_TRUE(ed25519_verify(key, view(message), signature).ok()) << "round " << round;
        if (!message.empty()) {
            message[0] ^= 1;
            EXPECT_EQ(ed25519_verify(key, view(message), signature).error(), Error::AccessDenied);
        }
    }
}

}  // namespace
