// Feeds arbitrary bytes to the etc/caps decoder (user/runtime/caps_policy.*)
// as init would read them from the file. Any crash or sanitizer report is a
// bug; beyond that the decoder's promises are checked: it accepts exactly
// when it reports no fault, a refusal names a line that exists, and an
// accepted policy gives only defined capabilities, the same ones for every
// name it lists however often it is asked.
#include <stddef.h>
#include <stdint.h>

#include "base/verify.hpp"
#include "caps_policy.hpp"

using namespace mote;
using namespace mote::user;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    StringView text(reinterpret_cast<const char*>(data), size);
    CapsFault fault = CapsFault(0xee);
    usize line = ~usize(0);
    auto policy = CapsPolicy::parse(text, &fault, &line);

    usize lines = 1;
    for (char c : text) lines += c == '\n';
    if (policy.is_error()) {
        VERIFY(policy.error() == Error::Malformed);
        VERIFY(fault != CapsFault::None && fault <= CapsFault::NulInText);
        VERIFY(line >= 1 && line <= lines);
        return 0;
    }
    VERIFY(fault == CapsFault::None);
    VERIFY(policy.value().count() <= CapsPolicy::kMaxPrograms);

    // Every first word of a line is a name it may list; ask for each.
    constexpr u32 kAllCaps = (1u << kCapCount) - 1;
    usize at = 0;
    while (at < size) {
        usize end = at;
        while (end < size && text[end] != '\n') ++end;
        usize start = at;
        while (start < end && (text[start] == ' ' || text[start] == '\t' || text[start] == '\r')) ++start;
        usize stop = start;
        while (stop < end && text[stop] != ' ' && text[stop] != '\t' && text[stop] != '\r') ++stop;
        StringView name = text.substr(start, stop - start);
        u32 caps = policy.value().caps_for(name);
        VERIFY((caps & ~kAllCaps) == 0);
        VERIFY(policy.value().caps_for(name) == caps);
        VERIFY(name.length() <= CapsPolicy::kNameMax || caps == 0);
        at = end + 1;
    }
    return 0;
}
