#include "crypto/csprng.hpp"

#include "base/memory.hpp"
#include "base/verify.hpp"
#include "crypto/blake2s.hpp"
#include "crypto/secret_areas.hpp"

namespace mote {

namespace {

// Every key encrypts exactly one keystream, so one fixed nonce is enough.
constexpr ChaCha20Nonce kNonce {};

}  // namespace

Csprng::Csprng(EntropyPool& pool) : m_pool(pool) {
    m_pool.set_credit_hook(on_pool_credit, this);
    if (m_pool.credited_bits() >= kSeedBits) reseed_from_pool();
}

Csprng::~Csprng() {
    m_pool.set_credit_hook(nullptr, nullptr);
    wipe(&m_key, sizeof m_key);
}

void Csprng::on_pool_credit(EntropyPool& pool, void* context) {
    auto& self = *static_cast<Csprng*>(context);
    // Only the first seed is urgent: waiters are blocked on it. Later
    // reseeds wait for the next generate(), which costs nothing meanwhile.
    if (!self.m_seeded && pool.credited_bits() >= kSeedBits) self.reseed_from_pool();
}

void Csprng::reseed_from_pool() {
    u8 seed[EntropyPool::kSeedSize];
    u32 bits = m_pool.extract(seed);
    // Mix, do not replace: key' = BLAKE2s(key = key, seed). Whatever the
    // seed's quality, key' is at least as unpredictable as key was.
    ChaCha20Key next;
    MUST(Blake2s::hash(seed, next.bytes, m_key.bytes));
    m_key = next;
    wipe(&next, sizeof next);
    wipe(seed, sizeof seed);
    m_bytes_since_reseed = 0;
    ++m_reseeds;

    // One extraction must carry the full amount by itself (see csprng.hpp).
    if (m_seeded || bits < kSeedBits) return;
    m_seeded = true;
    // The generator is consistent and seeded; now the waiters may use it.
    // Pop before calling: a callback may destroy its waiter or queue others.
    while (SeedWaiter* waiter = m_waiters.pop_front())
        if (waiter->m_callback) waiter->m_callback(*waiter);
}

void Csprng::reseed_if_due() {
    if (m_pool.credited_bits() >= kSeedBits || (m_seeded && m_bytes_since_reseed >= kReseedIntervalBytes))
        reseed_from_pool();
}

// One fast-key-erasure step: keystream block 0 holds the next key (bytes
// 0..31) and the first 32 bytes of output; blocks 1.. are output. All output
// is produced under the current key before it is overwritten.
void Csprng::emit(u8* out, usize length) {
    VERIFY(length <= kOutputPerKey);
    u8 block[kChaCha20BlockSize];
    chacha20_block(m_key, 0, kNonce, block);
    usize head = min(length, kChaCha20BlockSize - kChaCha20KeySize);
    mem_copy(out, block + kChaCha20KeySize, head);
    if (length > head) MUST(chacha20_keystream(m_key, 1, kNonce, Bytes(out + head, length - head)));
    mem_copy(m_key.bytes, block, kChaCha20KeySize);
    wipe(block, sizeof block);
}

Result<void> Csprng::generate(Bytes out) {
    reseed_if_due();
    if (!m_seeded) {
        ++m_refused;
        return Error::WouldBlock;
    }
    u8* p = out.data();
    usize left = out.size();
    while (left > 0) {
        usize step = min(left, kOutputPerKey);
        emit(p, step);
        p += step;
        left -= step;
        m_bytes_since_reseed += step;
        m_bytes_generated += step;
        if (left > 0) reseed_if_due();
    }
    return {};
}

Result<u64> Csprng::next_u64() {
    u8 bytes[8];
    TRY(generate(bytes));
    u64 value = 0;
    for (int i = 0; i < 8; ++i) value |= u64(bytes[i]) << (8 * i);
    wipe(bytes, sizeof bytes);
    return value;
}

Result<u64> Csprng::uniform(u64 bound) {
    if (bound == 0) return Error::InvalidArgument;
    // 2^64 mod bound, computed without 128-bit arithmetic. Values below it
    // are the incomplete last copy of [0, bound) in [0, 2^64) and are
    // rejected; each draw is accepted with probability above 1/2.
    u64 threshold = (0 - bound) % bound;
    for (;;) {
        u64 value = TRY(next_u64());
        if (value >= threshold) return value % bound;
    }
}

Result<void> Csprng::reseed() {
    if (!m_seeded && m_pool.credited_bits() < kSeedBits) return Error::WouldBlock;
    reseed_from_pool();
    return {};
}

bool Csprng::wait_until_seeded(SeedWaiter& waiter) {
    if (m_seeded) return false;
    m_waiters.push_back(waiter);
    return true;
}

void Csprng::cancel_wait(SeedWaiter& waiter) {
    if (waiter.waiting()) m_waiters.remove(waiter);
}

[[gnu::noinline]] void Csprng::crash_holding_key_for_test(const ChaCha20Key& key, const char* reason) {
    m_key = key;
    u64 words[4];
    mem_copy(words, m_key.bytes, sizeof(words));
    // The words are in registers at the crash, as they would be in the
    // middle of a ChaCha20 block.
    asm volatile("" : : "r"(words[0]), "r"(words[1]), "r"(words[2]), "r"(words[3]) : "memory");
    platform_panic(reason);
}

Csprng& kernel_csprng() {
    // Never destroyed, like the pool it draws from (see kernel_entropy_pool).
    alignas(Csprng) static u8 storage[sizeof(Csprng)];
    static Csprng* rng = [] {
        auto* made = new (storage) Csprng(kernel_entropy_pool());
        // The crash path scrubs and wipes it (crypto/secret_areas.hpp).
        (void)register_secret_area(&made->m_key, sizeof(made->m_key));
        return made;
    }();
    return *rng;
}

}  // namespace mote
