#include "platform/bare_metal/crash.hpp"

#include "base/config.hpp"
#include "base/format.hpp"
#include "base/memory.hpp"
#include "base/version.hpp"
#include "boot/boot_args.hpp"
#include "core/log.hpp"
#include "crypto/secret_areas.hpp"
#include "platform/bare_metal/epitaph_region.hpp"
#include "platform/bare_metal/symbols.hpp"
#include "platform/bare_metal/user_mode.hpp"

namespace mote {

namespace {

Uart* g_output = nullptr;
CrashAction g_action = CrashAction::Halt;
Nanoseconds (*g_clock)() = nullptr;
EpitaphWriter g_dump = nullptr;
void* g_dump_context = nullptr;
bool g_crashing = false;
constexpr u32 kMaxFrames = 24;
constexpr usize kWords = sizeof(Arch::TrapFrame) / sizeof(u64);

void emit(StringView line, void* = nullptr) {
    if (!g_output) return;
    g_output->write_polled(line);
    g_output->write_polled("\n");
}

void describe_address(FormatBuffer& out, uptr address) {
    format_append(out, "{:#018x}", address);
    Symbol symbol;
    if (!symbolize(address, symbol)) return;
    // The table stores the scope apart (symbols.hpp); join it back.
    if (symbol.scope.empty()) format_append(out, " {}+{:#x}", symbol.name, symbol.offset);
    else format_append(out, " {}::{}+{:#x}", symbol.scope, symbol.name, symbol.offset);
}

void write_backtrace(const Arch::TrapFrame& frame) {
    emit("  backtrace:");
    arch::Frame current = Arch::trap_frame(frame);
    for (u32 depth = 0; depth < kMaxFrames && current.pc; ++depth) {
        FixedString<160> line;
        line.appendf("    #{:<2} ", depth);
        // A return address points after the call; look up the call itself.
        char buffer[128];
        FormatBuffer text(Span<char>(buffer, sizeof(buffer)));
        describe_address(text, depth == 0 ? current.pc : current.pc - 1);
        line.append(text.view());
        emit(line.view());
        if (!current.fp) break;
        current = Arch::caller_frame(current);
    }
}

// The first line of `text`.
StringView first_line(const char* text) {
    usize n = 0;
    while (text[n] && text[n] != '\n') ++n;
    return StringView(text, n);
}

bool ends_with(StringView text, StringView suffix) {
    return text.length() >= suffix.length() && text.substr(text.length() - suffix.length()) == suffix;
}

// Code whose registers hold secrets while it runs: the generator and the
// pool, their primitives, and the copies to and from user memory.
bool holds_secrets(const Symbol& s) {
    return ends_with(s.scope, "Csprng") || ends_with(s.scope, "EntropyPool") || ends_with(s.scope, "Blake2s") ||
           s.name.starts_with("chacha20") || s.name.starts_with("blake2s") ||
           (ends_with(s.scope, "AddressSpace") && s.name.starts_with("copy_"));
}

// The first frame (the pc, then the backtrace) that is in such code.
bool in_secret_code(const Arch::TrapFrame& frame, Symbol& found) {
    arch::Frame current = Arch::trap_frame(frame);
    for (u32 depth = 0; depth < kMaxFrames && current.pc; ++depth) {
        if (symbolize(depth == 0 ? current.pc : current.pc - 1, found) && holds_secrets(found)) return true;
        if (!current.fp) break;
        current = Arch::caller_frame(current);
    }
    return false;
}

// What the report and the epitaph may show of the registers.
struct ShownRegisters {
    Arch::TrapFrame frame;
    u64 scrubbed = 0;  // bit i: word i held a secret and reads 0
    bool withheld = false;
    Symbol secret_code;
};

void scrub(const Arch::TrapFrame& frame, ShownRegisters& out) {
    out.withheld = in_secret_code(frame, out.secret_code);
    u64 words[kWords];
    mem_copy(words, &frame, sizeof(words));
    for (usize i = 0; i < kWords; ++i) {
        if (out.withheld || is_secret_word(words[i])) {
            if (!out.withheld) out.scrubbed |= u64(1) << i;
            words[i] = 0;
        }
    }
    mem_copy(&out.frame, words, sizeof(words));
}

void write_epitaph(EpitaphRecord& record, const Arch::TrapFrame& frame, const ShownRegisters& shown,
                   StringView cause, CrashKind kind) {
    u64 boot = record.boot;
    record.begin(EpitaphState::Crashed, boot);
    record.kind = u8(kind);
    record.set_cause(cause);
    record.set_arch(Arch::kName);
    record.set_revision(kRevision);
    record.pc = Arch::trap_frame(frame).pc;
    record.fault_address = kind == CrashKind::Exception ? Arch::trap_address(frame) : 0;
    record.uptime_ns = g_clock ? g_clock() : 0;
    if (shown.withheld) {
        record.flags |= EpitaphRecord::kRegistersWithheld;
    } else {
        u64 words[kWords];
        mem_copy(words, &shown.frame, sizeof(words));
        for (usize i = 0; i < kWords; ++i) (void)record.add_register(Arch::kRegisterNames[i], words[i]);
        record.scrubbed_mask = shown.scrubbed;
        if (shown.scrubbed) record.flags |= EpitaphRecord::kRegistersScrubbed;
    }
    StringView name;
    u32 pid = 0;
    if (user_mode_current(name, pid)) record.set_process(name, pid);
    klog().for_each_recent_line(
        EpitaphRecord::kLogMax,
        [](StringView line, void* context) { (void)static_cast<EpitaphRecord*>(context)->append_log_line(line); },
        &record);
    record.seal();
}

[[noreturn]] void crash(const Arch::TrapFrame& frame, StringView cause, StringView headline, const char* details,
                        CrashKind kind, bool reset) {
    if (g_crashing) {
        emit("MOTE-PANIC: fault while writing a crash report");
        Arch::halt();
    }
    g_crashing = true;
    Arch::disable_interrupts();

    // Scrub first, then wipe: the comparison needs the secrets once more,
    // and nothing of them may outlive the crash (RAM survives a warm reset).
    ShownRegisters shown;
    scrub(frame, shown);
    wipe_secret_areas();

    // The epitaph before the words: it is what survives if the report
    // itself faults.
    EpitaphRecord* record = epitaph_live();
    if (record) write_epitaph(*record, frame, shown, cause, kind);

    emit("");
    FixedString<200> line;
    line.appendf("MOTE CRASH: {}", headline);
    emit(line.view());
    if (details) {
        // The whole report (a VERIFY's breadcrumbs follow its first line).
        const char* p = details;
        while (*p) {
            StringView l = first_line(p);
            FixedString<200> indented;
            indented.append("  ");
            indented.append(l);
            emit(indented.view());
            p += l.length();
            if (*p == '\n') ++p;
        }
    }
    char buffer[128];
    FormatBuffer where(Span<char>(buffer, sizeof(buffer)));
    describe_address(where, Arch::trap_frame(frame).pc);
    line.clear();
    line.appendf("  pc {}", where.view());
    emit(line.view());
    if (kind == CrashKind::Exception) {
        line.clear();
        line.appendf("  fault address {:#018x}", Arch::trap_address(frame));
        emit(line.view());
    }
    if (shown.withheld) {
        line.clear();
        line.appendf("  registers: withheld (the crash is in {}::{}, which holds secrets)", shown.secret_code.scope,
                     shown.secret_code.name);
        emit(line.view());
    } else {
        emit("  registers:");
        Arch::write_registers(shown.frame, emit, nullptr);
        if (shown.scrubbed) {
            line.clear();
            line.append("  scrubbed (they held a secret; shown as 0):");
            for (usize i = 0; i < kWords; ++i)
                if (shown.scrubbed >> i & 1) line.appendf(" {}", Arch::kRegisterNames[i]);
            emit(line.view());
        }
    }
    write_backtrace(frame);
    // The disk's copy after the words: a polled write to a device in an
    // unknown state is the riskiest step, and the report is already out.
    const char* dumped = record && g_dump ? g_dump(*record, g_dump_context) : nullptr;
    line.clear();
    if (record) {
        line.appendf("  epitaph: boot {} in RAM at {:#x}", record->boot, epitaph_phys());
        if (g_dump) line.appendf(", on disk: {}", dumped ? dumped : "not written");
    } else {
        line.append("  epitaph: none (no page reserved for it)");
    }
    emit(line.view());

    line.clear();
    line.appendf("MOTE-PANIC: {}", cause);
    emit(line.view());
    if (reset || g_action == CrashAction::Reboot) Arch::reboot();
    if (g_action == CrashAction::PowerOff) Arch::power_off(true);
    Arch::halt();
}

}  // namespace

CrashAction crash_action_from(StringView command_line) {
    StringView mode;
    if (!BootArgs(command_line).get("mote.panic", mode)) return CrashAction::Halt;
    if (mode == "poweroff") return CrashAction::PowerOff;
    if (mode == "reboot") return CrashAction::Reboot;
    return CrashAction::Halt;
}

void crash_configure(Uart* output, CrashAction action, Nanoseconds (*clock)()) {
    g_output = output;
    g_action = action;
    g_clock = clock;
}

void crash_set_dump(EpitaphWriter writer, void* context) {
    g_dump = writer;
    g_dump_context = context;
}

void platform_crash(const Arch::TrapFrame& frame, const char* message) {
    if (message) {
        StringView cause = first_line(message);
        crash(frame, cause, "kernel panic", message, CrashKind::Panic, false);
    }
    StringView cause = Arch::trap_cause(frame);
    crash(frame, cause, cause, nullptr, CrashKind::Exception, false);
}

void crash_watchdog(const Arch::TrapFrame& frame, const char* cause) {
    crash(frame, first_line(cause), "kernel watchdog", cause, CrashKind::Watchdog, true);
}

// VERIFY failures and sys/power's "panic" come here (base/verify.hpp). The
// breakpoint captures the registers, so the report is the same as for any
// other exception.
void platform_panic(const char* report) { Arch::breakpoint_panic(report); }

}  // namespace mote
