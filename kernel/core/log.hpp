// The kernel log: levels, subsystem tags, timestamps.
//
// Every line is kept in a fixed ring (read back with the shell's `log`) and,
// if its level is at or above the console threshold, written to the console
// sink. Formatting happens into a stack line buffer of bounded size; nothing
// allocates. When the ring wraps, the oldest lines are dropped whole.
//
//     log_info("blk", "vda: {} sectors of {} bytes", capacity, sector_size);
#pragma once

#include "base/format.hpp"
#include "base/ring_buffer.hpp"
#include "core/timer.hpp"

namespace mote {

enum class LogLevel : u8 { Error, Warn, Info, Debug, Trace };

const char* log_level_name(LogLevel);
// Parses "error", "warn", "info", "debug", "trace".
bool parse_log_level(StringView text, LogLevel& out);

class Log {
public:
    using Sink = void (*)(StringView line, void* context);
    using ClockFn = Nanoseconds (*)();

    static constexpr usize kLineMax = 200;
    static constexpr usize kRingBytes = 16 * 1024;

    // Not constexpr on purpose: a constant-initialised Log would put its
    // 16 KiB ring in .data, in every kernel image file; constructed at
    // first use it lives in .bss.
    Log();

    void set_console(Sink sink, void* context) {
        m_sink = sink;
        m_sink_context = context;
    }
    void set_clock(ClockFn clock) { m_clock = clock; }
    void set_console_level(LogLevel level) { m_console_level = level; }
    LogLevel console_level() const { return m_console_level; }

    template <typename... Args>
    void write(LogLevel level, StringView tag, StringView fmt, const Args&... args) {
        FixedString<kLineMax> line;
        prefix(line, level, tag);
        line.appendf(fmt, args...);
        commit(level, line.view());
    }

    // Calls `emit` for each kept line, oldest first (without the newline).
    void for_each_line(void (*emit)(StringView line, void* context), void* context) const;
    // The same for the newest lines only, as many as fit in `budget` bytes
    // counting a newline after each (the crash path's epitaph: no allocation).
    void for_each_recent_line(usize budget, void (*emit)(StringView line, void* context), void* context) const;
    u64 lines_written() const { return m_lines; }
    u64 lines_dropped() const { return m_dropped; }

private:
    void prefix(FixedString<kLineMax>& line, LogLevel level, StringView tag);
    void commit(LogLevel level, StringView line);

    RingBuffer<char, kRingBytes> m_ring;
    Sink m_sink = nullptr;
    void* m_sink_context = nullptr;
    ClockFn m_clock = nullptr;
    LogLevel m_console_level = LogLevel::Info;
    u64 m_lines = 0;
    u64 m_dropped = 0;
};

// The kernel's one log.
Log& klog();

template <typename... Args>
void log_error(StringView tag, StringView fmt, const Args&... args) { klog().write(LogLevel::Error, tag, fmt, args...); }
template <typename... Args>
void log_warn(StringView tag, StringView fmt, const Args&... args) { klog().write(LogLevel::Warn, tag, fmt, args...); }
template <typename... Args>
void log_info(StringView tag, StringView fmt, const Args&... args) { klog().write(LogLevel::Info, tag, fmt, args...); }
template <typename... Args>
void log_debug(StringView tag, StringView fmt, const Args&... args) { klog().write(LogLevel::Debug, tag, fmt, args...); }

}  // namespace mote
