#include "crypto/ed25519.hpp"

#include "base/memory.hpp"
#include "crypto/sha512.hpp"

namespace mote {

namespace {

using u128 = unsigned __int128;

// ---------------------------------------------------------------------------
// The field GF(p), p = 2^255 - 19.
//
// An element is five 51-bit limbs, value = sum limb[i] * 2^(51 i). Every
// operation returns limbs below 2^52 and accepts such limbs: products of two
// limbs stay below 2^104, and a sum of five of them times 19 below 2^112,
// well inside 128 bits. 2^255 = 19 (mod p) folds the top limb's carry, and
// the products past limb 4, back into the bottom.

constexpr u64 kMask51 = (u64(1) << 51) - 1;

struct Fe {
    u64 v[5];
};

constexpr Fe kZero {{0, 0, 0, 0, 0}};
constexpr Fe kOne {{1, 0, 0, 0, 0}};
// d = -121665 / 121666, 2d, and sqrt(-1) = 2^((p-1)/4), in limbs (computed
// from their definitions; the RFC 8032 vectors in ed25519_test.cpp fail
// if any limb is wrong).
constexpr Fe kD {{0x34dca135978a3, 0x1a8283b156ebd, 0x5e7a26001c029, 0x739c663a03cbb, 0x52036cee2b6ff}};
constexpr Fe kD2 {{0x69b9426b2f159, 0x35050762add7a, 0x3cf44c0038052, 0x6738cc7407977, 0x2406d9dc56dff}};
constexpr Fe kSqrtMinusOne {{0x61b274a0ea0b0, 0xd5a5fc8f189d, 0x7ef5e9cbd0c60, 0x78595a6804c9e, 0x2b8324804fc1d}};

// One carry pass: limbs 0..3 below 2^51, limb 4's excess folded into limb 0.
Fe carry(Fe a) {
    for (int i = 0; i < 4; ++i) {
        a.v[i + 1] += a.v[i] >> 51;
        a.v[i] &= kMask51;
    }
    a.v[0] += 19 * (a.v[4] >> 51);
    a.v[4] &= kMask51;
    a.v[1] += a.v[0] >> 51;
    a.v[0] &= kMask51;
    return a;
}

Fe fe_add(const Fe& a, const Fe& b) {
    Fe r;
    for (int i = 0; i < 5; ++i) r.v[i] = a.v[i] + b.v[i];
    return carry(r);
}

// a - b as a + 2p - b: 2p's limbs (2^52 - 38, 2^52 - 2, ...) exceed any
// limb b can have, so no limb goes negative.
Fe fe_sub(const Fe& a, const Fe& b) {
    Fe r;
    r.v[0] = a.v[0] + ((u64(1) << 52) - 38) - b.v[0];
    for (int i = 1; i < 5; ++i) r.v[i] = a.v[i] + ((u64(1) << 52) - 2) - b.v[i];
    return carry(r);
}

Fe fe_neg(const Fe& a) { return fe_sub(kZero, a); }

Fe fe_mul(const Fe& a, const Fe& b) {
    const u64 b1 = 19 * b.v[1], b2 = 19 * b.v[2], b3 = 19 * b.v[3], b4 = 19 * b.v[4];
    u128 t[5];
    t[0] = u128(a.v[0]) * b.v[0] + u128(a.v[1]) * b4 + u128(a.v[2]) * b3 + u128(a.v[3]) * b2 + u128(a.v[4]) * b1;
    t[1] = u128(a.v[0]) * b.v[1] + u128(a.v[1]) * b.v[0] + u128(a.v[2]) * b4 + u128(a.v[3]) * b3 + u128(a.v[4]) * b2;
    t[2] = u128(a.v[0]) * b.v[2] + u128(a.v[1]) * b.v[1] + u128(a.v[2]) * b.v[0] + u128(a.v[3]) * b4 + u128(a.v[4]) * b3;
    t[3] = u128(a.v[0]) * b.v[3] + u128(a.v[1]) * b.v[2] + u128(a.v[2]) * b.v[1] + u128(a.v[3]) * b.v[0] +
           u128(a.v[4]) * b4;
    t[4] = u128(a.v[0]) * b.v[4] + u128(a.v[1]) * b.v[3] + u128(a.v[2]) * b.v[2] + u128(a.v[3]) * b.v[1] +
           u128(a.v[4]) * b.v[0];
    Fe r;
    for (int i = 0; i < 4; ++i) {
        t[i + 1] += t[i] >> 51;
        r.v[i] = u64(t[i]) & kMask51;
    }
    r.v[4] = u64(t[4]) & kMask51;
    // t[4] >> 51 < 2^61, times 19 fits 64 bits.
    r.v[0] += 19 * u64(t[4] >> 51);
    r.v[1] += r.v[0] >> 51;
    r.v[0] &= kMask51;
    return r;
}

Fe fe_square(const Fe& a) { return fe_mul(a, a); }

// a^e for a public exponent e, 32 little-endian bytes.
Fe fe_pow(const Fe& a, const u8 (&e)[32]) {
    Fe r = kOne;
    for (int bit = 255; bit >= 0; --bit) {
        r = fe_square(r);
        if ((e[bit / 8] >> (bit % 8)) & 1) r = fe_mul(r, a);
    }
    return r;
}

// 1/a as a^(p-2) (Fermat); 0 maps to 0.
Fe fe_invert(const Fe& a) {
    u8 e[32];
    mem_set(e, 0xff, sizeof(e));
    e[0] = 0xeb;  // p - 2 = 2^255 - 21
    e[31] = 0x7f;
    return fe_pow(a, e);
}

// a^((p-5)/8) = a^(2^252 - 3), the heart of the square root (section 5.1.3).
Fe fe_pow_p58(const Fe& a) {
    u8 e[32];
    mem_set(e, 0xff, sizeof(e));
    e[0] = 0xfd;
    e[31] = 0x0f;
    return fe_pow(a, e);
}

u64 load64_le(const u8* p) {
    u64 v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
    return v;
}

// The low 255 bits of 32 little-endian bytes (bit 255 is ignored: it is
// the sign of x in a point encoding). The value may be p..2^255-1; callers
// that need canonical input re-encode and compare.
Fe fe_from_bytes(const u8* s) {
    Fe r;
    r.v[0] = load64_le(s) & kMask51;
    r.v[1] = (load64_le(s + 6) >> 3) & kMask51;
    r.v[2] = (load64_le(s + 12) >> 6) & kMask51;
    r.v[3] = (load64_le(s + 19) >> 1) & kMask51;
    r.v[4] = (load64_le(s + 24) >> 12) & kMask51;
    return r;
}

// The canonical encoding, the value fully reduced below p.
void fe_to_bytes(u8* out, const Fe& a) {
    // Two passes leave every limb below 2^51, so the value is below 2^255
    // < 2p: at most one p to subtract.
    Fe h = carry(carry(a));
    // h >= p exactly when h + 19 carries out of bit 255; h + 19 - 2^255 is
    // then h - p.
    Fe t;
    u64 c = 19;
    for (int i = 0; i < 5; ++i) {
        t.v[i] = h.v[i] + c;
        c = t.v[i] >> 51;
        t.v[i] &= kMask51;
    }
    const u64 take = u64(0) - c;  // all ones when h >= p
    for (int i = 0; i < 5; ++i) h.v[i] = (t.v[i] & take) | (h.v[i] & ~take);
    u8 bytes[32] = {};
    // Pack 255 bits: limb i starts at bit 51 i.
    for (int bit = 0, limb = 0; limb < 5; ++limb) {
        u64 value = h.v[limb];
        for (int j = 0; j < 51; ++j, ++bit, value >>= 1) bytes[bit / 8] |= u8((value & 1) << (bit % 8));
    }
    mem_copy(out, bytes, 32);
}

bool fe_is_zero(const Fe& a) {
    u8 s[32];
    fe_to_bytes(s, a);
    u8 any = 0;
    for (u8 b : s) any |= b;
    return any == 0;
}

bool fe_equal(const Fe& a, const Fe& b) { return fe_is_zero(fe_sub(a, b)); }

bool fe_is_odd(const Fe& a) {
    u8 s[32];
    fe_to_bytes(s, a);
    return s[0] & 1;
}

// r = b when `flag`, else r unchanged, without a branch on flag.
void fe_select(Fe& r, const Fe& b, u64 flag) {
    const u64 mask = u64(0) - flag;
    for (int i = 0; i < 5; ++i) r.v[i] ^= (r.v[i] ^ b.v[i]) & mask;
}

// ---------------------------------------------------------------------------
// Points in extended coordinates (section 5.1.4): x = X/Z, y = Y/Z,
// x y = T/Z. The addition law below is complete on this curve (d is not a
// square), so it also doubles and adds the identity: one formula for all.

struct Point {
    Fe x, y, z, t;
};

constexpr Point kIdentity {kZero, kOne, kOne, kZero};

Point point_add(const Point& p, const Point& q) {
    const Fe a = fe_mul(fe_sub(p.y, p.x), fe_sub(q.y, q.x));
    const Fe b = fe_mul(fe_add(p.y, p.x), fe_add(q.y, q.x));
    const Fe c = fe_mul(fe_mul(p.t, kD2), q.t);
    const Fe d = fe_mul(fe_add(p.z, p.z), q.z);
    const Fe e = fe_sub(b, a);
    const Fe f = fe_sub(d, c);
    const Fe g = fe_add(d, c);
    const Fe h = fe_add(b, a);
    return {fe_mul(e, f), fe_mul(g, h), fe_mul(f, g), fe_mul(e, h)};
}

// 2p, cheaper than point_add(p, p): four squarings and four products
// (section 5.1.4's doubling for a = -1).
Point point_double(const Point& p) {
    const Fe a = fe_square(p.x);
    const Fe b = fe_square(p.y);
    const Fe z2 = fe_square(p.z);
    const Fe c = fe_add(z2, z2);
    const Fe h = fe_add(a, b);
    const Fe e = fe_sub(h, fe_square(fe_add(p.x, p.y)));
    const Fe g = fe_sub(a, b);
    const Fe f = fe_add(c, g);
    return {fe_mul(e, f), fe_mul(g, h), fe_mul(f, g), fe_mul(e, h)};
}

Point point_negate(const Point& p) { return {fe_neg(p.x), p.y, p.z, fe_neg(p.t)}; }

int scalar_bit(const u8* scalar, int bit) { return (scalar[bit / 8] >> (bit % 8)) & 1; }

// [scalar] p, scalar 32 little-endian bytes. Every bit costs one doubling
// and one addition, the sum kept or dropped by a mask, so the time does
// not depend on the scalar (signing's secret nonce and key).
Point point_multiply(const Point& p, const u8* scalar) {
    Point r = kIdentity;
    for (int bit = 255; bit >= 0; --bit) {
        r = point_double(r);
        const Point sum = point_add(r, p);
        const u64 flag = u64(scalar_bit(scalar, bit));
        fe_select(r.x, sum.x, flag);
        fe_select(r.y, sum.y, flag);
        fe_select(r.z, sum.z, flag);
        fe_select(r.t, sum.t, flag);
    }
    return r;
}

// [a]p + [b]q in one chain of doublings (Straus): about half the work of
// two multiplications. Variable time: for verification, whose scalars and
// points are all public.
Point point_multiply_twice_public(const u8* a, const Point& p, const u8* b, const Point& q) {
    const Point both = point_add(p, q);
    Point r = kIdentity;
    for (int bit = 255; bit >= 0; --bit) {
        r = point_double(r);
        const int which = scalar_bit(a, bit) | scalar_bit(b, bit) << 1;
        if (which == 1) r = point_add(r, p);
        else if (which == 2) r = point_add(r, q);
        else if (which == 3) r = point_add(r, both);
    }
    return r;
}

void point_encode(u8* out, const Point& p) {
    const Fe zi = fe_invert(p.z);
    const Fe x = fe_mul(p.x, zi);
    const Fe y = fe_mul(p.y, zi);
    fe_to_bytes(out, y);
    out[31] |= u8(fe_is_odd(x) << 7);
}

// Section 5.1.3. Malformed for y >= p, for a y with no x on the curve, and
// for x = 0 with the sign bit set (the only other non-canonical encoding).
Result<Point> point_decode(const u8* s) {
    const Fe y = fe_from_bytes(s);
    const u8 sign = s[31] >> 7;
    u8 check[32];
    fe_to_bytes(check, y);
    check[31] |= u8(sign << 7);
    if (mem_compare(check, s, 32) != 0) return Error::Malformed;  // y was not below p
    const Fe y2 = fe_square(y);
    const Fe u = fe_sub(y2, kOne);            // y^2 - 1
    const Fe v = fe_add(fe_mul(kD, y2), kOne);  // d y^2 + 1
    // x = u v^3 (u v^7)^((p-5)/8), a square root of u/v if there is one.
    const Fe v3 = fe_mul(fe_square(v), v);
    const Fe v7 = fe_mul(fe_square(v3), v);
    Fe x = fe_mul(fe_mul(u, v3), fe_pow_p58(fe_mul(u, v7)));
    const Fe vx2 = fe_mul(v, fe_square(x));
    if (!fe_equal(vx2, u)) {
        if (!fe_equal(vx2, fe_neg(u))) return Error::Malformed;  // u/v is not a square
        x = fe_mul(x, kSqrtMinusOne);
    }
    if (fe_is_zero(x) && sign) return Error::Malformed;
    if (u8(fe_is_odd(x)) != sign) x = fe_neg(x);
    return Point {x, y, kOne, fe_mul(x, y)};
}

// The base point B: y = 4/5 and x even, encoded 0x58 then 31 bytes of 0x66.
Point base_point() {
    u8 encoded[32];
    mem_set(encoded, 0x66, sizeof(encoded));
    encoded[0] = 0x58;
    return MUST(point_decode(encoded));
}

// ---------------------------------------------------------------------------
// Scalars modulo the group order L = 2^252 + 27742317777372353535851937790883648493,
// as four little-endian 64-bit words.

constexpr u64 kL[4] = {0x5812631a5cf5d3ed, 0x14def9dea2f79cd6, 0, 0x1000000000000000};

// r - L into r when r >= L, with no branch on the value.
void subtract_l_if_above(u64 (&r)[4]) {
    u64 t[4];
    u64 borrow = 0;
    for (int i = 0; i < 4; ++i) {
        const u128 d = u128(r[i]) - kL[i] - borrow;
        t[i] = u64(d);
        borrow = u64(d >> 64) & 1;
    }
    const u64 keep_t = borrow - 1;  // all ones when there was no borrow: r >= L
    for (int i = 0; i < 4; ++i) r[i] = (t[i] & keep_t) | (r[i] & ~keep_t);
}

// `words` (little-endian 64-bit, `count` of them) mod L into 32 bytes. Long
// division one bit at a time, most significant first: the remainder stays
// below 2L < 2^254, so doubling it never leaves four words.
void reduce_mod_l(const u64* words, int count, u8* out) {
    u64 r[4] = {0, 0, 0, 0};
    for (int bit = count * 64 - 1; bit >= 0; --bit) {
        r[3] = r[3] << 1 | r[2] >> 63;
        r[2] = r[2] << 1 | r[1] >> 63;
        r[1] = r[1] << 1 | r[0] >> 63;
        r[0] = r[0] << 1 | ((words[bit / 64] >> (bit % 64)) & 1);
        subtract_l_if_above(r);
    }
    for (int i = 0; i < 32; ++i) out[i] = u8(r[i / 8] >> (8 * (i % 8)));
}

void reduce_digest(const u8 (&digest)[Sha512::kDigestSize], u8* out) {
    u64 words[8];
    for (int i = 0; i < 8; ++i) words[i] = load64_le(digest + 8 * i);
    reduce_mod_l(words, 8, out);
}

// (a b + c) mod L for 32-byte scalars.
void multiply_add_mod_l(const u8* a, const u8* b, const u8* c, u8* out) {
    u64 x[4], y[4], product[8] = {};
    for (int i = 0; i < 4; ++i) {
        x[i] = load64_le(a + 8 * i);
        y[i] = load64_le(b + 8 * i);
    }
    for (int i = 0; i < 4; ++i) {
        u64 carry_word = 0;
        for (int j = 0; j < 4; ++j) {
            const u128 t = u128(x[i]) * y[j] + product[i + j] + carry_word;
            product[i + j] = u64(t);
            carry_word = u64(t >> 64);
        }
        product[i + 4] = carry_word;
    }
    u64 carry_word = 0;
    for (int i = 0; i < 8; ++i) {
        const u128 t = u128(product[i]) + (i < 4 ? load64_le(c + 8 * i) : 0) + carry_word;
        product[i] = u64(t);
        carry_word = u64(t >> 64);
    }
    reduce_mod_l(product, 8, out);
}

bool scalar_below_l(const u8* s) {
    for (int i = 3; i >= 0; --i) {
        const u64 w = load64_le(s + 8 * i);
        if (w != kL[i]) return w < kL[i];
    }
    return false;  // equal to L
}

// The secret scalar a (clamped) and the nonce prefix from a seed (5.1.5).
void expand_seed(const u8 (&seed)[kEd25519SeedSize], u8 (&expanded)[Sha512::kDigestSize]) {
    Sha512::hash(ReadonlyBytes(seed, kEd25519SeedSize), expanded);
    expanded[0] &= 248;
    expanded[31] &= 127;
    expanded[31] |= 64;
}

}  // namespace

Result<void> ed25519_verify(const Ed25519PublicKey& key, ReadonlyBytes message, const Ed25519Signature& signature) {
    const Point a = TRY(point_decode(key.bytes));
    const u8* r_bytes = signature.bytes;
    const u8* s_bytes = signature.bytes + 32;
    if (!scalar_below_l(s_bytes)) return Error::Malformed;
    // R must be a point's canonical encoding too; the comparison below
    // would refuse any other encoding anyway, but as a mismatch.
    TRY(point_decode(r_bytes));

    // k = SHA-512(R || A || M) mod L.
    Sha512 h;
    h.update(ReadonlyBytes(r_bytes, 32));
    h.update(ReadonlyBytes(key.bytes, 32));
    h.update(message);
    u8 digest[Sha512::kDigestSize];
    h.final(digest);
    u8 k[32];
    reduce_digest(digest, k);

    // [S]B - [k]A must encode to R.
    u8 check[32];
    point_encode(check, point_multiply_twice_public(s_bytes, base_point(), k, point_negate(a)));
    if (mem_compare(check, r_bytes, 32) != 0) return Error::AccessDenied;
    return {};
}

Ed25519PublicKey ed25519_public_key(const u8 (&seed)[kEd25519SeedSize]) {
    u8 expanded[Sha512::kDigestSize];
    expand_seed(seed, expanded);
    Ed25519PublicKey key;
    point_encode(key.bytes, point_multiply(base_point(), expanded));
    wipe(expanded, sizeof(expanded));
    return key;
}

Ed25519Signature ed25519_sign(const u8 (&seed)[kEd25519SeedSize], ReadonlyBytes message) {
    u8 expanded[Sha512::kDigestSize];
    expand_seed(seed, expanded);
    Ed25519PublicKey key;
    point_encode(key.bytes, point_multiply(base_point(), expanded));

    // r = SHA-512(prefix || M) mod L; R = [r]B.
    u8 digest[Sha512::kDigestSize];
    Sha512 h;
    h.update(ReadonlyBytes(expanded + 32, 32));
    h.update(message);
    h.final(digest);
    u8 r[32];
    reduce_digest(digest, r);
    Ed25519Signature signature;
    point_encode(signature.bytes, point_multiply(base_point(), r));

    // k = SHA-512(R || A || M) mod L; S = (r + k a) mod L.
    h.update(ReadonlyBytes(signature.bytes, 32));
    h.update(ReadonlyBytes(key.bytes, 32));
    h.update(message);
    h.final(digest);
    u8 k[32];
    reduce_digest(digest, k);
    multiply_add_mod_l(k, expanded, r, signature.bytes + 32);
    wipe(expanded, sizeof(expanded));
    wipe(r, sizeof(r));
    wipe(digest, sizeof(digest));
    return signature;
}

}  // namespace mote
