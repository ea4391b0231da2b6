// BLAKE2s (RFC 7693): a 32-bit-word hash with an optional key, which makes
// it a MAC / PRF without an HMAC wrapper.
//
// Mote uses it to mix the entropy pool (entropy_pool.hpp) and to derive keys
// in the CSPRNG. BLAKE2s rather than BLAKE2b because it works on 32-bit
// words, which every Mote target handles natively.
//
// Incremental: init, any number of update() calls with any split of the
// input, then final(). The digest does not depend on how the input was split.
//
//     Blake2s h;                      // unkeyed, 32-byte digest
//     h.update(header);
//     h.update(payload);
//     u8 digest[32];
//     MUST(h.final(digest));
//
// The state holds key material when keyed; it is wiped by final() and by
// the destructor, and the type cannot be copied, so no stray copies exist.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "base/types.hpp"

namespace mote {

class Blake2s {
public:
    static constexpr usize kBlockSize = 64;
    static constexpr usize kDigestSize = 32;  // the largest digest, and the default
    static constexpr usize kMaxKeySize = 32;

    // Ready to hash, unkeyed, with a kDigestSize-byte digest.
    Blake2s();
    ~Blake2s();
    Blake2s(const Blake2s&) = delete;
    Blake2s& operator=(const Blake2s&) = delete;

    // (Re)starts a hash with a `digest_size`-byte digest (1..32) keyed with
    // `key` (0..32 bytes; empty means unkeyed). Both are parameters of the
    // hash itself (RFC 7693 section 2.5): a 16-byte digest is not a prefix of
    // the 32-byte one. Fails with InvalidArgument, changing nothing, when a
    // size is out of range.
    Result<void> init(usize digest_size = kDigestSize, ReadonlyBytes key = {});

    // Absorbs `data`. Must not be called after final() without a new init().
    void update(ReadonlyBytes data);

    // Writes the digest into `out`, whose size must be digest_size()
    // (InvalidArgument otherwise, and the hash stays open). On success the
    // state is wiped; init() starts the next hash.
    Result<void> final(Bytes out);

    usize digest_size() const { return m_digest_size; }

    // One call: the out.size()-byte digest of `data`, keyed with `key`.
    static Result<void> hash(ReadonlyBytes data, Bytes out, ReadonlyBytes key = {});

private:
    void compress(const u8* block, bool last);

    u32 m_h[8];                // chained state
    u64 m_bytes = 0;           // bytes compressed so far, the counter t
    u8 m_buffer[kBlockSize];   // input not yet compressed
    usize m_buffered = 0;      // 0..64; a full buffer waits, as it may be the last block
    usize m_digest_size = kDigestSize;
    bool m_finished = false;
};

}  // namespace mote
