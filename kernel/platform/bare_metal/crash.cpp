#include "platform/bare_metal/crash.hpp"

#include "arch/arch.hpp"
#include "base/format.hpp"
#include "platform/bare_metal/symbols.hpp"

namespace mote {

namespace {

Uart* g_output = nullptr;
bool g_power_off = false;
bool g_crashing = false;
constexpr u32 kMaxFrames = 24;

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

}  // namespace

void crash_configure(Uart* output, bool power_off) {
    g_output = output;
    g_power_off = power_off;
}

void platform_crash(const Arch::TrapFrame& frame, const char* message) {
    if (g_crashing) {
        emit("MOTE-PANIC: fault while writing a crash report");
        Arch::halt();
    }
    g_crashing = true;
    Arch::disable_interrupts();

    FixedString<160> cause;
    if (message) cause.append(first_line(message));
    else cause.append(Arch::trap_cause(frame));

    emit("");
    FixedString<200> line;
    line.appendf("MOTE CRASH: {}", message ? "kernel panic" : Arch::trap_cause(frame));
    emit(line.view());
    if (message) {
        // The whole report (a VERIFY's breadcrumbs follow its first line).
        const char* p = message;
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
    if (!message) {
        line.clear();
        line.appendf("  fault address {:#018x}", Arch::trap_address(frame));
        emit(line.view());
    }
    emit("  registers:");
    Arch::write_registers(frame, emit, nullptr);
    write_backtrace(frame);

    line.clear();
    line.appendf("MOTE-PANIC: {}", cause.view());
    emit(line.view());
    if (g_power_off) Arch::power_off(true);
    Arch::halt();
}

// VERIFY failures and the shell's `panic` come here (base/verify.hpp). The
// breakpoint captures the registers, so the report is the same as for any
// other exception.
void platform_panic(const char* report) { Arch::breakpoint_panic(report); }

}  // namespace mote
