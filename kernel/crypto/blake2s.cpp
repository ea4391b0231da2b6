#include "crypto/blake2s.hpp"

#include "base/memory.hpp"

namespace mote {

namespace {

// The initialisation vector (RFC 7693 section 2.6): the SHA-256 IV.
constexpr u32 kIv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

// Message word schedule (section 2.7): round i reads the message words in
// the order kSigma[i]. BLAKE2s has 10 rounds, so each row is used once.
constexpr u8 kSigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

u32 load32_le(const u8* p) { return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24; }

u32 rotr(u32 v, int n) { return (v >> n) | (v << (32 - n)); }

// The mixing function G (section 3.1) with BLAKE2s's rotations 16, 12, 8, 7.
void mix(u32* v, int a, int b, int c, int d, u32 x, u32 y) {
    v[a] = v[a] + v[b] + x;
    v[d] = rotr(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = rotr(v[b] ^ v[c], 12);
    v[a] = v[a] + v[b] + y;
    v[d] = rotr(v[d] ^ v[a], 8);
    v[c] = v[c] + v[d];
    v[b] = rotr(v[b] ^ v[c], 7);
}

}  // namespace

Blake2s::Blake2s() { MUST(init()); }

Blake2s::~Blake2s() {
    wipe(m_h, sizeof m_h);
    wipe(m_buffer, sizeof m_buffer);
}

Result<void> Blake2s::init(usize digest_size, ReadonlyBytes key) {
    if (digest_size == 0 || digest_size > kDigestSize || key.size() > kMaxKeySize) return Error::InvalidArgument;

    // Parameter block word 0 (section 2.5): digest length, key length,
    // fanout 1, depth 1 (sequential mode). The other words are zero.
    for (int i = 0; i < 8; ++i) m_h[i] = kIv[i];
    m_h[0] ^= 0x01010000u ^ (u32(key.size()) << 8) ^ u32(digest_size);
    m_bytes = 0;
    m_digest_size = digest_size;
    m_finished = false;
    wipe(m_buffer, sizeof m_buffer);
    m_buffered = 0;

    // A key is hashed as a first block of its own, zero-padded (section 3.3).
    // It sits in the buffer like any other input: if nothing follows, it is
    // the last block.
    if (!key.empty()) {
        mem_copy(m_buffer, key.data(), key.size());
        m_buffered = kBlockSize;
    }
    return {};
}

void Blake2s::compress(const u8* block, bool last) {
    u32 m[16];
    u32 v[16];
    for (int i = 0; i < 16; ++i) m[i] = load32_le(block + 4 * i);
    for (int i = 0; i < 8; ++i) {
        v[i] = m_h[i];
        v[8 + i] = kIv[i];
    }
    v[12] ^= u32(m_bytes);
    v[13] ^= u32(m_bytes >> 32);
    if (last) v[14] = ~v[14];

    for (const auto& s : kSigma) {
        mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; ++i) m_h[i] ^= v[i] ^ v[8 + i];
    wipe(m, sizeof m);
    wipe(v, sizeof v);
}

void Blake2s::update(ReadonlyBytes data) {
    VERIFY_MSG(!m_finished, "Blake2s::update after final");
    const u8* p = data.data();
    usize n = data.size();
    // The last block is compressed differently (the final flag), and only
    // final() knows which block is last. So a full buffer is compressed only
    // once more input arrives, and the direct path below always leaves at
    // least one byte for the buffer.
    while (n > 0) {
        if (m_buffered == kBlockSize) {
            m_bytes += kBlockSize;
            compress(m_buffer, false);
            m_buffered = 0;
        }
        if (m_buffered == 0) {
            for (; n > kBlockSize; p += kBlockSize, n -= kBlockSize) {
                m_bytes += kBlockSize;
                compress(p, false);
            }
        }
        usize take = min(kBlockSize - m_buffered, n);
        mem_copy(m_buffer + m_buffered, p, take);
        m_buffered += take;
        p += take;
        n -= take;
    }
}

Result<void> Blake2s::final(Bytes out) {
    VERIFY_MSG(!m_finished, "Blake2s::final called twice");
    if (out.size() != m_digest_size) return Error::InvalidArgument;

    // The counter counts message bytes only, not the padding (section 3.3).
    m_bytes += m_buffered;
    mem_set(m_buffer + m_buffered, 0, kBlockSize - m_buffered);
    compress(m_buffer, true);

    for (usize i = 0; i < m_digest_size; ++i) out.data()[i] = u8(m_h[i / 4] >> (8 * (i % 4)));
    wipe(m_h, sizeof m_h);
    wipe(m_buffer, sizeof m_buffer);
    m_buffered = 0;
    m_finished = true;
    return {};
}

Result<void> Blake2s::hash(ReadonlyBytes data, Bytes out, ReadonlyBytes key) {
    Blake2s h;
    TRY(h.init(out.size(), key));
    h.update(data);
    return h.final(out);
}

}  // namespace mote
