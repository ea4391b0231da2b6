#include "crypto/chacha20.hpp"

#include "base/memory.hpp"

namespace mote {

namespace {

// "expand 32-byte k" as four little-endian words (RFC 8439 section 2.3).
constexpr u32 kSigma[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

u32 load32_le(const u8* p) { return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24; }

void store32_le(u8* p, u32 v) {
    p[0] = u8(v);
    p[1] = u8(v >> 8);
    p[2] = u8(v >> 16);
    p[3] = u8(v >> 24);
}

u32 rotl(u32 v, int n) { return (v << n) | (v >> (32 - n)); }

// The quarter round of RFC 8439 section 2.1, on four words of the state.
void quarter_round(u32* x, int a, int b, int c, int d) {
    x[a] += x[b];
    x[d] = rotl(x[d] ^ x[a], 16);
    x[c] += x[d];
    x[b] = rotl(x[b] ^ x[c], 12);
    x[a] += x[b];
    x[d] = rotl(x[d] ^ x[a], 8);
    x[c] += x[d];
    x[b] = rotl(x[b] ^ x[c], 7);
}

// State layout (section 2.3): 4 constant words, 8 key words, the block
// counter, 3 nonce words; all little-endian.
void init_state(u32 (&s)[16], const ChaCha20Key& key, u32 counter, const ChaCha20Nonce& nonce) {
    for (int i = 0; i < 4; ++i) s[i] = kSigma[i];
    for (int i = 0; i < 8; ++i) s[4 + i] = load32_le(key.bytes + 4 * i);
    s[12] = counter;
    for (int i = 0; i < 3; ++i) s[13 + i] = load32_le(nonce.bytes + 4 * i);
}

// 20 rounds as 10 (column round, diagonal round) pairs, then the feed-forward
// addition of the input state, serialised little-endian.
void block_from_state(const u32 (&s)[16], u8* out) {
    u32 x[16];
    for (int i = 0; i < 16; ++i) x[i] = s[i];
    for (int i = 0; i < 10; ++i) {
        quarter_round(x, 0, 4, 8, 12);
        quarter_round(x, 1, 5, 9, 13);
        quarter_round(x, 2, 6, 10, 14);
        quarter_round(x, 3, 7, 11, 15);
        quarter_round(x, 0, 5, 10, 15);
        quarter_round(x, 1, 6, 11, 12);
        quarter_round(x, 2, 7, 8, 13);
        quarter_round(x, 3, 4, 9, 14);
    }
    for (int i = 0; i < 16; ++i) store32_le(out + 4 * i, x[i] + s[i]);
    wipe(x, sizeof x);
}

// Blocks needed for `length` bytes must all have numbers that fit in 32
// bits: counter + blocks - 1 <= 2^32 - 1.
Result<void> check_counter(u32 counter, usize length) {
    u64 blocks = u64(length / kChaCha20BlockSize) + (length % kChaCha20BlockSize != 0);
    if (blocks != 0 && u64(counter) + blocks - 1 > 0xffffffffull) return Error::Overflow;
    return {};
}

// The common loop: out = keystream, XORed with `in` when it is not null.
// Validation has been done by the caller.
void apply_keystream(const ChaCha20Key& key, u32 counter, const ChaCha20Nonce& nonce, const u8* in, u8* out,
                     usize length) {
    u32 state[16];
    u8 block[kChaCha20BlockSize];
    init_state(state, key, counter, nonce);
    while (length > 0) {
        block_from_state(state, block);
        usize n = min(length, kChaCha20BlockSize);
        for (usize i = 0; i < n; ++i) out[i] = in ? u8(in[i] ^ block[i]) : block[i];
        if (in) in += n;
        out += n;
        length -= n;
        ++state[12];  // cannot wrap into use: check_counter bounded the block count
    }
    wipe(state, sizeof state);
    wipe(block, sizeof block);
}

}  // namespace

void chacha20_block(const ChaCha20Key& key, u32 counter, const ChaCha20Nonce& nonce,
                    u8 (&out)[kChaCha20BlockSize]) {
    u32 state[16];
    init_state(state, key, counter, nonce);
    block_from_state(state, out);
    wipe(state, sizeof state);
}

Result<void> chacha20_xor(const ChaCha20Key& key, u32 counter, const ChaCha20Nonce& nonce, ReadonlyBytes in,
                          Bytes out) {
    if (in.size() != out.size()) return Error::InvalidArgument;
    // In-place is fine (each byte is read before it is written); any other
    // overlap would read bytes this call already overwrote.
    uptr a = uptr(in.data()), b = uptr(out.data());
    if (a != b && in.size() != 0 && a < b + out.size() && b < a + in.size()) return Error::InvalidArgument;
    TRY(check_counter(counter, in.size()));
    apply_keystream(key, counter, nonce, in.data(), out.data(), out.size());
    return {};
}

Result<void> chacha20_keystream(const ChaCha20Key& key, u32 counter, const ChaCha20Nonce& nonce, Bytes out) {
    TRY(check_counter(counter, out.size()));
    apply_keystream(key, counter, nonce, nullptr, out.data(), out.size());
    return {};
}

}  // namespace mote
