// What the previous boot left behind: the epitaph the platform found at
// boot (core/epitaph_record.hpp), kept for the boot log line, the kernel
// shell's `epitaph` and sys/epitaph.
//
//   previous boot ended in a crash: <cause> (panic, pc 0x..., boot 3, pid 2 (sh), up 1.234 s)
//   previous boot ended cleanly (boot 3)
//   previous boot ended without an epitaph (boot 3: a reset, a hang or a hardware watchdog)
//   no epitaph from a previous boot (BadMagic: a cold boot)
#pragma once

#include "base/format.hpp"
#include "core/epitaph_record.hpp"

namespace mote {

struct PreviousBoot {
    enum class Found : u8 {
        NoPlace,  // this machine keeps no epitaph
        Nothing,  // the place held no valid record (`fault` says why)
        Record,   // `record` is the previous boot's
    };
    Found found = Found::NoPlace;
    EpitaphFault fault = EpitaphFault::None;
    u64 boot = 0;        // this boot's number (1 when nothing was found)
    StringView place;    // where the record lives ("RAM 0x802f0000"), for the report
    StringView reset_by; // a watchdog device that says it reset the previous boot ("i6300esb")
    EpitaphRecord record;
};

// The kernel's one finding; the platform fills it before Kernel::run.
PreviousBoot& previous_boot();

// The one line the boot log prints.
void format_previous_boot(FormatBuffer& out, const PreviousBoot& previous);

// The whole record, one "key: value" line per call of `sink`: state, kind,
// cause, pc, fault address, boot, uptime, process, arch, revision, the
// registers; the log lines only if `with_log` (they are as privileged as
// the log itself).
using EpitaphLineSink = void (*)(StringView line, void* context);
void write_previous_boot(const PreviousBoot& previous, bool with_log, EpitaphLineSink sink, void* context);

}  // namespace mote
