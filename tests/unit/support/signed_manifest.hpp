// Manifests for the tests, written from the format in
// tools/sign_manifest.py (independently of kernel/exec/manifest.cpp) and
// signed with the kernel's Ed25519 by a seed of the test's choosing.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "crypto/ed25519.hpp"
#include "crypto/sha512.hpp"
#include "hex.hpp"

namespace mote::test {

inline ReadonlyBytes bytes_of(const std::string& s) { return ReadonlyBytes(reinterpret_cast<const u8*>(s.data()), s.size()); }

// The unsigned part: header and one "file" line per (path, contents),
// sorted by path.
inline std::string manifest_body(std::vector<std::pair<std::string, std::string>> files) {
    std::sort(files.begin(), files.end());
    std::string out = "mote-manifest 1\n";
    for (const auto& [path, data] : files) {
        u8 digest[Sha512::kDigestSize];
        Sha512::hash(bytes_of(data), digest);
        out += "file " + hex_of(digest, sizeof(digest)) + " " + std::to_string(data.size()) + " " + path + "\n";
    }
    return out;
}

inline std::string sign_body(const std::string& body, const u8 (&seed)[kEd25519SeedSize]) {
    const Ed25519Signature signature = ed25519_sign(seed, bytes_of(body));
    return body + "signature ed25519 " + hex_of(signature.bytes, sizeof(signature.bytes)) + "\n";
}

// Two keys: the one the tests' kernel trusts, and another.
inline constexpr u8 kTrustedSeed[kEd25519SeedSize] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                                      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
inline constexpr u8 kOtherSeed[kEd25519SeedSize] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
                                                    9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};

}  // namespace mote::test
