// The kernel CSPRNG: ChaCha20 with fast key erasure, seeded from the
// entropy pool.
//
// Output (Bernstein's "fast key erasure" construction): each step runs
// ChaCha20 under the current key for up to kKeystreamPerKey bytes; the first
// 32 bytes of that keystream immediately become the next key and the rest is
// output. The key that produced a piece of output is gone before generate()
// returns, so a later compromise of the generator's memory cannot reproduce
// anything it already handed out (forward secrecy). Each key is used for
// exactly one keystream, which is why a fixed all-zero nonce is safe.
//
// Seeding: the generator is unseeded until a single extraction from the pool
// carries at least kSeedBits credited bits. Credit is never summed across
// smaller extractions: an attacker who can observe output between small
// reseeds could guess each small addition in turn (the "iterative guessing"
// attack), so before the first full seed the pool is left to accumulate.
//
// Until seeded, generate() refuses with Error::WouldBlock rather than hand
// out guessable numbers. A caller that must wait queues a SeedWaiter; its
// callback runs exactly once, as soon as the pool's credit seeds the
// generator. (Split-phase, like every Mote request: either the generator is
// seeded now, or a callback will follow.) The callback runs synchronously
// inside the call that completed the seed, normally the source driver's
// EntropyPool::add(), after the generator is consistent: it may generate(),
// but should be short; a callback with real work posts a Deferred.
//
// Reseeding, once seeded, happens at the start of each kKeystreamPerKey step
// when
//   * the pool has credited kSeedBits since the last extraction, or
//   * kReseedIntervalBytes have been generated since the last reseed, or
//   * on demand, reseed().
// A reseed mixes rather than replaces: next key = BLAKE2s keyed with the
// current key, over the pool's seed. Mixing a weak seed into a good key
// cannot make the key weaker, so reseeding by volume with little credit is
// safe.
//
// Not interrupt-safe: call from loop context.
#pragma once

#include "base/list.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "base/types.hpp"
#include "crypto/chacha20.hpp"
#include "crypto/entropy_pool.hpp"

namespace mote {

// Caller-owned: a wait for the CSPRNG's first seed.
class SeedWaiter {
public:
    using Callback = void (*)(SeedWaiter&);

    SeedWaiter() = default;
    SeedWaiter(Callback callback, void* context = nullptr) : m_callback(callback), m_context(context) {}
    SeedWaiter(const SeedWaiter&) = delete;
    SeedWaiter& operator=(const SeedWaiter&) = delete;
    ~SeedWaiter() { VERIFY_MSG(!node.is_linked(), "seed waiter destroyed while waiting"); }

    void set_callback(Callback callback, void* context = nullptr) {
        m_callback = callback;
        m_context = context;
    }
    void* context() const { return m_context; }
    bool waiting() const { return node.is_linked(); }

    ListNode node;

private:
    friend class Csprng;
    Callback m_callback = nullptr;
    void* m_context = nullptr;
};

class Csprng {
public:
    static constexpr u32 kSeedBits = 256;
    static constexpr u64 kReseedIntervalBytes = u64(1) << 20;
    // Keystream per key, including the 32 bytes that become the next key.
    static constexpr usize kKeystreamPerKey = 4096;
    static constexpr usize kOutputPerKey = kKeystreamPerKey - kChaCha20KeySize;

    // Attaches to `pool` (its credit hook) and seeds at once if the pool
    // already holds kSeedBits. The pool must outlive the generator.
    explicit Csprng(EntropyPool& pool);
    ~Csprng();
    Csprng(const Csprng&) = delete;
    Csprng& operator=(const Csprng&) = delete;

    bool seeded() const { return m_seeded; }

    // Fills `out` with random bytes; WouldBlock (out untouched) if not seeded.
    Result<void> generate(Bytes out);
    // A uniformly random u64.
    Result<u64> next_u64();
    // A uniformly random value in [0, bound), without modulo bias.
    // InvalidArgument for bound 0.
    Result<u64> uniform(u64 bound);

    // Reseeds from the pool now. Before the first seed this is allowed only
    // when the pool holds kSeedBits (WouldBlock otherwise, and the pool's
    // partial credit stays where it is).
    Result<void> reseed();

    // Returns true if `waiter` was queued: its callback runs once, when the
    // generator is seeded. Returns false if it is seeded already: no
    // callback, generate() works now. The waiter must not already wait.
    bool wait_until_seeded(SeedWaiter& waiter);
    // Withdraws a queued waiter; its callback will not run.
    void cancel_wait(SeedWaiter& waiter);

    // Test hook (sys/power's "secret"): makes `key` the generator's key and
    // stops the kernel from inside the generator with the key's words in
    // registers, so tests can check that no report or epitaph shows it.
    [[noreturn]] void crash_holding_key_for_test(const ChaCha20Key& key, const char* reason);

    u64 bytes_generated() const { return m_bytes_generated; }
    u64 reseeds() const { return m_reseeds; }
    u64 refused() const { return m_refused; }  // generate() calls that returned WouldBlock

private:
    friend Csprng& kernel_csprng();
    static void on_pool_credit(EntropyPool& pool, void* context);
    void reseed_if_due();
    void reseed_from_pool();
    void emit(u8* out, usize length);

    EntropyPool& m_pool;
    ChaCha20Key m_key {};
    bool m_seeded = false;
    u64 m_bytes_since_reseed = 0;
    u64 m_bytes_generated = 0;
    u64 m_reseeds = 0;
    u64 m_refused = 0;
    IntrusiveList<SeedWaiter, &SeedWaiter::node> m_waiters;
};

// The kernel's one generator, fed by kernel_entropy_pool().
Csprng& kernel_csprng();

}  // namespace mote
