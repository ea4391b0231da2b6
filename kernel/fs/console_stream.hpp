// ConsoleStream: the console as a handle (a program's stdin, stdout and
// stderr). Writes go straight to the console driver; typed bytes are kept
// in a bounded buffer (overflow is counted, never a wait) until a program
// reads them. Raw bytes: no echo, no line editing. Those belong to the
// program that owns the terminal (the shell), as on a serial line.
//
// One thing the terminal does itself, because only it sees the key before
// any reader: while a foreground is set (foreground(), which the shell
// calls for the job it waits for), Ctrl-C is Signal::Interrupt to each of
// those processes still alive instead of a byte, and the input typed
// before it is dropped (what the interrupted program had not read yet, as
// a terminal's INTR flushes). So a foreground program may read the console
// itself (cat) and Ctrl-C still reaches it. With no foreground, or none of
// it alive, Ctrl-C is the byte 0x03 (the shell's line editor cancels the
// line). The foreground is kept as pids, which are never reused: an ended
// process is simply not found.
//
// One reader may be parked at a time (a second gets Busy) and one poller
// watched; both are threads whose state holds everything (the user buffer
// and its length in Thread::pending), so nothing waits on a stack.
#pragma once

#include "base/ring_buffer.hpp"
#include "dev/console.hpp"
#include "proc/kernel_object.hpp"
#include "proc/process_table.hpp"
#include "proc/wait_list.hpp"

namespace mote {

struct ConsoleStreamStats {
    u64 bytes_in = 0;
    u64 bytes_out = 0;
    u64 dropped = 0;  // typed while the buffer was full
    u64 reads_parked = 0;
    u64 writes_parked = 0;  // waited for a slow console to take output
    u64 interrupts = 0;     // Ctrl-C that became Signal::Interrupt
    u64 flushed = 0;        // unread input dropped by those
};

class ConsoleStream final : public KernelObject, public ConsoleInput {
public:
    static constexpr usize kBufferBytes = 1024;

    static constexpr u8 kInterruptKey = 0x03;  // Ctrl-C

    ConsoleStream(Console& console, ProcessTable& processes)
        : KernelObject(ObjectType::Stream), m_console(console), m_processes(processes) {
        retain();  // the kernel's own reference: it lives as long as the kernel
        m_console.set_room_listener([](void* self) { static_cast<ConsoleStream*>(self)->flush_writers(); }, this);
    }
    ~ConsoleStream() { m_console.set_room_listener(nullptr, nullptr); }

    // KernelObject
    Result<Outcome> read(IoArgs& io) override;
    Result<Outcome> write(IoArgs& io) override;
    Result<void> stat(abi::Stat& stat) override;
    u32 poll_ready(u32 events) override;
    void watch(Thread& thread) override { m_poller = &thread; }
    void unwatch(Thread& thread) override;
    void cancel_wait(Thread& thread) override;
    Result<void> set_foreground(Span<Process* const> processes) override;

    // ConsoleInput
    void on_input(ReadonlyBytes bytes) override;
    void on_end() override;
    usize input_room() const override { return kBufferBytes - m_input.size(); }

    const ConsoleStreamStats& stats() const { return m_stats; }

    // `listener(context)` runs once, the first time a program asks for
    // typed input (a read, or a poll for readable, whether or not bytes
    // were typed ahead): the machine is at its prompt, which is where the
    // kernel's boot timeline ends (Kernel marks its "prompt" step).
    void on_first_input_wanted(void (*listener)(void*), void* context) {
        m_input_wanted = listener;
        m_input_wanted_context = context;
    }

private:
    // Moves buffered bytes to the parked reader and wakes it.
    void deliver();
    Result<usize> take(Thread& thread, u64 buffer, u64 length);
    // Writes what fits of `length` bytes at `buffer` in `thread`'s memory;
    // how many went.
    Result<usize> put(Thread& thread, u64 buffer, u64 length);
    // The console moved bytes out: parked writers go on, first come first.
    void flush_writers();
    // Ctrl-C arrived: interrupts the foreground; false if nobody in it is
    // alive (the key is then an ordinary byte).
    bool interrupt_foreground();
    // A program asks for input: tells the on_first_input_wanted() listener,
    // once.
    void note_input_wanted();

    Console& m_console;
    ProcessTable& m_processes;
    u32 m_foreground[abi::kMaxForeground] {};  // pids; 0: unused
    usize m_foreground_count = 0;
    RingBuffer<u8, kBufferBytes> m_input;
    bool m_ended = false;
    Thread* m_reader = nullptr;
    // Writers parked because the console's buffer was full (a slow UART).
    WaitList m_writers;
    // Someone found no room (a parked writer, WouldBlock, a poll that was
    // told "not writable"): the next room opened is worth a notice.
    bool m_output_full = false;
    Thread* m_poller = nullptr;
    void (*m_input_wanted)(void*) = nullptr;
    void* m_input_wanted_context = nullptr;
    ConsoleStreamStats m_stats;
};

}  // namespace mote
