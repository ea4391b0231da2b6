// The entropy pool and the fast-key-erasure CSPRNG.
//
// Expected generator output is never taken from the generator itself: a
// model in this file follows the construction documented in csprng.hpp
// (key = BLAKE2s keyed with the old key over the pool's seed; per step, a
// ChaCha20 keystream whose first 32 bytes become the next key) using the
// RFC-tested chacha20_keystream and Blake2s, fed by a shadow pool that
// receives the same input as the generator's pool.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "crypto/blake2s.hpp"
#include "crypto/chacha20.hpp"
#include "crypto/csprng.hpp"
#include "crypto/entropy_pool.hpp"

using namespace mote;

namespace {

ReadonlyBytes view(const std::vector<u8>& v) { return ReadonlyBytes(v.data(), v.size()); }

std::vector<u8> filled(usize size, u8 value) { return std::vector<u8>(size, value); }

std::vector<u8> extract(EntropyPool& pool) {
    u8 seed[EntropyPool::kSeedSize];
    (void)pool.extract(seed);
    return std::vector<u8>(seed, seed + sizeof seed);
}

// The generator as csprng.hpp specifies it, written independently.
class Model {
public:
    explicit Model(EntropyPool& shadow) : m_shadow(shadow) {}

    // Mirrors the generator's credit hook: the first full credit seeds.
    void after_add() {
        if (!m_seeded && m_shadow.credited_bits() >= 256) reseed();
    }

    void reseed() {
        u8 seed[EntropyPool::kSeedSize];
        u32 bits = m_shadow.extract(seed);
        u8 next[32];
        EXPECT_TRUE(Blake2s::hash(seed, next, m_key).ok());
        std::memcpy(m_key, next, 32);
        m_since_reseed = 0;
        if (bits >= 256) m_seeded = true;
    }

    std::vector<u8> generate(usize length) {
        reseed_if_due();
        EXPECT_TRUE(m_seeded);
        std::vector<u8> out;
        usize left = length;
        while (left > 0) {
            usize step = std::min<usize>(left, 4096 - 32);
            std::vector<u8> stream(step + 32);
            ChaCha20Key key;
            std::memcpy(key.bytes, m_key, 32);
            EXPECT_TRUE(chacha20_keystream(key, 0, ChaCha20Nonce {}, Bytes(stream.data(), stream.size())).ok());
            std::memcpy(m_key, stream.data(), 32);
            out.insert(out.end(), stream.begin() + 32, stream.end());
            left -= step;
            m_since_reseed += step;
            if (left > 0) reseed_if_due();
        }
        return out;
    }

    const u8* key() const { return m_key; }

private:
    void reseed_if_due() {
        if (m_shadow.credited_bits() >= 256 || (m_seeded && m_since_reseed >= (u64(1) << 20))) reseed();
    }

    EntropyPool& m_shadow;
    u8 m_key[32] = {};
    bool m_seeded = false;
    u64 m_since_reseed = 0;
};

// A generator and its model, each with its own pool, fed identically.
struct Rig {
    Rig() {
        source = MUST(pool.register_source("test"));
        shadow_source = MUST(shadow.register_source("test"));
    }

    EntropyPool pool;
    EntropyPool shadow;
    EntropySourceId source {};
    EntropySourceId shadow_source {};
    Csprng rng {pool};
    Model model {shadow};

    void add(const std::vector<u8>& data, u32 bits) {
        pool.add(source, view(data), bits);
        shadow.add(shadow_source, view(data), bits);
        model.after_add();
    }

    std::vector<u8> generate(usize length) {
        std::vector<u8> out(length);
        EXPECT_TRUE(rng.generate(Bytes(out.data(), out.size())).ok());
        return out;
    }
};

bool object_contains(const void* object, usize size, const u8* needle, usize needle_size) {
    const u8* bytes = static_cast<const u8*>(object);
    for (usize i = 0; i + needle_size <= size; ++i)
        if (std::memcmp(bytes + i, needle, needle_size) == 0) return true;
    return false;
}

}  // namespace

// ---------------------------------------------------------------- pool

