#include "shell/shell.hpp"

#include "boot/kernel.hpp"
#include "core/log.hpp"
#include "shell/command.hpp"

namespace mote {

namespace {
constexpr StringView kPrompt = "mote> ";
constexpr u8 kCtrlC = 0x03;
}  // namespace

Shell::Shell(Kernel& kernel) : m_kernel(kernel) {
    m_resume.set_callback([](Deferred& d) { static_cast<Shell*>(d.context())->process_input(); }, this);
}

void Shell::write(StringView text) { m_kernel.console().write(text); }

void Shell::start() {
    m_editor.set_prompt(kPrompt);
    if (m_kernel.console().interactive())
        m_editor.set_echo([](StringView text, void* ctx) { static_cast<Shell*>(ctx)->write(text); }, this);
    print("\nMote shell. Type 'help' for commands.\n");
    m_started = true;
    prompt();
}

void Shell::prompt() { write(kPrompt); }

void Shell::print_above_prompt(StringView line) {
    bool redraw = m_started && !m_held && m_kernel.console().interactive();
    // Carriage return and erase-line hide the half-typed line, then it comes
    // back under the message.
    if (redraw) write("\r\x1b[K");
    write(line);
    write("\n");
    if (redraw) m_editor.redraw();
}

void Shell::on_input(ReadonlyBytes bytes) {
    u64 dropped_before = m_dropped_input;
    for (u8 b : bytes) {
        if (m_held && b == kCtrlC && m_cancel) {
            m_cancel(*this);
            continue;
        }
        if (!m_pending.push(b)) ++m_dropped_input;
    }
    if (m_dropped_input != dropped_before) {
        log_warn("shell", "input overrun: {} bytes dropped ({} so far)", m_dropped_input - dropped_before,
                 m_dropped_input);
    }
    process_input();
}

void Shell::on_end() {
    m_input_ended = true;
    process_input();
}

void Shell::process_input() {
    u8 b;
    while (!m_held && m_pending.pop(b)) {
        switch (m_editor.feed(b)) {
        case LineEditor::Event::None: break;
        case LineEditor::Event::Line: run_line(m_editor.line()); break;
        case LineEditor::Event::Cancelled:
            m_editor.reset();
            prompt();
            break;
        case LineEditor::Event::Complete: complete_command(); break;
        }
    }
    // Input closed (a pipe at its end): behave as if `poweroff` was typed
    // once everything before it has run.
    if (m_input_ended && !m_held && m_pending.empty()) {
        m_input_ended = false;
        log_info("shell", "console input closed");
        command_poweroff(*this, Arguments());
    }
}

void Shell::run_line(StringView raw) {
    // The line lives in the editor, which is reset only after the command
    // has run (or, for an asynchronous command, been started).
    if (!m_kernel.console().interactive()) {
        // Nobody typed it, so nothing echoed it: show it after the prompt so
        // the output reads as a transcript.
        write(raw);
        write("\n");
    }
    if (m_editor.garbage()) {
        error("ignored a line with {} non-printable byte(s)", m_editor.garbage());
    } else if (m_editor.overlong()) {
        error("line too long (limit {} characters)", LineEditor::kMaxLine);
    } else {
        ArgumentsFault fault;
        auto args = Arguments::parse(raw, &fault);
        if (args.is_error()) {
            error("cannot split the line: {}", arguments_fault_name(fault));
        } else if (!args.value().empty()) {
            StringView name = args.value()[0];
            if (const Command* command = find_command(name)) {
                command->run(*this, args.value());
            } else {
                error("unknown command '{}' (type 'help' for the list)", name);
            }
        }
    }
    m_editor.reset();
    if (!m_held) prompt();
}

void Shell::complete_command() {
    StringView typed = m_editor.line();
    for (char c : typed)
        if (c == ' ') return;  // only command names complete
    const Command* only = nullptr;
    usize matches = 0;
    for (const Command& c : shell_commands()) {
        if (c.name.starts_with(typed)) {
            only = &c;
            ++matches;
        }
    }
    if (matches == 1) {
        FixedString<LineEditor::kMaxLine> line;
        line.append(only->name);
        line.append(' ');
        m_editor.replace(line.view());
    } else if (matches > 1 && m_kernel.console().interactive()) {
        write("\n");
        for (const Command& c : shell_commands())
            if (c.name.starts_with(typed)) print("{}  ", c.name);
        write("\n");
        m_editor.redraw();
    }
}

void Shell::hold(void (*cancel)(Shell&)) {
    VERIFY(!m_held);
    m_held = true;
    m_cancel = cancel;
}

void Shell::release() {
    VERIFY(m_held);
    m_held = false;
    m_cancel = nullptr;
    prompt();
    // Resume reading on the next turn rather than from inside the
    // completion callback that released us.
    m_kernel.loop().defer(m_resume);
}

}  // namespace mote
