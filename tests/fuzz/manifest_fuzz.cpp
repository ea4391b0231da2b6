// Decodes arbitrary bytes as an initramfs manifest (kernel/exec/manifest.hpp).
// When the decoder accepts them, the text must be exactly what the decoded
// form writes back (header, one line per entry with its digest in lowercase
// hex, its size and path, the signature line): one manifest per list, so
// nothing the decoder accepts can carry hidden or alternative bytes. The
// entries must come out sorted, as many as count() says, with clean paths.
// Any crash, sanitizer report or VERIFY failure is a bug.
//
// Seeds: seeds/manifest_fuzz (tests/fuzz/make_manifest_seeds.py).
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <string>

#include "base/verify.hpp"
#include "exec/manifest.hpp"

using namespace mote;

namespace {

void append_hex(std::string& out, const u8* bytes, usize size) {
    static const char digits[] = "0123456789abcdef";
    for (usize i = 0; i < size; ++i) {
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 15];
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // An unaligned private copy: reads past the end are caught by ASan.
    u8* copy = static_cast<u8*>(malloc(size + 1)) + 1;
    memcpy(copy, data, size);
    ManifestFault fault = ManifestFault::None;
    usize line = 0;
    auto decoded = Manifest::decode(ReadonlyBytes(copy, size), &fault, &line);
    if (decoded.is_error()) {
        VERIFY(fault != ManifestFault::None);
        VERIFY(decoded.error() == Error::Malformed);
    } else {
        VERIFY(fault == ManifestFault::None);
        const Manifest& manifest = decoded.value();
        std::string text = "mote-manifest 1\n";
        usize count = 0;
        std::string previous;
        manifest.for_each([&](const ManifestEntry& entry) {
            const std::string path(entry.path.data(), entry.path.length());
            VERIFY(!path.empty() && path[0] != '/' && path.back() != '/');
            VERIFY(count == 0 || previous < path);
            previous = path;
            text += "file ";
            append_hex(text, entry.digest, sizeof(entry.digest));
            text += " " + std::to_string(entry.size) + " " + path + "\n";
            ++count;
        });
        VERIFY(count == manifest.count());
        VERIFY(manifest.signed_part().size() == text.size());
        VERIFY(memcmp(manifest.signed_part().data(), text.data(), text.size()) == 0);
        text += "signature ed25519 ";
        append_hex(text, manifest.signature().bytes, sizeof(manifest.signature().bytes));
        text += "\n";
        VERIFY(text.size() == size && memcmp(text.data(), copy, size) == 0);
    }
    free(copy - 1);
    return 0;
}