TEST(EntropyPool, RegistersNamedSources) {
    EntropyPool pool;
    auto a = pool.register_source("getrandom");
    auto b = pool.register_source("jitter");
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    EXPECT_NE(u8(a.value()), u8(b.value()));
    EXPECT_EQ(pool.register_source("jitter").error(), Error::InvalidArgument);
    EXPECT_EQ(pool.register_source("").error(), Error::InvalidArgument);
    ASSERT_EQ(pool.source_count(), 2u);
    EXPECT_TRUE(pool.source(0).name == StringView("getrandom"));
    EXPECT_TRUE(pool.source(1).name == StringView("jitter"));

    static const char* const kNames[] = {"s2", "s3", "s4", "s5", "s6", "s7"};
    for (const char* name : kNames) EXPECT_TRUE(pool.register_source(name).ok());
    EXPECT_EQ(pool.source_count(), EntropyPool::kMaxSources);
    EXPECT_EQ(pool.register_source("one-too-many").error(), Error::NoMemory);
}

TEST(EntropyPool, CreditsConservativelyAndCountsPerSource) {
    EntropyPool pool;
    auto hw = MUST(pool.register_source("virtio-rng"));
    auto jitter = MUST(pool.register_source("jitter"));

    // A claim above 8 bits per byte is cut to the size of the sample.
    pool.add(hw, view(filled(4, 1)), 1000);
    EXPECT_EQ(pool.credited_bits(), 32u);
    // Zero-credit input is mixed but not counted.
    pool.add(jitter, view(filled(16, 2)), 0);
    EXPECT_EQ(pool.credited_bits(), 32u);
    pool.add(jitter, view(filled(8, 3)), 3);
    EXPECT_EQ(pool.credited_bits(), 35u);
    // The count saturates at the pool size.
    pool.add(hw, view(filled(64, 4)), 512);
    EXPECT_EQ(pool.credited_bits(), EntropyPool::kPoolBits);

    const auto& h = pool.source(0);
    EXPECT_EQ(h.samples, 2u);
    EXPECT_EQ(h.bytes, 68u);
    EXPECT_EQ(h.bits_claimed, 1512u);
    EXPECT_EQ(h.bits_credited, 32u + (256u - 35u));
    const auto& j = pool.source(1);
    EXPECT_EQ(j.samples, 2u);
    EXPECT_EQ(j.bytes, 24u);
    EXPECT_EQ(j.bits_claimed, 3u);
    EXPECT_EQ(j.bits_credited, 3u);
}

TEST(EntropyPool, ExtractConsumesTheCredit) {
    EntropyPool pool;
    auto s = MUST(pool.register_source("s"));
    pool.add(s, view(filled(32, 9)), 100);
    u8 seed[32];
    EXPECT_EQ(pool.extract(seed), 100u);
    EXPECT_EQ(pool.credited_bits(), 0u);
    EXPECT_EQ(pool.extract(seed), 0u);
    EXPECT_EQ(pool.extractions(), 2u);
}

TEST(EntropyPool, SeedIsDeterministicInItsInput) {
    EntropyPool a, b, c;
    auto sa = MUST(a.register_source("s"));
    auto sb = MUST(b.register_source("s"));
    auto sc = MUST(c.register_source("s"));
    a.add(sa, view(filled(20, 7)), 10);
    b.add(sb, view(filled(20, 7)), 10);
    c.add(sc, view(filled(20, 8)), 10);
    auto seed_a = extract(a);
    EXPECT_EQ(seed_a, extract(b));
    EXPECT_NE(seed_a, extract(c));
    // Every extraction rekeys the pool: with no new input the next seed
    // still differs from the last.
    EXPECT_NE(extract(a), seed_a);
}

// Samples are framed, so moving a byte from one sample to the next, or the
// same bytes from another source, gives another seed.
TEST(EntropyPool, SamplesAreFramed) {
    auto seed_of = [](std::initializer_list<std::pair<int, std::vector<u8>>> samples) {
        EntropyPool pool;
        EntropySourceId ids[2] = {MUST(pool.register_source("x")), MUST(pool.register_source("y"))};
        for (const auto& [source, data] : samples) pool.add(ids[source], view(data), 0);
        return extract(pool);
    };
    auto ab_c = seed_of({{0, {'a', 'b'}}, {0, {'c'}}});
    auto a_bc = seed_of({{0, {'a'}}, {0, {'b', 'c'}}});
    auto abc = seed_of({{0, {'a', 'b', 'c'}}});
    auto abc_other_source = seed_of({{1, {'a', 'b', 'c'}}});
    EXPECT_NE(ab_c, a_bc);
    EXPECT_NE(ab_c, abc);
    EXPECT_NE(abc, abc_other_source);
}

