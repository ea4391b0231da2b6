// poll(items, count, timeout): readiness of several handles at once.
//
// The items stay in the caller's memory while it is parked (it cannot touch
// them: it is parked), so a wake-up re-reads them, re-asks every object and
// either finishes (something is ready) or stays parked (a spurious event).
// Objects that cannot say when they change (sys/ files: recheck_period)
// are re-asked on the thread's timer, which then also keeps the deadline.
#include "proc/process.hpp"
#include "proc/process_table.hpp"
#include "syscall/syscalls.hpp"

namespace mote {

namespace {

constexpr u64 kMaxPollItems = abi::kPollMaxItems;

struct PollSet {
    abi::PollItem items[kMaxPollItems];
    KernelObject* objects[kMaxPollItems];
    u64 count = 0;
};

// Reads the items, resolves their handles and fills in `ready`.
SysOr<u64> evaluate(Thread& thread, u64 address, u64 count, PollSet& set) {
    set.count = count;
    SYS_TRY_VALUE(copy_from_user(thread, Span<u8>(reinterpret_cast<u8*>(set.items), count * sizeof(abi::PollItem)), address));
    u64 ready = 0;
    for (u64 i = 0; i < count; ++i) {
        const u32 events = set.items[i].events;
        if (set.items[i].handle == abi::kNoHandle) {
            // The process itself: only its signals.
            if (events == 0 || (events & ~SignalBox::kEvents)) return abi::Err::InvalidArgument;
            SignalBox& signals = thread.process().signals();
            if (events & abi::kPollInterrupt) signals.catch_interrupt();
            set.objects[i] = &signals;
        } else {
            if (events & SignalBox::kEvents) return abi::Err::InvalidArgument;
            set.objects[i] = SYS_TRY_VALUE(handle_object(thread, set.items[i].handle, abi::kRightWait));
        }
        set.items[i].ready = set.objects[i]->poll_ready(events);
        if (set.items[i].ready) ++ready;
    }
    return ready;
}

// The signals a finished poll reports are delivered: out of the box.
void take_signals(Thread& thread, PollSet& set) {
    for (u64 i = 0; i < set.count; ++i)
        if (set.items[i].handle == abi::kNoHandle) (void)thread.process().signals().take(set.items[i].ready);
}

void stop_watching(Thread& thread, PollSet& set) {
    for (u64 i = 0; i < set.count; ++i) set.objects[i]->unwatch(thread);
    thread.set_polling(false);
}

// One PollSet is enough: poll evaluates in loop context, one at a time.
PollSet g_set;

void finish(Thread& thread, bool timed_out) {
    u64 address = thread.pending[0];
    u64 count = thread.pending[1];
    auto ready = evaluate(thread, address, count, g_set);
    if (ready.is_error()) {
        stop_watching(thread, g_set);
        thread.wake(-i64(ready.error()));
        return;
    }
    u64 n = ready.release_value();
    if (n == 0 && !timed_out) return;  // spurious: stay parked
    stop_watching(thread, g_set);
    auto copied = copy_to_user(thread, address, Span<const u8>(reinterpret_cast<const u8*>(g_set.items),
                                                               count * sizeof(abi::PollItem)));
    if (!copied.is_error()) take_signals(thread, g_set);
    thread.wake(copied.is_error() ? -i64(copied.error()) : i64(n));
}

// The thread's timer: at the deadline (pending[2]) the poll ends; before
// it, every pending[3] nanoseconds the objects are asked again.
void arm_next(Thread& thread) {
    Loop& loop = thread.process().table().loop();
    const Nanoseconds deadline = thread.pending[2];
    const u64 recheck = thread.pending[3];
    const Nanoseconds now = loop.now();
    Nanoseconds at = deadline;
    if (recheck && (deadline == kNoDeadline || deadline - now > recheck)) at = now + recheck;
    loop.arm_after(thread.timer(), at > now ? at - now : 0);
}

void on_timer(Timer& timer) {
    Thread& thread = *static_cast<Thread*>(timer.context());
    if (thread.process().table().loop().now() >= thread.pending[2]) {
        finish(thread, true);
        return;
    }
    finish(thread, false);
    if (thread.polling()) arm_next(thread);  // nothing ready yet
}

}  // namespace

SysResult Syscalls::sys_poll(Thread& thread, const SyscallArgs& args) {
    u64 address = args.a[0];
    u64 count = args.a[1];
    Nanoseconds timeout = args.a[2];
    if (count > (~u64(0) - address) / sizeof(abi::PollItem)) return abi::Err::Overflow;
    if (count > kMaxPollItems) return abi::Err::InvalidArgument;
    if (count == 0 && timeout == kNoDeadline) return abi::Err::InvalidArgument;  // would sleep for ever
    u64 bytes = count * sizeof(abi::PollItem);
    u64 ready = SYS_TRY(evaluate(thread, address, count, g_set));
    if (ready > 0 || timeout == 0) {
        SYS_TRY(copy_to_user(thread, address, Span<const u8>(reinterpret_cast<const u8*>(g_set.items), bytes)));
        take_signals(thread, g_set);
        return Outcome::done(ready);
    }
    SYS_TRY(check_writable(thread, address, bytes));
    thread.pending[0] = address;
    thread.pending[1] = count;
    for (u64 i = 0; i < count; ++i) g_set.objects[i]->watch(thread);
    thread.set_polling(true, [](Thread& woken) { finish(woken, false); });
    u64 recheck = 0;
    for (u64 i = 0; i < count; ++i) {
        const u64 period = g_set.objects[i]->recheck_period();
        if (period && (!recheck || period < recheck)) recheck = period;
    }
    if (timeout != kNoDeadline || recheck) {
        const Nanoseconds now = m_processes.loop().now();
        thread.pending[2] = timeout == kNoDeadline || timeout > kNoDeadline - now ? kNoDeadline : now + timeout;
        thread.pending[3] = recheck;
        thread.timer().set_callback(on_timer, &thread);
        arm_next(thread);
    }
    thread.park("poll");
    return Outcome::park();
}

}  // namespace mote
