#include "core/log.hpp"

namespace mote {

Log::Log() = default;

Log& klog() {
    static Log log;
    return log;
}

const char* log_level_name(LogLevel level) {
    switch (level) {
    case LogLevel::Error: return "error";
    case LogLevel::Warn: return "warn";
    case LogLevel::Info: return "info";
    case LogLevel::Debug: return "debug";
    case LogLevel::Trace: return "trace";
    }
    return "?";
}

bool parse_log_level(StringView text, LogLevel& out) {
    for (u8 l = 0; l <= u8(LogLevel::Trace); ++l) {
        if (text == StringView(log_level_name(LogLevel(l)))) {
            out = LogLevel(l);
            return true;
        }
    }
    return false;
}

void Log::prefix(FixedString<kLineMax>& line, LogLevel level, StringView tag) {
    Nanoseconds t = m_clock ? m_clock() : 0;
    u64 us = t / 1000;
    line.appendf("[{:>5}.{:06}] {:<5} {}: ", us / 1000000, us % 1000000, log_level_name(level), tag);
}

void Log::commit(LogLevel level, StringView line) {
    ++m_lines;
    // Make room for the line and its newline by dropping whole old lines.
    usize need = line.length() + 1;
    while (m_ring.capacity() - m_ring.size() < need) {
        char c;
        while (m_ring.pop(c) && c != '\n') {
        }
        ++m_dropped;
    }
    for (char c : line) (void)m_ring.push(c);
    (void)m_ring.push('\n');

    if (m_sink && level <= m_console_level) m_sink(line, m_sink_context);
}

void Log::for_each_line(void (*emit)(StringView line, void* context), void* context) const {
    for_each_recent_line(m_ring.size(), emit, context);
}

void Log::for_each_recent_line(usize budget, void (*emit)(StringView line, void* context), void* context) const {
    // Start at the first line boundary that leaves at most `budget` bytes.
    usize from = m_ring.size() > budget ? m_ring.size() - budget : 0;
    if (from > 0 && m_ring.at(from - 1) != '\n') {
        while (from < m_ring.size() && m_ring.at(from) != '\n') ++from;
        ++from;
    }
    char buf[kLineMax + 1];
    usize len = 0;
    for (usize i = from; i < m_ring.size(); ++i) {
        char c = m_ring.at(i);
        if (c == '\n') {
            emit(StringView(buf, len), context);
            len = 0;
        } else if (len < kLineMax) {
            buf[len++] = c;
        }
    }
}

}  // namespace mote