TEST(EntropyPoolDeathTest, UnregisteredSourceIsABug) {
    EXPECT_DEATH(
        {
            EntropyPool pool;
            pool.add(EntropySourceId(3), ReadonlyBytes(), 0);
        },
        "VERIFY failed");
}

// ---------------------------------------------------------------- generator

TEST(Csprng, RefusesUntilSeeded) {
    EntropyPool pool;
    auto s = MUST(pool.register_source("s"));
    Csprng rng(pool);
    EXPECT_FALSE(rng.seeded());

    u8 out[16];
    std::memset(out, 0xcc, sizeof out);
    pool.add(s, view(filled(64, 1)), 255);
    auto r = rng.generate(out);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Error::WouldBlock);
    for (u8 b : out) EXPECT_EQ(b, 0xcc);
    EXPECT_EQ(rng.refused(), 1u);

    // An explicit reseed before the first full seed is refused too, and the
    // partial credit stays in the pool.
    EXPECT_EQ(rng.reseed().error(), Error::WouldBlock);
    EXPECT_EQ(pool.credited_bits(), 255u);
    EXPECT_EQ(rng.reseeds(), 0u);

    // The 256th bit seeds the generator at once, from inside add().
    pool.add(s, view(filled(1, 2)), 1);
    EXPECT_TRUE(rng.seeded());
    EXPECT_EQ(rng.reseeds(), 1u);
    EXPECT_EQ(pool.credited_bits(), 0u);
    EXPECT_TRUE(rng.generate(out).ok());
    EXPECT_EQ(rng.bytes_generated(), 16u);
}

// Credit is not summed over small extractions (iterative guessing): only one
// extraction of a full 256 bits seeds.
TEST(Csprng, SmallExtractionsDoNotAddUpToASeed) {
    EntropyPool pool;
    auto s = MUST(pool.register_source("s"));
    u8 scratch[32];
    for (int i = 0; i < 4; ++i) {
        pool.add(s, view(filled(16, u8(i))), 128);
        (void)pool.extract(scratch);  // someone else drained it
    }
    Csprng rng(pool);
    EXPECT_FALSE(rng.seeded());
}

TEST(Csprng, SeedsAtConstructionFromAFullPool) {
    EntropyPool pool;
    auto s = MUST(pool.register_source("s"));
    pool.add(s, view(filled(32, 5)), 256);
    Csprng rng(pool);
    EXPECT_TRUE(rng.seeded());
}

TEST(Csprng, DeterministicForAFixedSeedAcrossBlockAndStepBoundaries) {
    Rig rig;
    rig.add(filled(48, 0x42), 256);
    ASSERT_TRUE(rig.rng.seeded());
    const usize sizes[] = {1, 31, 32, 33, 63, 64, 65, 100, 4064, 4065, 4096, 8200, 100000, 0, 7};
    for (usize size : sizes) EXPECT_EQ(rig.generate(size), rig.model.generate(size)) << "request of " << size;
}

TEST(Csprng, FirstOutputIsChaCha20UnderTheDerivedKey) {
    // Spelled out once without the model: key = BLAKE2s(key = 32 zero
    // bytes, data = seed), output = keystream bytes 32.. under that key.
    EntropyPool pool, shadow;
    auto s = MUST(pool.register_source("s"));
    auto t = MUST(shadow.register_source("s"));
    pool.add(s, view(filled(32, 0x11)), 256);
    shadow.add(t, view(filled(32, 0x11)), 256);
    Csprng rng(pool);

    auto seed = extract(shadow);
    u8 zero_key[32] = {};
    ChaCha20Key key;
    ASSERT_TRUE(Blake2s::hash(view(seed), key.bytes, zero_key).ok());
    std::vector<u8> stream(32 + 200);
    ASSERT_TRUE(chacha20_keystream(key, 0, ChaCha20Nonce {}, Bytes(stream.data(), stream.size())).ok());

    std::vector<u8> out(200);
    ASSERT_TRUE(rng.generate(Bytes(out.data(), out.size())).ok());
    EXPECT_EQ(out, std::vector<u8>(stream.begin() + 32, stream.end()));
}

