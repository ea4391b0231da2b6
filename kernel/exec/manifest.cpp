#include "exec/manifest.hpp"

#include "base/memory.hpp"
#include "base/verify.hpp"

namespace mote {

const char* manifest_fault_name(ManifestFault fault) {
    switch (fault) {
    case ManifestFault::None: return "None";
    case ManifestFault::TooLarge: return "TooLarge";
    case ManifestFault::BadHeader: return "BadHeader";
    case ManifestFault::Unterminated: return "Unterminated";
    case ManifestFault::BadLine: return "BadLine";
    case ManifestFault::BadDigest: return "BadDigest";
    case ManifestFault::BadSize: return "BadSize";
    case ManifestFault::BadPath: return "BadPath";
    case ManifestFault::NotSorted: return "NotSorted";
    case ManifestFault::NoSignature: return "NoSignature";
    case ManifestFault::BadSignature: return "BadSignature";
    case ManifestFault::AfterSignature: return "AfterSignature";
    }
    return "?";
}

namespace {

constexpr StringView kHeader = "mote-manifest 1";
constexpr StringView kFile = "file ";
constexpr StringView kSignature = "signature ed25519 ";

// Lowercase hex only: one spelling per value, so one manifest per tree.
int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool decode_hex(StringView text, u8* out, usize bytes) {
    if (text.length() != 2 * bytes) return false;
    for (usize i = 0; i < bytes; ++i) {
        const int high = hex_digit(text[2 * i]), low = hex_digit(text[2 * i + 1]);
        if (high < 0 || low < 0) return false;
        out[i] = u8(high << 4 | low);
    }
    return true;
}

bool decode_size(StringView text, u64* out) {
    if (text.empty() || text.length() > 19 || (text.length() > 1 && text[0] == '0')) return false;
    u64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + u64(c - '0');
    }
    *out = value;
    return true;
}

// The same rules as the cpio decoder's paths: relative, no empty, "." or
// ".." component, and no control bytes (a newline would end the line).
bool clean_path(StringView path) {
    if (path.empty() || path.length() > Manifest::kMaxPath || path[0] == '/') return false;
    usize start = 0;
    for (usize i = 0; i <= path.length(); ++i) {
        if (i < path.length() && (u8(path[i]) < 0x20 || u8(path[i]) == 0x7f)) return false;
        if (i == path.length() || path[i] == '/') {
            const StringView part = path.substr(start, i - start);
            if (part.empty() || part == "." || part == "..") return false;
            start = i + 1;
        }
    }
    return true;
}

// Bytewise order, a prefix before what extends it.
bool before(StringView a, StringView b) {
    const usize n = min(a.length(), b.length());
    for (usize i = 0; i < n; ++i)
        if (a[i] != b[i]) return u8(a[i]) < u8(b[i]);
    return a.length() < b.length();
}

// "<digest> <size> <path>", the part of a file line after "file ".
bool split_entry(StringView rest, StringView* digest, StringView* size, StringView* path) {
    constexpr usize kDigestHex = 2 * Sha512::kDigestSize;
    if (rest.length() < kDigestHex + 1 || rest[kDigestHex] != ' ') return false;
    *digest = rest.substr(0, kDigestHex);
    usize space = kDigestHex + 1;
    while (space < rest.length() && rest[space] != ' ') ++space;
    if (space >= rest.length()) return false;
    *size = rest.substr(kDigestHex + 1, space - kDigestHex - 1);
    *path = rest.substr(space + 1);
    return true;
}

}  // namespace

Result<Manifest> Manifest::decode(ReadonlyBytes bytes, ManifestFault* fault_out, usize* line_out) {
    usize line_number = 0;
    auto fail = [&](ManifestFault fault) -> Result<Manifest> {
        if (fault_out) *fault_out = fault;
        if (line_out) *line_out = line_number;
        return Error::Malformed;
    };
    if (bytes.size() > kMaxBytes) return fail(ManifestFault::TooLarge);
    const StringView text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (text.empty() || text[text.length() - 1] != '\n') return fail(ManifestFault::Unterminated);

    Manifest manifest;
    StringView previous;
    bool have_previous = false;
    usize at = 0;
    while (at < text.length()) {
        ++line_number;
        usize end = at;
        while (text[end] != '\n') ++end;  // the text ends with one
        const StringView line = text.substr(at, end - at);
        const usize next = end + 1;
        if (line_number == 1) {
            if (line != kHeader) return fail(ManifestFault::BadHeader);
            manifest.m_first_entry = next;
        } else if (line.starts_with(kFile)) {
            StringView digest, size, path;
            if (!split_entry(line.substr(kFile.length()), &digest, &size, &path)) return fail(ManifestFault::BadLine);
            u8 scratch[Sha512::kDigestSize];
            if (!decode_hex(digest, scratch, sizeof(scratch))) return fail(ManifestFault::BadDigest);
            u64 value;
            if (!decode_size(size, &value)) return fail(ManifestFault::BadSize);
            if (!clean_path(path)) return fail(ManifestFault::BadPath);
            if (have_previous && !before(previous, path)) return fail(ManifestFault::NotSorted);
            ++manifest.m_count;
            previous = path;
            have_previous = true;
        } else if (line.starts_with(kSignature)) {
            if (!decode_hex(line.substr(kSignature.length()), manifest.m_signature.bytes, kEd25519SignatureSize))
                return fail(ManifestFault::BadSignature);
            if (next != text.length()) {
                ++line_number;
                return fail(ManifestFault::AfterSignature);
            }
            manifest.m_signed = bytes.first(at);
            if (fault_out) *fault_out = ManifestFault::None;
            return manifest;
        } else {
            return fail(ManifestFault::BadLine);
        }
        at = next;
    }
    return fail(ManifestFault::NoSignature);
}

usize Manifest::parse_entry(usize at, ManifestEntry& entry) const {
    const StringView text(reinterpret_cast<const char*>(m_signed.data()), m_signed.size());
    usize end = at;
    while (text[end] != '\n') ++end;
    StringView digest, size, path;
    VERIFY(split_entry(text.substr(at + kFile.length(), end - at - kFile.length()), &digest, &size, &path));
    VERIFY(decode_hex(digest, entry.digest, sizeof(entry.digest)));
    VERIFY(decode_size(size, &entry.size));
    entry.path = path;
    return end + 1;
}

}  // namespace mote
