#include "core/previous_boot.hpp"

#include "core/timer.hpp"

namespace mote {

PreviousBoot& previous_boot() {
    // Constructed at first use, in .bss (a constant-initialised 4 KiB record
    // would be in every image file).
    static PreviousBoot previous;
    return previous;
}

void format_previous_boot(FormatBuffer& out, const PreviousBoot& previous) {
    const EpitaphRecord& r = previous.record;
    switch (previous.found) {
    case PreviousBoot::Found::NoPlace: out.append("this machine keeps no epitaph"); return;
    case PreviousBoot::Found::Nothing:
        format_append(out, "no epitaph from a previous boot ({}), this is boot {}", epitaph_fault_name(previous.fault),
                      previous.boot);
        return;
    case PreviousBoot::Found::Record: break;
    }
    switch (r.record_state()) {
    case EpitaphState::Clean: format_append(out, "previous boot ({}) ended cleanly", r.boot); return;
    case EpitaphState::Running:
        format_append(out, "previous boot ({}) ended without an epitaph (a reset, a hang or a hardware watchdog)",
                      r.boot);
        return;
    case EpitaphState::Crashed: break;
    }
    format_append(out, "previous boot ended in a crash: {} ({}, pc {:#x}, boot {}", r.cause_text(),
                  crash_kind_name(r.crash_kind()), r.pc, r.boot);
    if (r.flags & EpitaphRecord::kHasProcess) format_append(out, ", pid {} ({})", r.pid, r.process_name());
    u64 ms = r.uptime_ns / kMillisecond;
    format_append(out, ", up {}.{:03} s)", ms / 1000, ms % 1000);
}

void write_previous_boot(const PreviousBoot& previous, bool with_log, EpitaphLineSink sink, void* context) {
    char storage[256];
    FormatBuffer text(Span<char>(storage, sizeof(storage)));
    auto emit = [&] {
        sink(text.view(), context);
        text.clear();
    };
    format_previous_boot(text, previous);
    emit();
    if (previous.found != PreviousBoot::Found::Record) return;
    const EpitaphRecord& r = previous.record;
    format_append(text, "state: {}", epitaph_state_name(r.record_state()));
    emit();
    format_append(text, "boot: {}", r.boot);
    emit();
    if (!previous.place.empty()) {
        format_append(text, "place: {}", previous.place);
        emit();
    }
    if (!previous.reset_by.empty()) {
        format_append(text, "reset by: the {} watchdog device", previous.reset_by);
        emit();
    }
    if (r.record_state() != EpitaphState::Crashed) return;
    format_append(text, "kind: {}", crash_kind_name(r.crash_kind()));
    emit();
    format_append(text, "cause: {}", r.cause_text());
    emit();
    format_append(text, "pc: {:#018x}", r.pc);
    emit();
    format_append(text, "fault address: {:#018x}", r.fault_address);
    emit();
    u64 ms = r.uptime_ns / kMillisecond;
    format_append(text, "uptime: {}.{:03} s", ms / 1000, ms % 1000);
    emit();
    if (r.flags & EpitaphRecord::kHasProcess) format_append(text, "process: pid {} ({})", r.pid, r.process_name());
    else text.append("process: none (the kernel itself)");
    emit();
    format_append(text, "kernel: {} {}", r.arch_name(), r.revision_text());
    emit();
    if (r.flags & EpitaphRecord::kRegistersWithheld) {
        text.append("registers: withheld (the crash was in code that holds secrets)");
        emit();
    } else {
        format_append(text, "registers: {}{}", r.register_count,
                      r.flags & EpitaphRecord::kRegistersScrubbed ? " (some scrubbed: they held secrets)" : "");
        emit();
        for (usize i = 0; i < r.register_count; i += 4) {
            text.append(" ");
            for (usize j = i; j < i + 4 && j < r.register_count; ++j) {
                bool scrubbed = j < 64 && (r.scrubbed_mask >> j) & 1;
                if (scrubbed) format_append(text, " {:>7} scrubbed        ", r.register_name(j));
                else format_append(text, " {:>7} {:016x}", r.register_name(j), r.registers[j]);
            }
            emit();
        }
    }
    if (!with_log) {
        usize lines = 0;
        for (char c : r.log_text()) lines += c == '\n';
        format_append(text, "log: {} lines (in the privileged copy)", lines);
        emit();
        return;
    }
    text.append("log:");
    emit();
    StringView log = r.log_text();
    usize start = 0;
    for (usize i = 0; i < log.length(); ++i) {
        if (log[i] != '\n') continue;
        text.append("  ");
        text.append(log.substr(start, i - start));
        emit();
        start = i + 1;
    }
}

}  // namespace mote
