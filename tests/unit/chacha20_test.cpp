// ChaCha20 against the test vectors of RFC 8439: section 2.3.2 (block
// function), section 2.4.2 (encryption), Appendix A.1 (block function) and
// Appendix A.2 (encryption).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "crypto/chacha20.hpp"

using namespace mote;

namespace {

// "00 01 ff" -> bytes; whitespace is ignored so vectors can be laid out as in
// the RFC.
std::vector<u8> hex(const char* text) {
    std::vector<u8> out;
    int high = -1;
    for (const char* p = text; *p; ++p) {
        int v;
        if (*p >= '0' && *p <= '9') v = *p - '0';
        else if (*p >= 'a' && *p <= 'f') v = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F') v = *p - 'A' + 10;
        else continue;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(u8(high << 4 | v));
            high = -1;
        }
    }
    EXPECT_EQ(high, -1) << "odd number of hex digits";
    return out;
}

ChaCha20Key key_from(const char* text) {
    auto bytes = hex(text);
    EXPECT_EQ(bytes.size(), kChaCha20KeySize);
    ChaCha20Key key {};
    std::memcpy(key.bytes, bytes.data(), kChaCha20KeySize);
    return key;
}

ChaCha20Nonce nonce_from(const char* text) {
    auto bytes = hex(text);
    EXPECT_EQ(bytes.size(), kChaCha20NonceSize);
    ChaCha20Nonce nonce {};
    std::memcpy(nonce.bytes, bytes.data(), kChaCha20NonceSize);
    return nonce;
}

std::vector<u8> block(const ChaCha20Key& key, u32 counter, const ChaCha20Nonce& nonce) {
    u8 out[kChaCha20BlockSize];
    chacha20_block(key, counter, nonce, out);
    return std::vector<u8>(out, out + sizeof out);
}

std::vector<u8> encrypt(const ChaCha20Key& key, u32 counter, const ChaCha20Nonce& nonce,
                        const std::vector<u8>& plaintext) {
    std::vector<u8> out(plaintext.size());
    auto r = chacha20_xor(key, counter, nonce, ReadonlyBytes(plaintext.data(), plaintext.size()),
                          Bytes(out.data(), out.size()));
    EXPECT_TRUE(r.ok());
    return out;
}

std::vector<u8> text_bytes(const char* s) { return std::vector<u8>(s, s + std::strlen(s)); }

constexpr const char* kSequentialKey =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kZeroKey = "0000000000000000000000000000000000000000000000000000000000000000";
constexpr const char* kKeyEndingInOne = "0000000000000000000000000000000000000000000000000000000000000001";
constexpr const char* kZeroNonce = "000000000000000000000000";
constexpr const char* kNonceTwo = "000000000000000000000002";

}  // namespace

// RFC 8439 section 2.3.2.
TEST(ChaCha20, BlockFunctionSection232) {
    auto key = key_from(kSequentialKey);
    auto nonce = nonce_from("000000090000004a00000000");
    EXPECT_EQ(block(key, 1, nonce), hex("10f1e7e4d13b5915500fdd1fa32071c4 c7d1f4c733c068030422aa9ac3d46c4e"
                                        "d2826446079faa0914c2d705d98b02a2 b5129cd1de164eb9cbd083e8a2503c4e"));
}

// RFC 8439 section 2.4.2: the "sunscreen" message, two blocks and a tail.
TEST(ChaCha20, EncryptionSection242) {
    auto key = key_from(kSequentialKey);
    auto nonce = nonce_from("000000000000004a00000000");
    auto plaintext = text_bytes(
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen "
        "would be it.");
    ASSERT_EQ(plaintext.size(), 114u);
    auto expected = hex(
        "6e2e359a2568f98041ba0728dd0d6981 e97e7aec1d4360c20a27afccfd9fae0b"
        "f91b65c5524733ab8f593dabcd62b357 1639d624e65152ab8f530c359f0861d8"
        "07ca0dbf500d6a6156a38e088a22b65e 52bc514d16ccf806818ce91ab7793736"
        "5af90bbf74a35be6b40b8eedf2785e42 874d");
    EXPECT_EQ(encrypt(key, 1, nonce, plaintext), expected);
    // Decryption is the same operation.
    EXPECT_EQ(encrypt(key, 1, nonce, expected), plaintext);
}

