// BLAKE2s against RFC 7693: the "abc" example of Appendix B and the self-test
// of Appendix E (unkeyed and keyed hashes over a grid of digest and input
// lengths, hashed together into one 32-byte result), plus keyed known
// answers and the property that any split of the input gives the same digest.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "crypto/blake2s.hpp"

using namespace mote;

namespace {

std::vector<u8> hex(const char* text) {
    std::vector<u8> out;
    int high = -1;
    for (const char* p = text; *p; ++p) {
        int v;
        if (*p >= '0' && *p <= '9') v = *p - '0';
        else if (*p >= 'a' && *p <= 'f') v = *p - 'a' + 10;
        else continue;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(u8(high << 4 | v));
            high = -1;
        }
    }
    return out;
}

ReadonlyBytes view(const std::vector<u8>& v) { return ReadonlyBytes(v.data(), v.size()); }

std::vector<u8> digest(const std::vector<u8>& data, usize size = 32, const std::vector<u8>& key = {}) {
    std::vector<u8> out(size);
    EXPECT_TRUE(Blake2s::hash(view(data), Bytes(out.data(), out.size()), view(key)).ok());
    return out;
}

// Appendix E's deterministic input: the top byte of a Fibonacci-like
// sequence in 32-bit arithmetic, started from seed * 0xdead4bad.
std::vector<u8> selftest_sequence(usize length, u32 seed) {
    std::vector<u8> out(length);
    u32 a = 0xdead4badu * seed;
    u32 b = 1;
    for (usize i = 0; i < length; ++i) {
        u32 t = a + b;
        a = b;
        b = t;
        out[i] = u8(t >> 24);
    }
    return out;
}

}  // namespace

// RFC 7693 Appendix B.
TEST(Blake2s, AbcAppendixB) {
    EXPECT_EQ(digest({'a', 'b', 'c'}),
              hex("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982"));
}

TEST(Blake2s, EmptyMessage) {
    EXPECT_EQ(digest({}), hex("69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9"));
}

// RFC 7693 Appendix E, blake2s_selftest(): for every digest length in
// {16, 20, 28, 32} and input length in {0, 3, 64, 65, 255, 1024}, the unkeyed
// and the keyed digest of a generated input are fed to one 32-byte hash,
// whose result is fixed by the RFC.
TEST(Blake2s, SelfTestAppendixE) {
    const usize digest_lengths[] = {16, 20, 28, 32};
    const usize input_lengths[] = {0, 3, 64, 65, 255, 1024};
    Blake2s grand;
    for (usize outlen : digest_lengths) {
        for (usize inlen : input_lengths) {
            auto input = selftest_sequence(inlen, u32(inlen));
            grand.update(view(digest(input, outlen)));
            auto key = selftest_sequence(outlen, u32(outlen));
            grand.update(view(digest(input, outlen, key)));
        }
    }
    u8 result[32];
    ASSERT_TRUE(grand.final(result).ok());
    EXPECT_EQ(std::vector<u8>(result, result + 32),
              hex("6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe"));
}

// Keyed known answers in the layout of the BLAKE2 reference KAT: key
// 00 01 .. 1f, input 00 01 .. (n-1). Chosen lengths sit around the block
// boundary, where the "key block is the last block" rule matters (n = 0).
TEST(Blake2s, KeyedKnownAnswers) {
    std::vector<u8> key(32);
    for (usize i = 0; i < key.size(); ++i) key[i] = u8(i);
    struct Vector {
        usize length;
        const char* digest;
    };
    const Vector vectors[] = {
        {0, "48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49"},
        {1, "40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1"},
        {63, "c65382513f07460da39833cb666c5ed82e61b9e998f4b0c4287cee56c3cc9bcd"},
        {64, "8975b0577fd35566d750b362b0897a26c399136df07bababbde6203ff2954ed4"},
        {65, "21fe0ceb0052be7fb0f004187cacd7de67fa6eb0938d927677f2398c132317a8"},
        {255, "3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd"},
    };
    for (const auto& v : vectors) {
        std::vector<u8> input(v.length);
        for (usize i = 0; i < input.size(); ++i) input[i] = u8(i);
        EXPECT_EQ(digest(input, 32, key), hex(v.digest)) << "length " << v.length;
    }
}