TEST(Csprng, SameSeedSameRequestsAgreeDifferentSeedsDiffer) {
    Rig a, b, c;
    a.add(filled(32, 1), 256);
    b.add(filled(32, 1), 256);
    c.add(filled(32, 2), 256);
    for (usize size : {16, 5000, 64}) {
        auto out_a = a.generate(size);
        EXPECT_EQ(out_a, b.generate(size));
        EXPECT_NE(out_a, c.generate(size));
    }
}

// Fast key erasure: the key that produced an output is overwritten before
// generate() returns; the generator object no longer holds it anywhere.
TEST(Csprng, KeyIsErasedByEveryRequest) {
    Rig rig;
    rig.add(filled(32, 3), 256);
    u8 old_key[32];
    std::memcpy(old_key, rig.model.key(), 32);
    ASSERT_TRUE(object_contains(&rig.rng, sizeof rig.rng, old_key, 32)) << "the model does not track the key";

    auto first = rig.generate(10);
    EXPECT_EQ(first, rig.model.generate(10));
    EXPECT_FALSE(object_contains(&rig.rng, sizeof rig.rng, old_key, 32));
    EXPECT_TRUE(object_contains(&rig.rng, sizeof rig.rng, rig.model.key(), 32));

    // The same request again gives other bytes: the state moved on.
    EXPECT_NE(rig.generate(10), first);
}

// Requests are not slices of one stream: each one ends with a new key, so
// 2 x 32 bytes differ from the two halves of one 64-byte request.
TEST(Csprng, RequestBoundariesRekey) {
    Rig a, b;
    a.add(filled(32, 4), 256);
    b.add(filled(32, 4), 256);
    auto whole = a.generate(64);
    auto first = b.generate(32);
    auto second = b.generate(32);
    EXPECT_EQ(first, std::vector<u8>(whole.begin(), whole.begin() + 32));
    EXPECT_NE(second, std::vector<u8>(whole.begin() + 32, whole.end()));
}

TEST(Csprng, ReseedOnDemandChangesTheStream) {
    Rig a, b;
    a.add(filled(32, 6), 256);
    b.add(filled(32, 6), 256);
    auto first = a.generate(40);
    EXPECT_EQ(first, a.model.generate(40));
    EXPECT_EQ(first, b.generate(40));
    (void)b.model.generate(40);

    ASSERT_TRUE(a.rng.reseed().ok());
    a.model.reseed();
    EXPECT_EQ(a.rng.reseeds(), 2u);
    auto after = a.generate(40);
    EXPECT_EQ(after, a.model.generate(40));
    EXPECT_NE(after, b.generate(40));
}

TEST(Csprng, ReseedsWhenThePoolRefills) {
    Rig rig;
    rig.add(filled(32, 7), 256);
    EXPECT_EQ(rig.generate(100), rig.model.generate(100));

    // Less than a full pool: no reseed yet.
    rig.add(filled(16, 8), 128);
    EXPECT_EQ(rig.generate(100), rig.model.generate(100));
    EXPECT_EQ(rig.rng.reseeds(), 1u);

    // Full again: the next request reseeds first.
    rig.add(filled(16, 9), 128);
    EXPECT_EQ(rig.generate(100), rig.model.generate(100));
    EXPECT_EQ(rig.rng.reseeds(), 2u);
    EXPECT_EQ(rig.pool.credited_bits(), 0u);
}

TEST(Csprng, ReseedsAfterAnIntervalOfOutput) {
    Rig rig;
    rig.add(filled(32, 10), 256);
    // Mix in uncredited input so the volume reseed draws a seed that the
    // previous one did not predict.
    rig.add(filled(8, 11), 0);
    const usize request = 100000;
    u64 total = 0;
    while (total <= Csprng::kReseedIntervalBytes + request) {
        ASSERT_EQ(rig.generate(request), rig.model.generate(request)) << "after " << total << " bytes";
        total += request;
    }
    EXPECT_EQ(rig.rng.reseeds(), 2u);
    EXPECT_EQ(rig.rng.bytes_generated(), total);
}