// RFC 8439 Appendix A.1, test vectors #1 to #5.
TEST(ChaCha20, BlockFunctionAppendixA1) {
    struct Vector {
        const char* key;
        const char* nonce;
        u32 counter;
        const char* keystream;
    };
    const Vector vectors[] = {
        {kZeroKey, kZeroNonce, 0,
         "76b8e0ada0f13d90405d6ae55386bd28 bdd219b8a08ded1aa836efcc8b770dc7"
         "da41597c5157488d7724e03fb8d84a37 6a43b8f41518a11cc387b669b2ee6586"},
        {kZeroKey, kZeroNonce, 1,
         "9f07e7be5551387a98ba977c732d080d cb0f29a048e3656912c6533e32ee7aed"
         "29b721769ce64e43d57133b074d839d5 31ed1f28510afb45ace10a1f4b794d6f"},
        {kKeyEndingInOne, kZeroNonce, 1,
         "3aeb5224ecf849929b9d828db1ced4dd 832025e8018b8160b82284f3c949aa5a"
         "8eca00bbb4a73bdad192b5c42f73f2fd 4e273644c8b36125a64addeb006c13a0"},
        {"00ff000000000000000000000000000000000000000000000000000000000000", kZeroNonce, 2,
         "72d54dfbf12ec44b362692df94137f32 8fea8da73990265ec1bbbea1ae9af0ca"
         "13b25aa26cb4a648cb9b9d1be65b2c09 24a66c54d545ec1b7374f4872e99f096"},
        {kZeroKey, kNonceTwo, 0,
         "c2c64d378cd536374ae204b9ef933fcd 1a8b2288b3dfa49672ab765b54ee27c7"
         "8a970e0e955c14f3a88e741b97c286f7 5f8fc299e8148362fa198a39531bed6d"},
    };
    int number = 1;
    for (const auto& v : vectors) {
        EXPECT_EQ(block(key_from(v.key), v.counter, nonce_from(v.nonce)), hex(v.keystream)) << "vector #" << number;
        ++number;
    }
}

// RFC 8439 Appendix A.2, test vector #1: zeros under the zero key.
TEST(ChaCha20, EncryptionAppendixA2Vector1) {
    std::vector<u8> zeros(64, 0);
    EXPECT_EQ(encrypt(key_from(kZeroKey), 0, nonce_from(kZeroNonce), zeros),
              hex("76b8e0ada0f13d90405d6ae55386bd28 bdd219b8a08ded1aa836efcc8b770dc7"
                  "da41597c5157488d7724e03fb8d84a37 6a43b8f41518a11cc387b669b2ee6586"));
}

// RFC 8439 Appendix A.2, test vector #2: 375 bytes, counter 1.
TEST(ChaCha20, EncryptionAppendixA2Vector2) {
    auto plaintext = text_bytes(
        "Any submission to the IETF intended by the Contributor for publication as all or part of an IETF "
        "Internet-Draft or RFC and any statement made within the context of an IETF activity is considered an "
        "\"IETF Contribution\". Such statements include oral statements in IETF sessions, as well as written and "
        "electronic communications made at any time or place, which are addressed to");
    ASSERT_EQ(plaintext.size(), 375u);
    auto expected = hex(
        "a3fbf07df3fa2fde4f376ca23e827370 41605d9f4f4f57bd8cff2c1d4b7955ec"
        "2a97948bd3722915c8f3d337f7d37005 0e9e96d647b7c39f56e031ca5eb6250d"
        "4042e02785ececfa4b4bb5e8ead0440e 20b6e8db09d881a7c6132f420e527950"
        "42bdfa7773d8a9051447b3291ce1411c 680465552aa6c405b7764d5e87bea85a"
        "d00f8449ed8f72d0d662ab052691ca66 424bc86d2df80ea41f43abf937d3259d"
        "c4b2d0dfb48a6c9139ddd7f76966e928 e635553ba76c5c879d7b35d49eb2e62b"
        "0871cdac638939e25e8a1e0ef9d5280f a8ca328b351c3c765989cbcf3daa8b6c"
        "cc3aaf9f3979c92b3720fc88dc95ed84 a1be059c6499b9fda236e7e818b04b0b"
        "c39c1e876b193bfe5569753f88128cc0 8aaa9b63d1a16f80ef2554d7189c411f"
        "5869ca52c5b83fa36ff216b9c1d30062 bebcfd2dc5bce0911934fda79a86f6e6"
        "98ced759c3ff9b6477338f3da4f9cd85 14ea9982ccafb341b2384dd902f3d1ab"
        "7ac61dd29c6f21ba5b862f3730e37cfd c4fd806c22f221");
    EXPECT_EQ(encrypt(key_from(kKeyEndingInOne), 1, nonce_from(kNonceTwo), plaintext), expected);
}