// Splitting the input anywhere, into two or three pieces, or feeding it
// byte by byte, gives the one-shot digest; keyed and unkeyed.
TEST(Blake2s, IncrementalSplitAtEveryOffset) {
    std::vector<u8> message(3 * Blake2s::kBlockSize + 17);
    for (usize i = 0; i < message.size(); ++i) message[i] = u8(i * 31 + 7);
    const std::vector<u8> keys[] = {{}, {1, 2, 3}, std::vector<u8>(32, 0x5a)};

    for (const auto& key : keys) {
        for (usize length : {usize(0), usize(1), usize(64), usize(65), usize(128), message.size()}) {
            std::vector<u8> input(message.begin(), message.begin() + length);
            auto expected = digest(input, 32, key);

            for (usize cut = 0; cut <= length; ++cut) {
                Blake2s h;
                ASSERT_TRUE(h.init(32, view(key)).ok());
                h.update(ReadonlyBytes(input.data(), cut));
                h.update(ReadonlyBytes(input.data() + cut, length - cut));
                u8 out[32];
                ASSERT_TRUE(h.final(out).ok());
                EXPECT_EQ(std::vector<u8>(out, out + 32), expected) << "length " << length << " cut " << cut;
            }

            // Three pieces, the middle one straddling block boundaries.
            for (usize first = 0; first <= length; first += 7) {
                for (usize second = 0; first + second <= length; second += 13) {
                    Blake2s h;
                    ASSERT_TRUE(h.init(32, view(key)).ok());
                    h.update(ReadonlyBytes(input.data(), first));
                    h.update(ReadonlyBytes(input.data() + first, second));
                    h.update(ReadonlyBytes(input.data() + first + second, length - first - second));
                    u8 out[32];
                    ASSERT_TRUE(h.final(out).ok());
                    EXPECT_EQ(std::vector<u8>(out, out + 32), expected)
                        << "length " << length << " pieces " << first << "+" << second;
                }
            }

            Blake2s bytewise;
            ASSERT_TRUE(bytewise.init(32, view(key)).ok());
            for (usize i = 0; i < length; ++i) bytewise.update(ReadonlyBytes(input.data() + i, 1));
            bytewise.update(ReadonlyBytes());  // empty updates change nothing
            u8 out[32];
            ASSERT_TRUE(bytewise.final(out).ok());
            EXPECT_EQ(std::vector<u8>(out, out + 32), expected) << "bytewise, length " << length;
        }
    }
}

// The digest length is a parameter of the hash: a 16-byte digest is not the
// prefix of the 32-byte one.
TEST(Blake2s, DigestLengthIsAParameter) {
    std::vector<u8> input = {'a', 'b', 'c'};
    auto full = digest(input, 32);
    auto half = digest(input, 16);
    EXPECT_NE(half, std::vector<u8>(full.begin(), full.begin() + 16));
    EXPECT_EQ(digest(input, 1).size(), 1u);
}

TEST(Blake2s, KeyChangesTheDigest) {
    std::vector<u8> input = {'a', 'b', 'c'};
    EXPECT_NE(digest(input, 32, {0}), digest(input, 32));
    EXPECT_NE(digest(input, 32, {0}), digest(input, 32, {1}));
}

TEST(Blake2s, RejectsOutOfRangeSizes) {
    Blake2s h;
    std::vector<u8> long_key(33, 1);
    EXPECT_EQ(h.init(0).error(), Error::InvalidArgument);
    EXPECT_EQ(h.init(33).error(), Error::InvalidArgument);
    EXPECT_EQ(h.init(32, view(long_key)).error(), Error::InvalidArgument);

    ASSERT_TRUE(h.init(20).ok());
    h.update(view(std::vector<u8> {'x'}));
    u8 wrong[32];
    EXPECT_EQ(h.final(wrong).error(), Error::InvalidArgument);
    // The hash stayed open: the right size still works and matches one-shot.
    u8 right[20];
    ASSERT_TRUE(h.final(Bytes(right, 20)).ok());
    EXPECT_EQ(std::vector<u8>(right, right + 20), digest({'x'}, 20));

    u8 out[32];
    EXPECT_EQ(Blake2s::hash(ReadonlyBytes(), Bytes(out, 0)).error(), Error::InvalidArgument);
}

TEST(Blake2s, InitRestartsAfterFinal) {
    Blake2s h;
    h.update(view(std::vector<u8> {'a', 'b', 'c'}));
    u8 first[32];
    ASSERT_TRUE(h.final(first).ok());
    ASSERT_TRUE(h.init().ok());
    h.update(view(std::vector<u8> {'a', 'b', 'c'}));
    u8 second[32];
    ASSERT_TRUE(h.final(second).ok());
    EXPECT_EQ(std::memcmp(first, second, 32), 0);
}

TEST(Blake2sDeathTest, UpdateAfterFinalIsABug) {
    EXPECT_DEATH(
        {
            Blake2s h;
            u8 out[32];
            (void)h.final(out);
            h.update(ReadonlyBytes(out, 1));
        },
        "VERIFY failed");
}
