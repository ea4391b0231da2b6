#include "crypto/entropy_pool.hpp"

#include "base/memory.hpp"
#include "crypto/secret_areas.hpp"

namespace mote {

namespace {

// Domain bytes for the two values derived from one extraction.
constexpr u8 kDeriveNextPoolKey = 0;
constexpr u8 kDeriveSeed = 1;

}  // namespace

Result<EntropySourceId> EntropyPool::register_source(StringView name) {
    if (name.empty()) return Error::InvalidArgument;
    for (usize i = 0; i < m_source_count; ++i)
        if (m_sources[i].name == name) return Error::InvalidArgument;
    if (m_source_count == kMaxSources) return Error::NoMemory;
    m_sources[m_source_count] = EntropySourceStats {.name = name};
    return EntropySourceId(m_source_count++);
}

void EntropyPool::add(EntropySourceId source, ReadonlyBytes data, u32 estimated_bits) {
    usize index = usize(source);
    VERIFY_MSG(index < m_source_count, "entropy from an unregistered source");

    // Each sample is framed by its source and length, so the hash input is an
    // unambiguous sequence of (source, sample) pairs: no two different
    // histories of samples can feed the hash the same bytes.
    u8 header[9];
    header[0] = u8(index);
    u64 length = data.size();
    for (int i = 0; i < 8; ++i) header[1 + i] = u8(length >> (8 * i));
    m_hash.update(header);
    m_hash.update(data);

    // At most 8 bits per byte. (When length >= estimated_bits the bound
    // cannot bind; otherwise length < 2^32 and length * 8 cannot wrap.)
    u64 most = length >= estimated_bits ? estimated_bits : min<u64>(estimated_bits, length * 8);
    u32 credit = u32(min<u64>(most, kPoolBits - m_credited_bits));
    m_credited_bits += credit;

    EntropySourceStats& stats = m_sources[index];
    ++stats.samples;
    stats.bytes += length;
    stats.bits_claimed += estimated_bits;
    stats.bits_credited += credit;

    if (credit > 0 && m_hook) m_hook(*this, m_hook_context);
}

u32 EntropyPool::extract(u8 (&out)[kSeedSize]) {
    // seed = the pool hash of everything added, under the current pool key.
    // From it, two values a BLAKE2s PRF keeps independent: the caller's
    // output and the key of the next pool hash. Knowing the output does not
    // give the next key (nor the seed), and knowing the next key does not
    // give the output; and since every pool hash is keyed by its
    // predecessor, all entropy ever added keeps contributing.
    u8 seed[Blake2s::kDigestSize];
    u8 next_key[Blake2s::kDigestSize];
    MUST(m_hash.final(seed));
    MUST(Blake2s::hash(ReadonlyBytes(&kDeriveNextPoolKey, 1), next_key, seed));
    MUST(Blake2s::hash(ReadonlyBytes(&kDeriveSeed, 1), out, seed));
    MUST(m_hash.init(Blake2s::kDigestSize, next_key));
    wipe(seed, sizeof seed);
    wipe(next_key, sizeof next_key);

    u32 bits = m_credited_bits;
    m_credited_bits = 0;
    ++m_extractions;
    return bits;
}

void EntropyPool::set_credit_hook(CreditHook hook, void* context) {
    VERIFY_MSG(hook == nullptr || m_hook == nullptr, "entropy pool already has a credit hook");
    m_hook = hook;
    m_hook_context = context;
}

EntropyPool& kernel_entropy_pool() {
    // Constructed on first use and never destroyed: a static with a
    // destructor would need atexit machinery the freestanding kernel lacks,
    // and the pool lives as long as the kernel anyway.
    alignas(EntropyPool) static u8 storage[sizeof(EntropyPool)];
    static EntropyPool* pool = [] {
        auto* made = new (storage) EntropyPool;
        // The crash path scrubs and wipes it (crypto/secret_areas.hpp).
        (void)register_secret_area(&made->m_hash, sizeof(made->m_hash));
        return made;
    }();
    return *pool;
}

}  // namespace mote
