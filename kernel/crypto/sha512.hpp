// SHA-512 (FIPS 180-4): the hash Ed25519 is defined with (ed25519.hpp),
// and the per-file hash of the signed initramfs manifest (exec/manifest.hpp).
//
// Incremental like Blake2s: update() with any split of the input, then
// final(); the digest does not depend on the split.
//
//     Sha512 h;
//     h.update(prefix);
//     h.update(message);
//     u8 digest[Sha512::kDigestSize];
//     h.final(digest);
//
// The state may hold secret-derived bytes (Ed25519 signing hashes the
// secret key), so it is wiped by final() and by the destructor and the type
// cannot be copied.
#pragma once

#include "base/span.hpp"
#include "base/types.hpp"

namespace mote {

class Sha512 {
public:
    static constexpr usize kBlockSize = 128;
    static constexpr usize kDigestSize = 64;

    Sha512() { reset(); }
    ~Sha512();
    Sha512(const Sha512&) = delete;
    Sha512& operator=(const Sha512&) = delete;

    // Starts a new hash (the constructor has already done so).
    void reset();
    // Absorbs `data`.
    void update(ReadonlyBytes data);
    // Writes the digest and wipes the state; reset() starts the next hash.
    void final(u8 (&out)[kDigestSize]);

    // One call: the digest of `data`.
    static void hash(ReadonlyBytes data, u8 (&out)[kDigestSize]);

private:
    void compress(const u8* block);

    u64 m_h[8];
    u64 m_bytes = 0;             // message bytes absorbed; 2^64 bytes is out of reach
    u8 m_buffer[kBlockSize];
    usize m_buffered = 0;        // 0..127: a full block is compressed at once
};

}  // namespace mote
