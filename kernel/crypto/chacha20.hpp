// ChaCha20, the stream cipher of RFC 8439 (the IETF variant: 256-bit key,
// 32-bit block counter, 96-bit nonce).
//
// Mote uses it as the output function of the kernel CSPRNG (csprng.hpp), so
// what matters here is that it is exactly the RFC function, constant-time
// (only adds, rotates and xors on 32-bit words; no table lookups, no
// data-dependent branches) and never touches memory it was not given.
//
// A (key, nonce) pair must never encrypt two different messages; the CSPRNG
// satisfies this by using every key for exactly one keystream.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "base/types.hpp"

namespace mote {

inline constexpr usize kChaCha20KeySize = 32;
inline constexpr usize kChaCha20NonceSize = 12;
inline constexpr usize kChaCha20BlockSize = 64;

// Distinct types rather than bare byte arrays, so a nonce can never be
// passed where a key belongs.
struct ChaCha20Key {
    u8 bytes[kChaCha20KeySize];
};
struct ChaCha20Nonce {
    u8 bytes[kChaCha20NonceSize];
};

// The block function (RFC 8439 section 2.3): 64 bytes of keystream for block
// number `counter`.
void chacha20_block(const ChaCha20Key& key, u32 counter, const ChaCha20Nonce& nonce,
                    u8 (&out)[kChaCha20BlockSize]);

// Encryption and decryption (RFC 8439 section 2.4): out = in XOR keystream,
// the keystream starting at block `counter`. `in` and `out` must be the same
// size; they may be the very same buffer (in-place), but must not otherwise
// overlap.
//
// Fails, writing nothing, with InvalidArgument for mismatched or partly
// overlapping buffers, and with Overflow if the message would need a block
// number past 2^32 - 1: a wrapped counter would reuse keystream.
Result<void> chacha20_xor(const ChaCha20Key& key, u32 counter, const ChaCha20Nonce& nonce, ReadonlyBytes in,
                          Bytes out);

// The keystream itself, starting at block `counter` (the XOR of zeros).
// Fails, writing nothing, with Overflow as chacha20_xor does.
Result<void> chacha20_keystream(const ChaCha20Key& key, u32 counter, const ChaCha20Nonce& nonce, Bytes out);

}  // namespace mote
