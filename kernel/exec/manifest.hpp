// Manifest: the decoded etc/manifest of a signed initramfs, the list of
// files the build vouches for (tools/sign_manifest.py writes it; the format
// is described there). Text, so that `cat /etc/manifest` explains itself:
//
//     mote-manifest 1
//     file <SHA-512 in 128 lowercase hex digits> <size> <path>
//     ...
//     signature ed25519 <64-byte signature in 128 lowercase hex digits>
//
// decode() checks the form only: every line, paths clean and strictly
// sorted (so no duplicates, and one tree has one manifest), the signature
// line last and nothing after it. Whether the signature is good is
// ProgramTrust's business (program_trust.hpp). The decoded manifest points
// into the text, which the caller keeps alive; it allocates nothing.
//
//     ManifestFault fault;
//     auto manifest = Manifest::decode(text, &fault);   // Malformed + fault
//     manifest.value().for_each([](const ManifestEntry& e) { ... });
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/sha512.hpp"

namespace mote {

enum class ManifestFault : u8 {
    None,          // valid
    TooLarge,      // more than Manifest::kMaxBytes (about 7,000 files)
    BadHeader,     // the first line is not "mote-manifest 1"
    Unterminated,  // the text does not end with a newline
    BadLine,       // a line that is neither "file ..." nor the final "signature ..."
    BadDigest,     // a digest that is not 128 lowercase hex digits
    BadSize,       // a size that is not a decimal number without leading zeros
    BadPath,       // empty, absolute, an empty, "." or ".." component, a control byte, too long
    NotSorted,     // a path not strictly after the one before (unsorted or a duplicate)
    NoSignature,   // the text ends without a signature line
    BadSignature,  // the signature line's signature is not 128 lowercase hex digits
    AfterSignature,  // bytes after the signature line
};

inline constexpr usize kManifestFaultCount = 12;
static_assert(usize(ManifestFault::AfterSignature) + 1 == kManifestFaultCount,
              "update kManifestFaultCount and manifest_fault_name");
const char* manifest_fault_name(ManifestFault fault);

struct ManifestEntry {
    StringView path;  // relative to the initramfs root, e.g. "bin/sh"
    u64 size = 0;
    u8 digest[Sha512::kDigestSize] {};
};

class Manifest {
public:
    static constexpr usize kMaxBytes = 1 << 20;
    static constexpr usize kMaxPath = 1024;

    // Malformed, with the reason in *fault (when given) and the 1-based
    // line in *line.
    static Result<Manifest> decode(ReadonlyBytes text, ManifestFault* fault = nullptr, usize* line = nullptr);

    // The bytes the signature covers: everything before its line.
    ReadonlyBytes signed_part() const { return m_signed; }
    const Ed25519Signature& signature() const { return m_signature; }
    usize count() const { return m_count; }

    // Each entry in order (sorted by path).
    template <typename Fn>
    void for_each(Fn&& fn) const {
        usize at = m_first_entry;
        ManifestEntry entry;
        for (usize i = 0; i < m_count; ++i) {
            at = parse_entry(at, entry);
            fn(static_cast<const ManifestEntry&>(entry));
        }
    }

private:
    Manifest() = default;
    // The entry whose line starts at `at` (already validated by decode);
    // returns where the next line starts.
    usize parse_entry(usize at, ManifestEntry& entry) const;

    ReadonlyBytes m_signed;
    Ed25519Signature m_signature {};
    usize m_first_entry = 0;
    usize m_count = 0;
};

}  // namespace mote
