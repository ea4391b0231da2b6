// Ed25519 (RFC 8032 section 5.1): signatures over the twisted Edwards
// curve -x^2 + y^2 = 1 + d x^2 y^2 mod 2^255 - 19, with SHA-512.
//
// The kernel only verifies: the initramfs manifest the build signed
// (exec/manifest.hpp) against the public key built into the image.
// Deriving a public key and signing are here for the unit tests, which
// check both against RFC 8032's vectors and against Debian's openssl; the
// kernel image drops them (--gc-sections). The build signs with openssl.
//
//     if (ed25519_verify(public_key, message, signature).is_error()) ... refuse ...
//
// Verification is strict: a public key or R that is not a canonical
// encoding of a curve point, or an S not below the group order L, fails,
// so one message has one valid signature per key (no malleability). The
// check is [S]B == R + [k]A, compared as encodings (cofactorless).
//
// Timing: the field arithmetic and the scalar multiplication signing uses
// do the same work whatever the bits of a secret scalar are, so signing
// leaks no key bits through time; verification handles only public values
// and takes a faster, variable-time path ([S]B - [k]A in one chain).
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "base/types.hpp"

namespace mote {

inline constexpr usize kEd25519SeedSize = 32;       // the secret key
inline constexpr usize kEd25519PublicKeySize = 32;
inline constexpr usize kEd25519SignatureSize = 64;  // R (a point) then S (a scalar)

struct Ed25519PublicKey {
    u8 bytes[kEd25519PublicKeySize];
};

struct Ed25519Signature {
    u8 bytes[kEd25519SignatureSize];
};

// Ok if `signature` is `key`'s signature of `message`. Malformed when the
// key or R is not a point's canonical encoding or S is not below L;
// AccessDenied when everything decodes but the equation does not hold
// (another key, another message, a flipped bit).
Result<void> ed25519_verify(const Ed25519PublicKey& key, ReadonlyBytes message, const Ed25519Signature& signature);

// The public key of the secret `seed` (section 5.1.5).
Ed25519PublicKey ed25519_public_key(const u8 (&seed)[kEd25519SeedSize]);

// The signature of `message` by `seed` (section 5.1.6); deterministic.
Ed25519Signature ed25519_sign(const u8 (&seed)[kEd25519SeedSize], ReadonlyBytes message);

}  // namespace mote