TEST(Csprng, OneMegabyteLooksUniform) {
    Rig rig;
    rig.add(filled(32, 12), 256);
    const usize size = usize(1) << 20;
    auto data = rig.generate(size);

    u64 histogram[256] = {};
    u64 ones = 0;
    for (u8 b : data) {
        ++histogram[b];
        ones += __builtin_popcount(b);
    }
    // Each value is expected 4096 times (standard deviation ~64).
    const double expected = double(size) / 256;
    double chi_square = 0;
    for (u64 count : histogram) {
        EXPECT_GT(count, 3600u);
        EXPECT_LT(count, 4600u);
        chi_square += (double(count) - expected) * (double(count) - expected) / expected;
    }
    // 255 degrees of freedom: mean 255, standard deviation ~22.6.
    EXPECT_LT(chi_square, 400.0);
    EXPECT_GT(chi_square, 150.0);
    // Half of all bits set, within 0.2% (~8 standard deviations).
    const double bits = double(size) * 8;
    EXPECT_LT(std::fabs(double(ones) - bits / 2), bits * 0.002);
}

TEST(Csprng, UniformStaysInRangeWithoutBias) {
    Rig rig;
    rig.add(filled(32, 13), 256);
    EXPECT_EQ(rig.rng.uniform(0).error(), Error::InvalidArgument);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(MUST(rig.rng.uniform(1)), 0u);

    u64 counts[6] = {};
    const int draws = 30000;
    for (int i = 0; i < draws; ++i) {
        u64 v = MUST(rig.rng.uniform(6));
        ASSERT_LT(v, 6u);
        ++counts[v];
    }
    for (u64 c : counts) {
        EXPECT_GT(c, 4600u);
        EXPECT_LT(c, 5400u);
    }

    // A bound just above 2^63 rejects almost half of all draws; results
    // still fall in range, and both halves of the range occur.
    const u64 big = (u64(1) << 63) + 1;
    bool low = false, high = false;
    for (int i = 0; i < 200; ++i) {
        u64 v = MUST(rig.rng.uniform(big));
        ASSERT_LT(v, big);
        (v < big / 2 ? low : high) = true;
    }
    EXPECT_TRUE(low && high);
}

TEST(Csprng, NextU64RefusesUntilSeeded) {
    EntropyPool pool;
    Csprng rng(pool);
    EXPECT_EQ(rng.next_u64().error(), Error::WouldBlock);
    EXPECT_EQ(rng.uniform(10).error(), Error::WouldBlock);
}

namespace {

struct WaitProbe {
    Csprng* rng = nullptr;
    int calls = 0;
    bool generate_worked = false;
};

void on_seeded(SeedWaiter& waiter) {
    auto& probe = *static_cast<WaitProbe*>(waiter.context());
    ++probe.calls;
    u8 out[8];
    probe.generate_worked = probe.rng->generate(out).ok();
}

}  // namespace

TEST(Csprng, WaitersRunOnceWhenSeeded) {
    EntropyPool pool;
    auto s = MUST(pool.register_source("s"));
    Csprng rng(pool);

    WaitProbe first {&rng}, second {&rng}, cancelled {&rng};
    SeedWaiter w1(on_seeded, &first), w2(on_seeded, &second), w3(on_seeded, &cancelled);
    EXPECT_TRUE(rng.wait_until_seeded(w1));
    EXPECT_TRUE(rng.wait_until_seeded(w2));
    EXPECT_TRUE(rng.wait_until_seeded(w3));
    rng.cancel_wait(w3);
    EXPECT_FALSE(w3.waiting());

    pool.add(s, view(filled(32, 1)), 200);
    EXPECT_EQ(first.calls, 0);
    pool.add(s, view(filled(32, 2)), 200);
    EXPECT_EQ(first.calls, 1);
    EXPECT_EQ(second.calls, 1);
    EXPECT_EQ(cancelled.calls, 0);
    EXPECT_TRUE(first.generate_worked);
    EXPECT_FALSE(w1.waiting());

    // More credit does not call anyone again; a late waiter is told to go
    // ahead without a callback.
    pool.add(s, view(filled(32, 3)), 256);
    EXPECT_EQ(first.calls, 1);
    WaitProbe late {&rng};
    SeedWaiter w4(on_seeded, &late);
    EXPECT_FALSE(rng.wait_until_seeded(w4));
    EXPECT_EQ(late.calls, 0);
}

TEST(Csprng, KernelInstancesAreWired) {
    // The kernel's generator draws from the kernel's pool; whatever other
    // tests did to it, it is either seeded or refuses.
    Csprng& rng = kernel_csprng();
    EXPECT_EQ(&rng, &kernel_csprng());
    u8 out[4];
    auto r = rng.generate(out);
    EXPECT_TRUE(r.ok() || r.error() == Error::WouldBlock);
    EXPECT_EQ(r.ok(), rng.seeded());
}
