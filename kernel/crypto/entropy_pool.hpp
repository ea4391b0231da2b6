// The entropy pool: where device randomness is gathered before it seeds the
// CSPRNG (csprng.hpp).
//
// Sources (virtio-rng, the host's getrandom(2), timing jitter, ...) register
// once under a name and then add() samples with an estimate of how many bits
// of entropy each carries. The pool mixes every byte it is given into a
// running BLAKE2s hash; what it *counts* is a separate, conservative number:
//
// * a sample never counts for more than 8 bits per byte it contains, however
//   much its source claims;
// * the count saturates at kPoolBits (256): the pool is extracted as one
//   256-bit seed, so credit beyond that would be a promise it cannot keep;
// * estimated_bits = 0 is the normal way to add data that is unique but not
//   secret (MAC addresses, the DTB, boot timestamps): mixed in, never counted.
//
// Estimating is the source driver's job and it should under-claim: a
// hardware RNG of unknown quality, or a jitter sample, deserves far less than
// its size. Per-source counters keep every claim visible (for the shell, logs).
//
// extract() turns the pool into a 32-byte seed and resets the count to zero.
// It is one-way in both directions: the seed does not reveal the pool state,
// and the pool state after extraction does not reveal the seed (see
// entropy_pool.cpp), so compromising one does not expose the other.
//
// Not interrupt-safe: call from loop context. Interrupt handlers hand their
// samples to the loop (core/irq_ring.hpp) and the loop adds them.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "base/types.hpp"
#include "crypto/blake2s.hpp"

namespace mote {

// Returned by register_source(); only meaningful for the pool that issued it.
enum class EntropySourceId : u8 {};

struct EntropySourceStats {
    StringView name;
    u64 samples = 0;        // add() calls
    u64 bytes = 0;          // bytes mixed in
    u64 bits_claimed = 0;   // sum of the source's estimates
    u64 bits_credited = 0;  // what the pool actually counted
};

class EntropyPool {
public:
    static constexpr usize kMaxSources = 8;
    static constexpr u32 kPoolBits = 256;
    static constexpr usize kSeedSize = 32;

    // Runs after every add() that credited bits, once the pool's own state
    // is consistent. The CSPRNG uses it to seed itself the moment enough
    // entropy exists. One hook per pool.
    using CreditHook = void (*)(EntropyPool&, void* context);

    EntropyPool() = default;
    EntropyPool(const EntropyPool&) = delete;
    EntropyPool& operator=(const EntropyPool&) = delete;

    // `name` must outlive the pool (a string literal) and be unique and
    // non-empty (InvalidArgument otherwise). NoMemory when the table is full.
    Result<EntropySourceId> register_source(StringView name);

    // Mixes `data` into the pool and credits min(estimated_bits, 8 * size)
    // bits, saturating at kPoolBits. `source` must come from this pool's
    // register_source(); anything else is a kernel bug (VERIFY).
    void add(EntropySourceId source, ReadonlyBytes data, u32 estimated_bits);

    // Writes a seed derived from everything ever added and returns how many
    // credited bits back it (0..kPoolBits); the count restarts at zero.
    u32 extract(u8 (&out)[kSeedSize]);

    // Bits credited since the last extract().
    u32 credited_bits() const { return m_credited_bits; }
    u64 extractions() const { return m_extractions; }

    usize source_count() const { return m_source_count; }
    // Stats of the index-th registered source, in registration order.
    const EntropySourceStats& source(usize index) const {
        VERIFY(index < m_source_count);
        return m_sources[index];
    }

    void set_credit_hook(CreditHook hook, void* context);

private:
    friend EntropyPool& kernel_entropy_pool();
    Blake2s m_hash;
    EntropySourceStats m_sources[kMaxSources];
    usize m_source_count = 0;
    u32 m_credited_bits = 0;
    u64 m_extractions = 0;
    CreditHook m_hook = nullptr;
    void* m_hook_context = nullptr;
};

// The kernel's one pool, which its device drivers feed.
EntropyPool& kernel_entropy_pool();

}  // namespace mote