// RFC 8439 Appendix A.2, test vector #3: counter 42, a 127-byte message.
TEST(ChaCha20, EncryptionAppendixA2Vector3) {
    auto key = key_from("1c9240a5eb55d38af333888604f6b5f0 473917c1402b80099dca5cbc207075c0");
    auto plaintext = text_bytes(
        "'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\nAll mimsy were the borogoves,\n"
        "And the mome raths outgrabe.");
    ASSERT_EQ(plaintext.size(), 127u);
    auto expected = hex(
        "62e6347f95ed87a45ffae7426f27a1df 5fb69110044c0d73118effa95b01e5cf"
        "166d3df2d721caf9b21e5fb14c616871 fd84c54f9d65b283196c7fe4f60553eb"
        "f39c6402c42234e32a356b3e764312a6 1a5532055716ead6962568f87d3f3f77"
        "04c6a8d1bcd1bf4d50d6154b6da731b1 87b58dfd728afa36757a797ac188d1");
    EXPECT_EQ(encrypt(key, 42, nonce_from(kNonceTwo), plaintext), expected);
}

TEST(ChaCha20, InPlaceMatchesSeparateBuffers) {
    auto key = key_from(kSequentialKey);
    auto nonce = nonce_from("000000000000004a00000000");
    std::vector<u8> message(300);
    for (usize i = 0; i < message.size(); ++i) message[i] = u8(i * 7);
    auto expected = encrypt(key, 5, nonce, message);
    ASSERT_TRUE(chacha20_xor(key, 5, nonce, ReadonlyBytes(message.data(), message.size()),
                             Bytes(message.data(), message.size()))
                    .ok());
    EXPECT_EQ(message, expected);
}

// The keystream is the block function output for counter, counter+1, ...
// cut at any length.
TEST(ChaCha20, KeystreamIsConsecutiveBlocks) {
    auto key = key_from(kSequentialKey);
    auto nonce = nonce_from(kNonceTwo);
    std::vector<u8> blocks;
    for (u32 i = 0; i < 4; ++i) {
        auto b = block(key, 7 + i, nonce);
        blocks.insert(blocks.end(), b.begin(), b.end());
    }
    for (usize length : {0, 1, 63, 64, 65, 128, 200, 256}) {
        std::vector<u8> stream(length, 0xaa);
        ASSERT_TRUE(chacha20_keystream(key, 7, nonce, Bytes(stream.data(), stream.size())).ok());
        EXPECT_EQ(stream, std::vector<u8>(blocks.begin(), blocks.begin() + length)) << length;
    }
}

TEST(ChaCha20, RejectsBadBuffersWithoutWriting) {
    auto key = key_from(kZeroKey);
    auto nonce = nonce_from(kZeroNonce);
    u8 buffer[128] = {};
    u8 other[64] = {};

    auto mismatched = chacha20_xor(key, 0, nonce, ReadonlyBytes(buffer, 64), Bytes(other, 63));
    ASSERT_TRUE(mismatched.is_error());
    EXPECT_EQ(mismatched.error(), Error::InvalidArgument);

    // Overlapping but not identical: the second half of the input would be
    // overwritten before it is read.
    auto overlap = chacha20_xor(key, 0, nonce, ReadonlyBytes(buffer, 64), Bytes(buffer + 32, 64));
    ASSERT_TRUE(overlap.is_error());
    EXPECT_EQ(overlap.error(), Error::InvalidArgument);
    for (u8 b : buffer) EXPECT_EQ(b, 0);
}

// The last block number is 2^32 - 1; a message that needs one more block
// fails before anything is written instead of reusing block 0's keystream.
TEST(ChaCha20, CounterMustNotWrap) {
    auto key = key_from(kZeroKey);
    auto nonce = nonce_from(kZeroNonce);
    u8 buffer[128] = {};

    EXPECT_TRUE(chacha20_keystream(key, 0xffffffffu, nonce, Bytes(buffer, 64)).ok());
    EXPECT_EQ(std::vector<u8>(buffer, buffer + 64), block(key, 0xffffffffu, nonce));

    u8 untouched[128] = {};
    auto r = chacha20_keystream(key, 0xffffffffu, nonce, Bytes(untouched, 65));
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Error::Overflow);
    for (u8 b : untouched) EXPECT_EQ(b, 0);

    // Two blocks from 2^32 - 2 fit exactly; one byte more does not.
    EXPECT_TRUE(chacha20_xor(key, 0xfffffffeu, nonce, ReadonlyBytes(buffer, 128), Bytes(buffer, 128)).ok());
    u8 big[129] = {};
    auto z = chacha20_xor(key, 0xfffffffeu, nonce, ReadonlyBytes(big, 129), Bytes(big, 129));
    ASSERT_TRUE(z.is_error());
    EXPECT_EQ(z.error(), Error::Overflow);
}

TEST(ChaCha20, EmptyMessageIsFine) {
    auto key = key_from(kZeroKey);
    auto nonce = nonce_from(kZeroNonce);
    EXPECT_TRUE(chacha20_xor(key, 0xffffffffu, nonce, ReadonlyBytes(), Bytes()).ok());
    EXPECT_TRUE(chacha20_keystream(key, 0, nonce, Bytes()).ok());
}
