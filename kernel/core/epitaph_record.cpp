#include "core/epitaph_record.hpp"

#include "base/crc32c.hpp"
#include "base/memory.hpp"

namespace mote {

namespace {

bool printable(char c) { return c >= 0x20 && c <= 0x7e; }

// Copies `text` into a fixed field, cut to fit, unprintable bytes as '?'.
u16 store_text(char* field, usize capacity, StringView text) {
    usize n = text.length() < capacity ? text.length() : capacity;
    for (usize i = 0; i < n; ++i) field[i] = printable(text[i]) ? text[i] : '?';
    for (usize i = n; i < capacity; ++i) field[i] = 0;
    return u16(n);
}

bool text_ok(const char* field, usize length, bool newlines) {
    for (usize i = 0; i < length; ++i)
        if (!printable(field[i]) && !(newlines && field[i] == '\n')) return false;
    return true;
}

Result<void> refuse(EpitaphFault* out, EpitaphFault why) {
    if (out) *out = why;
    return Error::Malformed;
}

}  // namespace

const char* epitaph_state_name(EpitaphState state) {
    switch (state) {
    case EpitaphState::Running: return "running";
    case EpitaphState::Crashed: return "crashed";
    case EpitaphState::Clean: return "clean";
    }
    return "?";
}

const char* crash_kind_name(CrashKind kind) {
    switch (kind) {
    case CrashKind::None: return "none";
    case CrashKind::Exception: return "exception";
    case CrashKind::Panic: return "panic";
    case CrashKind::Watchdog: return "watchdog";
    }
    return "?";
}

const char* epitaph_fault_name(EpitaphFault fault) {
    switch (fault) {
    case EpitaphFault::None: return "None";
    case EpitaphFault::TooShort: return "TooShort";
    case EpitaphFault::BadMagic: return "BadMagic";
    case EpitaphFault::BadVersion: return "BadVersion";
    case EpitaphFault::BadSize: return "BadSize";
    case EpitaphFault::BadChecksum: return "BadChecksum";
    case EpitaphFault::BadState: return "BadState";
    case EpitaphFault::BadKind: return "BadKind";
    case EpitaphFault::BadLength: return "BadLength";
    case EpitaphFault::BadText: return "BadText";
    }
    return "?";
}

void EpitaphRecord::begin(EpitaphState new_state, u64 boot_number) {
    mem_set(this, 0, sizeof(*this));
    magic = kEpitaphMagic;
    version = kEpitaphVersion;
    size = sizeof(EpitaphRecord);
    state = u8(new_state);
    boot = boot_number;
}

void EpitaphRecord::set_cause(StringView text) { cause_length = store_text(cause, kCauseMax, text); }

void EpitaphRecord::set_process(StringView name, u32 process_pid) {
    process_length = store_text(process, kProcessMax, name);
    pid = process_pid;
    flags |= kHasProcess;
}

void EpitaphRecord::set_arch(StringView name) { arch_length = store_text(arch, kArchMax, name); }

void EpitaphRecord::set_revision(StringView text) { revision_length = store_text(revision, kRevisionMax, text); }

bool EpitaphRecord::add_register(StringView name, u64 value) {
    if (register_count >= kRegisterMax) return false;
    // A name is at least one printable byte; the field keeps it NUL-padded.
    (void)store_text(register_names[register_count], kRegisterNameMax, name.empty() ? StringView("?") : name);
    registers[register_count++] = value;
    return true;
}

bool EpitaphRecord::append_log_line(StringView line) {
    if (log_length + line.length() + 1 > kLogMax) return false;
    for (usize i = 0; i < line.length(); ++i) log[log_length + i] = printable(line[i]) ? line[i] : '?';
    log_length = u16(log_length + line.length());
    log[log_length++] = '\n';
    return true;
}

StringView EpitaphRecord::register_name(usize i) const {
    if (i >= register_count) return {};
    usize n = 0;
    while (n < kRegisterNameMax && register_names[i][n]) ++n;
    return StringView(register_names[i], n);
}

u32 epitaph_checksum(const EpitaphRecord& record) {
    const u8* bytes = reinterpret_cast<const u8*>(&record);
    constexpr usize at = __builtin_offsetof(EpitaphRecord, checksum);
    const u8 zero[sizeof(record.checksum)] = {};
    u32 crc = crc32c_update(~u32(0), ReadonlyBytes(bytes, at));
    crc = crc32c_update(crc, ReadonlyBytes(zero, sizeof(zero)));
    usize after = at + sizeof(record.checksum);
    crc = crc32c_update(crc, ReadonlyBytes(bytes + after, sizeof(record) - after));
    return ~crc;
}

void EpitaphRecord::seal() { checksum = epitaph_checksum(*this); }

Result<void> decode_epitaph(ReadonlyBytes bytes, EpitaphRecord& out, EpitaphFault* fault) {
    if (fault) *fault = EpitaphFault::None;
    // Decode from a private copy: the bytes may be device memory or RAM
    // something else could still write, and every check must hold for the
    // record that is returned.
    if (bytes.size() < sizeof(EpitaphRecord)) return refuse(fault, EpitaphFault::TooShort);
    mem_copy(&out, bytes.data(), sizeof(EpitaphRecord));
    if (out.magic != kEpitaphMagic) return refuse(fault, EpitaphFault::BadMagic);
    if (out.version != kEpitaphVersion) return refuse(fault, EpitaphFault::BadVersion);
    if (out.size != sizeof(EpitaphRecord)) return refuse(fault, EpitaphFault::BadSize);
    if (out.checksum != epitaph_checksum(out)) return refuse(fault, EpitaphFault::BadChecksum);
    if (out.state < u8(EpitaphState::Running) || out.state > u8(EpitaphState::Clean))
        return refuse(fault, EpitaphFault::BadState);
    bool crashed = out.state == u8(EpitaphState::Crashed);
    if (out.kind > u8(CrashKind::Watchdog) || crashed != (out.kind != u8(CrashKind::None)))
        return refuse(fault, EpitaphFault::BadKind);
    if (out.arch_length > EpitaphRecord::kArchMax || out.revision_length > EpitaphRecord::kRevisionMax ||
        out.cause_length > EpitaphRecord::kCauseMax || out.process_length > EpitaphRecord::kProcessMax ||
        out.log_length > EpitaphRecord::kLogMax || out.register_count > EpitaphRecord::kRegisterMax ||
        (out.flags & ~EpitaphRecord::kKnownFlags) != 0 ||
        (out.register_count < 64 && (out.scrubbed_mask >> out.register_count) != 0))
        return refuse(fault, EpitaphFault::BadLength);
    if (!text_ok(out.arch, out.arch_length, false) || !text_ok(out.revision, out.revision_length, false) ||
        !text_ok(out.cause, out.cause_length, false) || !text_ok(out.process, out.process_length, false) ||
        !text_ok(out.log, out.log_length, true) || (out.log_length > 0 && out.log[out.log_length - 1] != '\n'))
        return refuse(fault, EpitaphFault::BadText);
    for (usize i = 0; i < out.register_count; ++i) {
        StringView name = out.register_name(i);
        if (name.empty() || !text_ok(name.data(), name.length(), false)) return refuse(fault, EpitaphFault::BadText);
    }
    return {};
}

}  // namespace mote
