// ProgramTrust: which programs may run. The build lists every file of the
// initramfs with its SHA-512 in etc/manifest and signs the list with
// Ed25519 (tools/sign_manifest.py); the kernel holds the public key
// (kSigningPublicKey, generated/exec/signing_key.hpp). At boot, load()
// checks the manifest's signature and binds each entry to the initramfs
// node it names; before spawn maps a program, check() compares the
// program's bytes with its entry. A program that is not in the manifest
// (added to the archive later, or on another filesystem: a disk, tmp/) or
// whose bytes differ (tampered) is refused, and so is every program when
// the manifest is missing, malformed or signed by another key.
//
//     ProgramTrust trust(pages, key, /*test_key=*/false);
//     trust.load(initramfs.root());              // logs its verdict
//     TrustFault fault;
//     if (trust.check(*file, image, name, &fault).is_error()) ... Error::Untrusted ...
//
// It is the kernel's ProgramGate: the loader asks admit() before every spawn.
//
// The initramfs is read-only and lives in kernel memory for the whole
// boot, so a file whose digest matched once is not hashed again: the first
// spawn of a program pays for its SHA-512, later ones compare a flag.
#pragma once

#include "base/format.hpp"
#include "crypto/ed25519.hpp"
#include "exec/manifest.hpp"
#include "exec/program_gate.hpp"
#include "fs/fs_node.hpp"
#include "mm/page_allocator.hpp"

namespace mote {

enum class TrustFault : u8 {
    None,            // the program is what the manifest lists
    NoManifest,      // the initramfs has no etc/manifest: nothing is trusted
    BadManifest,     // etc/manifest is malformed (ManifestFault says how)
    WrongKey,        // etc/manifest's signature does not verify with the built-in key
    NotListed,       // the file is not in the manifest (added later, or not in the initramfs)
    SizeDiffers,     // the file's size is not the listed one
    DigestDiffers,   // the file's SHA-512 is not the listed one: it was changed
};
inline constexpr usize kTrustFaultCount = 7;
static_assert(usize(TrustFault::DigestDiffers) + 1 == kTrustFaultCount, "update kTrustFaultCount and trust_fault_name");
const char* trust_fault_name(TrustFault fault);

class ProgramTrust final : public ProgramGate {
public:
    // The path every initramfs keeps its manifest at.
    static constexpr StringView kManifestPath = "etc/manifest";

    ProgramTrust(PageAllocator& pages, const Ed25519PublicKey& key, bool test_key);
    ~ProgramTrust();
    ProgramTrust(const ProgramTrust&) = delete;
    ProgramTrust& operator=(const ProgramTrust&) = delete;

    // Verifies `root`'s etc/manifest and binds its entries to the nodes
    // below `root` (a filesystem that answers from memory: the initramfs).
    // Logs the verdict either way. Ok when the manifest is good; otherwise
    // the fault (NoManifest, BadManifest, WrongKey) is kept and every
    // check() fails with it. NoMemory if the table does not fit.
    Result<void> load(fs::FsNode& root);

    // Ok when `file` (the node spawn found) holds exactly `image`, the
    // bytes the manifest lists for it. Untrusted otherwise, with the reason
    // in *fault and a log line naming `name`; counted either way.
    Result<void> check(fs::FsNode& file, ReadonlyBytes image, StringView name, TrustFault* fault = nullptr);

    // ProgramGate: check(); bytes with no file behind them are NotListed.
    Result<void> admit(fs::FsNode* file, ReadonlyBytes image, StringView name) override;

    struct Stats {
        u64 listed = 0;     // entries bound to a node
        u64 missing = 0;    // entries naming a file the initramfs lacks
        u64 hashed = 0;     // programs hashed (first spawns)
        u64 trusted = 0;    // checks passed
        u64 refused = 0;    // checks failed
    };
    const Stats& stats() const { return m_stats; }
    TrustFault state() const { return m_state; }

    // The key's short name: its first 8 bytes in hex.
    void format_key_id(FormatBuffer& out) const;
    // sys/trust: the key, the manifest's state and the counters.
    void write_report(FormatBuffer& out) const;

private:
    struct Binding {
        fs::FsNode* node;
        u64 size;
        u8 digest[Sha512::kDigestSize];
        bool verified;  // the digest matched once (the bytes cannot change)
    };

    Result<void> refuse_all(TrustFault fault);

    PageAllocator& m_pages;
    Ed25519PublicKey m_key;
    bool m_test_key;
    TrustFault m_state = TrustFault::NoManifest;
    ManifestFault m_manifest_fault = ManifestFault::None;
    Binding* m_bindings = nullptr;
    usize m_binding_count = 0;
    PhysAddr m_table = 0;
    usize m_table_pages = 0;
    Stats m_stats;
};

}  // namespace mote
