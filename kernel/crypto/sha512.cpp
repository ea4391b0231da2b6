#include "crypto/sha512.hpp"

#include "base/memory.hpp"

namespace mote {

namespace {

// Section 4.2.3: the first 64 bits of the fractional parts of the cube
// roots of the first 80 primes (computed with integer cube roots, and
// checked against the standard's test vectors in sha512_test.cpp).
constexpr u64 kRound[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
    0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
    0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
    0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
    0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
    0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
    0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
    0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
};

// Section 5.3.5: the first 64 bits of the fractional parts of the square
// roots of the first 8 primes.
constexpr u64 kInitial[8] = {
    0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
    0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
};

u64 load64_be(const u8* p) {
    u64 v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
    return v;
}

void store64_be(u8* p, u64 v) {
    for (int i = 7; i >= 0; --i, v >>= 8) p[i] = u8(v);
}

u64 rotr(u64 v, int n) { return (v >> n) | (v << (64 - n)); }

}  // namespace

Sha512::~Sha512() { wipe(this, sizeof(*this)); }

void Sha512::reset() {
    for (int i = 0; i < 8; ++i) m_h[i] = kInitial[i];
    m_bytes = 0;
    m_buffered = 0;
}

// Section 6.4.2: one 1024-bit block into the chained state.
void Sha512::compress(const u8* block) {
    u64 w[80];
    for (int t = 0; t < 16; ++t) w[t] = load64_be(block + 8 * t);
    for (int t = 16; t < 80; ++t) {
        const u64 s0 = rotr(w[t - 15], 1) ^ rotr(w[t - 15], 8) ^ (w[t - 15] >> 7);
        const u64 s1 = rotr(w[t - 2], 19) ^ rotr(w[t - 2], 61) ^ (w[t - 2] >> 6);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    u64 a = m_h[0], b = m_h[1], c = m_h[2], d = m_h[3], e = m_h[4], f = m_h[5], g = m_h[6], h = m_h[7];
    for (int t = 0; t < 80; ++t) {
        const u64 big_s1 = rotr(e, 14) ^ rotr(e, 18) ^ rotr(e, 41);
        const u64 choose = (e & f) ^ (~e & g);
        const u64 t1 = h + big_s1 + choose + kRound[t] + w[t];
        const u64 big_s0 = rotr(a, 28) ^ rotr(a, 34) ^ rotr(a, 39);
        const u64 majority = (a & b) ^ (a & c) ^ (b & c);
        const u64 t2 = big_s0 + majority;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    m_h[0] += a;
    m_h[1] += b;
    m_h[2] += c;
    m_h[3] += d;
    m_h[4] += e;
    m_h[5] += f;
    m_h[6] += g;
    m_h[7] += h;
    wipe(w, sizeof(w));
}

void Sha512::update(ReadonlyBytes data) {
    const u8* p = data.data();
    usize left = data.size();
    m_bytes += left;
    if (m_buffered) {
        const usize take = min(left, kBlockSize - m_buffered);
        mem_copy(m_buffer + m_buffered, p, take);
        m_buffered += take;
        p += take;
        left -= take;
        if (m_buffered < kBlockSize) return;
        compress(m_buffer);
        m_buffered = 0;
    }
    for (; left >= kBlockSize; p += kBlockSize, left -= kBlockSize) compress(p);
    mem_copy(m_buffer, p, left);
    m_buffered = left;
}

// Section 5.1.2: a 1 bit, zeros, and the message length in bits as a
// 128-bit big-endian number ending the last block.
void Sha512::final(u8 (&out)[kDigestSize]) {
    const u64 bits = m_bytes << 3;
    const u64 bits_high = m_bytes >> 61;
    m_buffer[m_buffered++] = 0x80;
    if (m_buffered > kBlockSize - 16) {
        mem_set(m_buffer + m_buffered, 0, kBlockSize - m_buffered);
        compress(m_buffer);
        m_buffered = 0;
    }
    mem_set(m_buffer + m_buffered, 0, kBlockSize - 16 - m_buffered);
    store64_be(m_buffer + kBlockSize - 16, bits_high);
    store64_be(m_buffer + kBlockSize - 8, bits);
    compress(m_buffer);
    for (int i = 0; i < 8; ++i) store64_be(out + 8 * i, m_h[i]);
    wipe(this, sizeof(*this));
    reset();
}

void Sha512::hash(ReadonlyBytes data, u8 (&out)[kDigestSize]) {
    Sha512 h;
    h.update(data);
    h.final(out);
}

}  // namespace mote
