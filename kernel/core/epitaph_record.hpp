// The epitaph: a fixed, machine-readable record of how a boot ended, left
// where the next boot can find it (a reserved page of RAM that a warm
// reset keeps; with mote.dump=, a disk range too).
//
// One record, versioned, little-endian as every Mote target is, protected
// by a CRC32C over the whole record (with the checksum field zero):
//
//   state Running  written at boot: "this boot has not ended yet"; found by
//                  the next boot it means the boot ended without a word
//                  (a reset by a hardware watchdog, a hang, power lost)
//   state Crashed  written by the crash path: cause, pc, fault address, the
//                  registers (scrubbed of secrets), the last log lines and
//                  the process that was current
//   state Clean    written on an orderly power-off or reboot
//
// `boot` counts boots since the record was last valid (a cold boot finds
// garbage and starts at 1). The crash path fills the record in place with
// no allocation; the next boot decodes it as untrusted input: every field
// is checked and a record that fails a check is reported by its
// EpitaphFault and otherwise ignored (a torn write fails the checksum).
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "base/types.hpp"

namespace mote {

// "MOTEEPI1" read as a little-endian u64.
inline constexpr u64 kEpitaphMagic = 0x3149'5045'4554'4f4dULL;
inline constexpr u16 kEpitaphVersion = 1;

enum class EpitaphState : u8 { Running = 1, Crashed = 2, Clean = 3 };
// What ended the boot (Crashed only; None otherwise).
enum class CrashKind : u8 { None = 0, Exception = 1, Panic = 2, Watchdog = 3 };

const char* epitaph_state_name(EpitaphState state);
const char* crash_kind_name(CrashKind kind);

enum class EpitaphFault : u8 {
    None,         // a valid record
    TooShort,     // fewer bytes than a record
    BadMagic,     // not an epitaph at all (the usual answer after a cold boot)
    BadVersion,   // a version this kernel does not read
    BadSize,      // the size field is not this version's record size
    BadChecksum,  // the CRC32C does not match: a torn or corrupted record
    BadState,     // state is not Running, Crashed or Clean
    BadKind,      // a crash kind that does not fit the state
    BadLength,    // a text length or the register count beyond its field
    BadText,      // a text field holds a byte that is not printable ASCII
};
inline constexpr usize kEpitaphFaultCount = 10;
static_assert(usize(EpitaphFault::BadText) + 1 == kEpitaphFaultCount, "update kEpitaphFaultCount and the names");
const char* epitaph_fault_name(EpitaphFault fault);

struct EpitaphRecord {
    static constexpr usize kArchMax = 16;
    static constexpr usize kRevisionMax = 24;
    static constexpr usize kCauseMax = 160;
    static constexpr usize kProcessMax = 32;
    static constexpr usize kRegisterMax = 40;
    static constexpr usize kRegisterNameMax = 8;
    static constexpr usize kLogMax = 3072;
    // Flags.
    static constexpr u16 kRegistersWithheld = 1 << 0;  // the crash was in code that holds secrets
    static constexpr u16 kRegistersScrubbed = 1 << 1;  // some registers held a secret (scrubbed_mask)
    static constexpr u16 kHasProcess = 1 << 2;         // a user thread was current
    static constexpr u16 kKnownFlags = 7;

    u64 magic;
    u16 version;
    u16 reserved;
    u32 size;
    u32 checksum;
    u8 state;
    u8 kind;
    u16 flags;
    u64 boot;
    u64 uptime_ns;
    u64 pc;
    u64 fault_address;
    u64 scrubbed_mask;  // bit i: registers[i] held a secret and reads 0
    u32 pid;
    u16 register_count;
    u16 cause_length;
    u16 process_length;
    u16 log_length;
    u16 arch_length;
    u16 revision_length;
    char arch[kArchMax];
    char revision[kRevisionMax];
    char cause[kCauseMax];
    char process[kProcessMax];
    char register_names[kRegisterMax][kRegisterNameMax];  // NUL-padded
    u64 registers[kRegisterMax];
    char log[kLogMax];  // whole lines, each ending in '\n', oldest first

    // Writing (the boot and the crash path; no allocation, no failure:
    // text that does not fit is cut, unprintable bytes become '?').
    void begin(EpitaphState state, u64 boot);
    void set_cause(StringView text);
    void set_process(StringView name, u32 pid);
    void set_arch(StringView name);
    void set_revision(StringView text);
    // False (and nothing stored) when kRegisterMax are stored already.
    bool add_register(StringView name, u64 value);
    // Appends whole lines only; false if `line` did not fit.
    bool append_log_line(StringView line);
    void seal();

    // Reading (valid after decode_epitaph, or after seal).
    EpitaphState record_state() const { return EpitaphState(state); }
    CrashKind crash_kind() const { return CrashKind(kind); }
    StringView cause_text() const { return StringView(cause, cause_length); }
    StringView process_name() const { return StringView(process, process_length); }
    StringView arch_name() const { return StringView(arch, arch_length); }
    StringView revision_text() const { return StringView(revision, revision_length); }
    StringView log_text() const { return StringView(log, log_length); }
    StringView register_name(usize i) const;
};
static_assert(sizeof(EpitaphRecord) == 4024, "the epitaph's layout is an interface: bump kEpitaphVersion to change it");
static_assert(__builtin_offsetof(EpitaphRecord, registers) % 8 == 0);

// A second place for the epitaph (boot/epitaph_dump.hpp): called once, on
// the crash path with interrupts off, with the sealed record; it must not
// allocate or wait for an interrupt. Returns a few words for the crash
// report: where the record went ("vda sectors 2048..2055") or why not.
using EpitaphWriter = const char* (*)(const EpitaphRecord& record, void* context);

// The record's CRC32C with its checksum field taken as zero.
u32 epitaph_checksum(const EpitaphRecord& record);

// Decodes an epitaph from untrusted bytes (RAM that survived a reset, a
// disk's dump area) into `out`. Malformed, with `*fault` naming why, if
// any check fails; `out` is then unspecified.
Result<void> decode_epitaph(ReadonlyBytes bytes, EpitaphRecord& out, EpitaphFault* fault = nullptr);

}  // namespace mote
