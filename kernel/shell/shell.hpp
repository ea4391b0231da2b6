// The serial shell: reads lines from the console, runs commands, prints
// answers. It is a loop citizen like any driver: input arrives through
// on_input in loop context, and a command that needs a device (blk read)
// submits a request and returns at once; the prompt comes back when the
// completion arrives (hold/release). Input typed meanwhile is queued, and
// Ctrl-C cancels the command in progress.
#pragma once

#include "base/format.hpp"
#include "base/ring_buffer.hpp"
#include "core/deferred.hpp"
#include "dev/block_device.hpp"
#include "dev/console.hpp"
#include "shell/arguments.hpp"
#include "shell/line_editor.hpp"

namespace mote {

class Kernel;

class Shell final : public ConsoleInput {
public:
    static constexpr usize kIoBufferSize = 4096;
    static constexpr usize kPendingInput = 4096;

    explicit Shell(Kernel& kernel);

    void start();
    void on_input(ReadonlyBytes bytes) override;
    void on_end() override;

    Kernel& kernel() { return m_kernel; }

    // Output for commands.
    void write(StringView text);
    template <typename... Args>
    void print(StringView fmt, const Args&... args) {
        FixedString<256> line;
        line.appendf(fmt, args...);
        write(line.view());
    }
    template <typename... Args>
    void error(StringView fmt, const Args&... args) {
        FixedString<256> line;
        line.append("error: ");
        line.appendf(fmt, args...);
        line.append('\n');
        write(line.view());
        ++m_errors;
    }
    // Prints a line that did not come from a command (a log message) without
    // tearing the line being typed.
    void print_above_prompt(StringView line);

    // Asynchronous commands: hold() before returning from the command keeps
    // the prompt back; release() (typically from a completion callback)
    // prints it and resumes reading. `cancel` runs on Ctrl-C meanwhile.
    void hold(void (*cancel)(Shell&) = nullptr);
    void release();
    bool held() const { return m_held; }

    // Scratch space for commands (one command runs at a time). Aligned for
    // direct I/O.
    Bytes io_buffer() { return Bytes(m_io_buffer, kIoBufferSize); }
    BlockRequest& block_request() { return m_block_request; }
    // A second request, for commands that need two (poweroff flushes).
    u64 errors() const { return m_errors; }
    u64 dropped_input() const { return m_dropped_input; }

private:
    void process_input();
    // Never inlined (the image is built with LTO): a crash inside any
    // command then shows this frame, the boundary between the shell and the
    // command, in the report's backtrace.
    [[gnu::noinline]] void run_line(StringView line);
    void complete_command();
    void prompt();

    Kernel& m_kernel;
    LineEditor m_editor;
    RingBuffer<u8, kPendingInput> m_pending;
    Deferred m_resume;
    BlockRequest m_block_request;
    void (*m_cancel)(Shell&) = nullptr;
    bool m_started = false;
    bool m_held = false;
    bool m_input_ended = false;
    u64 m_errors = 0;
    u64 m_dropped_input = 0;
    alignas(4096) u8 m_io_buffer[kIoBufferSize];
};

}  // namespace mote
