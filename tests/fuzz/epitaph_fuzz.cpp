// Feeds arbitrary bytes to the epitaph decoder (core/epitaph_record.hpp):
// what a warm reset left in RAM, or a disk's dump area, is untrusted. Any
// crash or sanitizer report is a bug; beyond that, an accepted record keeps
// every promise the decoder makes (lengths within their fields, printable
// text, a log of whole lines, its checksum), re-sealing it changes nothing,
// and the next boot's text about it (core/previous_boot.hpp) can be written.
// The input is also taken as a record with its checksum put right, so the
// checks after the checksum are reached.
#include <stddef.h>
#include <stdint.h>

#include <cstring>

#include "base/verify.hpp"
#include "core/epitaph_record.hpp"
#include "core/previous_boot.hpp"

using namespace mote;

namespace {

void check(ReadonlyBytes bytes) {
    EpitaphRecord out;
    EpitaphFault fault = EpitaphFault::None;
    auto decoded = decode_epitaph(bytes, out, &fault);
    VERIFY(decoded.ok() == (fault == EpitaphFault::None));
    if (!decoded.ok()) return;
    VERIFY(out.cause_length <= EpitaphRecord::kCauseMax && out.log_length <= EpitaphRecord::kLogMax);
    VERIFY(out.register_count <= EpitaphRecord::kRegisterMax);
    VERIFY(out.checksum == epitaph_checksum(out));
    VERIFY(out.log_length == 0 || out.log[out.log_length - 1] == '\n');
    for (char c : out.cause_text()) VERIFY(c >= 0x20 && c <= 0x7e);
    PreviousBoot previous;
    previous.found = PreviousBoot::Found::Record;
    previous.record = out;
    usize lines = 0;
    write_previous_boot(previous, true, [](StringView, void* c) { ++*static_cast<usize*>(c); }, &lines);
    VERIFY(lines >= 3);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    check(ReadonlyBytes(data, size));
    if (size >= sizeof(EpitaphRecord)) {
        EpitaphRecord fixed;
        std::memcpy(&fixed, data, sizeof(fixed));
        fixed.magic = kEpitaphMagic;
        fixed.version = kEpitaphVersion;
        fixed.size = sizeof(EpitaphRecord);
        fixed.seal();
        check(ReadonlyBytes(reinterpret_cast<const u8*>(&fixed), sizeof(fixed)));
    }
    return 0;
}
