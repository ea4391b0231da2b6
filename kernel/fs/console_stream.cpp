#include "fs/console_stream.hpp"

#include "proc/process.hpp"

namespace mote {

Result<usize> ConsoleStream::take(Thread& thread, u64 buffer, u64 length) {
    u8 chunk[128];
    usize total = 0;
    const bool was_full = m_input.size() == kBufferBytes;
    while (total < length && !m_input.empty()) {
        usize n = 0;
        while (n < sizeof(chunk) && total + n < length && m_input.pop(chunk[n])) ++n;
        TRY(thread.process().space().copy_out(buffer + total, ReadonlyBytes(chunk, n)));
        total += n;
    }
    // A source holding input back (a pipe into the hosted kernel) waits
    // for this.
    if (was_full && total > 0) m_console.input_room_opened();
    return total;
}

Result<Outcome> ConsoleStream::read(IoArgs& io) {
    if (io.length == 0) return Outcome::done(0);
    note_input_wanted();
    // Check the buffer before taking any byte out of the queue, so a bad
    // pointer loses no input.
    TRY(io.check_writable(io.buffer, io.length));
    if (!m_input.empty()) return Outcome::done(TRY(take(io.thread, io.buffer, io.length)));
    if (m_ended) return Outcome::done(0);
    if (io.no_wait) return Error::WouldBlock;
    if (m_reader) return Error::Busy;
    m_reader = &io.thread;
    io.thread.pending[0] = io.buffer;
    io.thread.pending[1] = io.length;
    ++m_stats.reads_parked;
    io.thread.park("console read", this);
    return Outcome::park();
}

Result<usize> ConsoleStream::put(Thread& thread, u64 buffer, u64 length) {
    char chunk[256];
    u64 done = 0;
    while (done < length) {
        const usize room = m_console.write_room();
        if (room == 0) break;
        const usize n = usize(min<u64>(min<u64>(sizeof(chunk), length - done), room));
        TRY(thread.process().space().copy_in(Span<u8>(reinterpret_cast<u8*>(chunk), n), buffer + done));
        m_console.write(StringView(chunk, n));
        done += n;
    }
    m_stats.bytes_out += done;
    return usize(done);
}

Result<Outcome> ConsoleStream::write(IoArgs& io) {
    // The whole buffer first: a bad pointer is BadAddress, and writes
    // nothing (as before any wait).
    TRY(io.check_readable(io.buffer, io.length));
    // Behind writers already waiting, nothing jumps the queue.
    const usize done = m_writers.empty() ? TRY(put(io.thread, io.buffer, io.length)) : 0;
    if (done > 0 || io.length == 0) return Outcome::done(done);
    // The console's buffer is full (a UART slower than the program): wait
    // for the driver to move bytes out, as a pipe's writer would.
    m_output_full = true;
    if (io.no_wait) return Error::WouldBlock;
    io.thread.pending[0] = io.buffer;
    io.thread.pending[1] = io.length;
    m_writers.push_back(io.thread);
    ++m_stats.writes_parked;
    io.thread.park("console write", this);
    return Outcome::park();
}

void ConsoleStream::flush_writers() {
    // The common case, output flowing: nobody is waiting for room.
    if (!m_output_full) return;
    while (Thread* writer = m_writers.front()) {
        if (m_console.write_room() == 0) return;
        m_writers.remove(*writer);
        auto put_bytes = put(*writer, writer->pending[0], writer->pending[1]);
        writer->wake(put_bytes.is_error() ? -i64(abi::Err::BadAddress) : i64(put_bytes.value()));
    }
    if (m_console.write_room() == 0) return;
    m_output_full = false;
    if (m_poller) m_poller->poll_event();
}

Result<void> ConsoleStream::stat(abi::Stat& stat) {
    stat = {};
    stat.type = u32(abi::NodeType::Stream);
    stat.size = m_input.size();
    return {};
}

u32 ConsoleStream::poll_ready(u32 events) {
    if (events & abi::kPollReadable) note_input_wanted();
    u32 ready = abi::kPollWritable;
    if (m_console.write_room() == 0) {
        m_output_full = true;  // tell the poller when room opens
        ready = 0;
    }
    if (!m_input.empty() || m_ended) ready |= abi::kPollReadable;
    if (m_ended) ready |= abi::kPollHangup;
    return ready & (events | abi::kPollHangup);
}

void ConsoleStream::note_input_wanted() {
    if (!m_input_wanted) return;
    auto listener = m_input_wanted;
    m_input_wanted = nullptr;
    listener(m_input_wanted_context);
}

void ConsoleStream::unwatch(Thread& thread) {
    if (m_poller == &thread) m_poller = nullptr;
}

void ConsoleStream::cancel_wait(Thread& thread) {
    if (m_reader == &thread) m_reader = nullptr;
    if (thread.wait_node.is_linked() && thread.wait_object() == this) m_writers.remove(thread);
}

void ConsoleStream::deliver() {
    if (m_reader && (!m_input.empty() || m_ended)) {
        Thread& reader = *m_reader;
        m_reader = nullptr;
        auto taken = take(reader, reader.pending[0], reader.pending[1]);
        reader.wake(taken.is_error() ? -i64(abi::Err::BadAddress) : i64(taken.value()));
    }
    if (m_poller && (!m_input.empty() || m_ended)) {
        Thread* poller = m_poller;
        poller->poll_event();
    }
}

Result<void> ConsoleStream::set_foreground(Span<Process* const> processes) {
    if (processes.size() > abi::kMaxForeground) return Error::InvalidArgument;
    m_foreground_count = processes.size();
    for (usize i = 0; i < processes.size(); ++i) m_foreground[i] = processes[i]->pid();
    return {};
}

bool ConsoleStream::interrupt_foreground() {
    bool delivered = false;
    for (usize i = 0; i < m_foreground_count; ++i) {
        Process* process = m_processes.find(m_foreground[i]);
        if (!process) continue;  // ended since
        if (m_processes.signal(*process, abi::Signal::Interrupt).ok()) delivered = true;
    }
    if (!delivered) {
        m_foreground_count = 0;  // all of it has ended: nothing to keep
        return false;
    }
    ++m_stats.interrupts;
    m_stats.flushed += m_input.size();
    m_input.clear();
    return true;
}

void ConsoleStream::on_input(ReadonlyBytes bytes) {
    for (u8 byte : bytes) {
        if (byte == kInterruptKey && m_foreground_count > 0 && interrupt_foreground()) continue;
        if (!m_input.push(byte)) ++m_stats.dropped;
        else ++m_stats.bytes_in;
    }
    deliver();
}

void ConsoleStream::on_end() {
    m_ended = true;
    deliver();
}

}  // namespace mote
