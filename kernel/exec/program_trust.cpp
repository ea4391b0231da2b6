#include "exec/program_trust.hpp"

#include "base/checked.hpp"
#include "base/memory.hpp"
#include "core/log.hpp"
#include "fs/walk.hpp"

namespace mote {

const char* trust_fault_name(TrustFault fault) {
    switch (fault) {
    case TrustFault::None: return "None";
    case TrustFault::NoManifest: return "NoManifest";
    case TrustFault::BadManifest: return "BadManifest";
    case TrustFault::WrongKey: return "WrongKey";
    case TrustFault::NotListed: return "NotListed";
    case TrustFault::SizeDiffers: return "SizeDiffers";
    case TrustFault::DigestDiffers: return "DigestDiffers";
    }
    return "?";
}

namespace {

// What a refusal means, for the log line beside the fault's name.
const char* trust_fault_text(TrustFault fault) {
    switch (fault) {
    case TrustFault::None: return "trusted";
    case TrustFault::NoManifest: return "the initramfs has no signed manifest";
    case TrustFault::BadManifest: return "the initramfs's manifest is malformed";
    case TrustFault::WrongKey: return "the initramfs's manifest is not signed by this kernel's key";
    case TrustFault::NotListed: return "not in the signed manifest (added later, or not from the initramfs)";
    case TrustFault::SizeDiffers: return "its size is not the signed manifest's (changed after signing)";
    case TrustFault::DigestDiffers: return "its SHA-512 is not the signed manifest's (changed after signing)";
    }
    return "?";
}

}  // namespace

ProgramTrust::ProgramTrust(PageAllocator& pages, const Ed25519PublicKey& key, bool test_key)
    : m_pages(pages), m_key(key), m_test_key(test_key) {}

ProgramTrust::~ProgramTrust() {
    if (m_table_pages) m_pages.free_pages(m_table, m_table_pages);
}

void ProgramTrust::format_key_id(FormatBuffer& out) const {
    for (usize i = 0; i < 8; ++i) format_append(out, "{:02x}", m_key.bytes[i]);
}

Result<void> ProgramTrust::refuse_all(TrustFault fault) {
    m_state = fault;
    return Error::Untrusted;
}

Result<void> ProgramTrust::load(fs::FsNode& root) {
    char key_text[20];
    FormatBuffer key_id(Span<char>(key_text, sizeof(key_text)));
    format_key_id(key_id);
    if (m_test_key)
        log_warn("trust", "signing key {}: the development test key in keys/ (anybody can sign with it): not for release",
                 key_id.view());

    auto found = fs::walk(root, kManifestPath, nullptr, fs::WalkMode::MemoryOnly).finish_now();
    if (found.is_error() || found.value()->is_directory()) {
        log_error("trust", "the initramfs has no {}: every program is refused", kManifestPath);
        return refuse_all(TrustFault::NoManifest);
    }
    auto text = found.value()->resident_contents();
    if (text.is_error()) {
        log_error("trust", "{} cannot be read ({}): every program is refused", kManifestPath, text.error());
        return refuse_all(TrustFault::NoManifest);
    }
    usize line = 0;
    auto decoded = Manifest::decode(text.value(), &m_manifest_fault, &line);
    if (decoded.is_error()) {
        log_error("trust", "{} is malformed ({} on line {}): every program is refused", kManifestPath,
                  manifest_fault_name(m_manifest_fault), line);
        return refuse_all(TrustFault::BadManifest);
    }
    const Manifest& manifest = decoded.value();
    if (ed25519_verify(m_key, manifest.signed_part(), manifest.signature()).is_error()) {
        log_error("trust", "{} is not signed by this kernel's key {}: every program is refused", kManifestPath,
                  key_id.view());
        return refuse_all(TrustFault::WrongKey);
    }

    const usize bytes = TRY(checked_mul(manifest.count(), sizeof(Binding)));
    const usize pages = (bytes + kPageSize - 1) / kPageSize;
    if (pages > (usize(1) << kMaxPageOrder)) return refuse_all(TrustFault::BadManifest);
    if (pages) {
        auto table = m_pages.allocate_pages(pages);
        if (table.is_error()) {
            log_error("trust", "no memory for {}'s {} entries: every program is refused", kManifestPath,
                      manifest.count());
            return refuse_all(TrustFault::BadManifest);
        }
        m_table = table.value();
        m_table_pages = pages;
        m_bindings = static_cast<Binding*>(m_pages.to_virtual(m_table));
    }
    manifest.for_each([&](const ManifestEntry& entry) {
        auto node = fs::walk(root, entry.path, nullptr, fs::WalkMode::MemoryOnly).finish_now();
        if (node.is_error() || node.value()->is_directory()) {
            ++m_stats.missing;
            log_warn("trust", "{} lists {}, which the initramfs does not hold as a file", kManifestPath, entry.path);
            return;
        }
        Binding& binding = m_bindings[m_binding_count++];
        // Initramfs nodes live as long as the initramfs, which outlives
        // this table (UserSpace destroys it first).
        binding.node = &node.value()->underlying();
        binding.size = entry.size;
        mem_copy(binding.digest, entry.digest, sizeof(binding.digest));
        binding.verified = false;
    });
    // Sorted by node, so check() finds a program's entry by bisection
    // (insertion sort: a few dozen entries, once per boot).
    for (usize i = 1; i < m_binding_count; ++i) {
        const Binding moving = m_bindings[i];
        usize j = i;
        for (; j > 0 && m_bindings[j - 1].node > moving.node; --j) m_bindings[j] = m_bindings[j - 1];
        m_bindings[j] = moving;
    }
    m_stats.listed = m_binding_count;
    m_state = TrustFault::None;
    log_info("trust", "{}: {} files signed by key {}; programs must match it to run", kManifestPath, m_binding_count,
             key_id.view());
    return {};
}

Result<void> ProgramTrust::admit(fs::FsNode* file, ReadonlyBytes image, StringView name) {
    if (file) return check(*file, image, name);
    ++m_stats.refused;
    log_warn("trust", "refused {}: {} ({})", name, trust_fault_text(TrustFault::NotListed),
             trust_fault_name(TrustFault::NotListed));
    return Error::Untrusted;
}

Result<void> ProgramTrust::check(fs::FsNode& file, ReadonlyBytes image, StringView name, TrustFault* fault_out) {
    auto refuse = [&](TrustFault fault) -> Result<void> {
        ++m_stats.refused;
        if (fault_out) *fault_out = fault;
        log_warn("trust", "refused {}: {} ({})", name, trust_fault_text(fault), trust_fault_name(fault));
        return Error::Untrusted;
    };
    if (m_state != TrustFault::None) return refuse(m_state);
    fs::FsNode* node = &file.underlying();
    usize low = 0, high = m_binding_count;  // load() sorted them by node
    while (low < high) {
        const usize middle = low + (high - low) / 2;
        if (m_bindings[middle].node < node) low = middle + 1;
        else high = middle;
    }
    if (low == m_binding_count || m_bindings[low].node != node) return refuse(TrustFault::NotListed);
    Binding* binding = &m_bindings[low];
    if (image.size() != binding->size) return refuse(TrustFault::SizeDiffers);
    if (!binding->verified) {
        ++m_stats.hashed;
        u8 digest[Sha512::kDigestSize];
        Sha512::hash(image, digest);
        if (mem_compare(digest, binding->digest, sizeof(digest)) != 0) return refuse(TrustFault::DigestDiffers);
        binding->verified = true;
    }
    ++m_stats.trusted;
    if (fault_out) *fault_out = TrustFault::None;
    return {};
}

void ProgramTrust::write_report(FormatBuffer& out) const {
    format_append(out, "key: ");
    format_key_id(out);
    format_append(out, "{}\n", m_test_key ? " (development test key: not for release)" : "");
    format_append(out, "manifest: {}", m_state == TrustFault::None ? "verified" : trust_fault_name(m_state));
    if (m_state == TrustFault::BadManifest) format_append(out, " ({})", manifest_fault_name(m_manifest_fault));
    format_append(out, "\nlisted: {}\nmissing: {}\nhashed: {}\ntrusted: {}\nrefused: {}\n", m_stats.listed,
                  m_stats.missing, m_stats.hashed, m_stats.trusted, m_stats.refused);
}

}  // namespace mote
