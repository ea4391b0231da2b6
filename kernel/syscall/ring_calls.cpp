// ring_setup and ring_enter: the submission/completion ring
// (abi::RingHeader, proc/submission_ring.hpp).
//
// Each entry runs the very handler the plain syscall uses (sys_read, ...),
// with m_no_wait set: an object that would park answers WouldBlock instead,
// and the entry stays pending in the kernel's SubmissionRing until the
// object it names reports progress (the poll() mechanism: watch/unwatch and
// Thread::poll_event). So a read through the ring and a read(2) run the
// same code and cannot diverge; only waiting differs.
#include "base/memory.hpp"
#include "proc/process.hpp"
#include "syscall/syscalls.hpp"

namespace mote {

namespace {

constexpr u64 kHeaderBytes = 64;
static_assert(sizeof(abi::RingHeader) <= kHeaderBytes);

// The one Syscalls a parked ring_enter finishes through (there is one per
// kernel; the Thread's poll hook is a plain function).
Syscalls* g_ring_syscalls = nullptr;

// The ring's pages, looked up once per ring_enter (or wake-up) instead of
// once per entry and completion: each is a user page checked readable and
// writable, reached through the direct map like every copy. Valid while
// the call runs: the process is in the kernel and nothing a ring entry does
// unmaps memory.
class RingView {
public:
    static constexpr usize kMaxPages = 4;  // 64 + 256 * 56 bytes
    static_assert(kHeaderBytes + abi::kRingMaxEntries * (sizeof(abi::RingEntry) + sizeof(abi::RingCompletion)) <=
                  kMaxPages * kPageSize);

    SysOr<bool> load(Thread& thread, const SubmissionRing& ring) {
        AddressSpace& space = thread.process().space();
        u64 bytes = kHeaderBytes + u64(ring.entries) * (sizeof(abi::RingEntry) + sizeof(abi::RingCompletion));
        m_count = usize((bytes + kPageSize - 1) / kPageSize);
        for (usize i = 0; i < m_count; ++i) {
            auto page = space.reach(ring.address + i * kPageSize, AddressSpace::Need::Write);
            if (page.is_error()) return abi::Err::BadAddress;
            m_pages[i] = page.value();
        }
        return true;
    }
    // Typed copies: a record within one page (all but the few that
    // straddle a boundary) is a fixed-size copy the compiler inlines.
    template <typename T>
    void get(u64 offset, T& out) const {
        usize in_page = offset % kPageSize;
        if (in_page + sizeof(T) <= kPageSize) __builtin_memcpy(&out, m_pages[offset / kPageSize] + in_page, sizeof(T));
        else read(offset, &out, sizeof(T));
    }
    template <typename T>
    void put(u64 offset, const T& value) {
        usize in_page = offset % kPageSize;
        if (in_page + sizeof(T) <= kPageSize) __builtin_memcpy(m_pages[offset / kPageSize] + in_page, &value, sizeof(T));
        else write(offset, &value, sizeof(T));
    }

    void read(u64 offset, void* out, usize length) const {
        auto* bytes = static_cast<u8*>(out);
        while (length) {
            usize in_page = offset % kPageSize;
            usize chunk = min<usize>(length, kPageSize - in_page);
            mem_copy(bytes, m_pages[offset / kPageSize] + in_page, chunk);
            bytes += chunk;
            offset += chunk;
            length -= chunk;
        }
    }
    void write(u64 offset, const void* from, usize length) {
        auto* bytes = static_cast<const u8*>(from);
        while (length) {
            usize in_page = offset % kPageSize;
            usize chunk = min<usize>(length, kPageSize - in_page);
            mem_copy(m_pages[offset / kPageSize] + in_page, bytes, chunk);
            bytes += chunk;
            offset += chunk;
            length -= chunk;
        }
    }

private:
    u8* m_pages[kMaxPages] {};
    usize m_count = 0;
};

// One view: ring_enter and ring events run in loop context, one at a time.
RingView g_view;

u64 sq_offset(const SubmissionRing& ring, u32 index) {
    return kHeaderBytes + u64(index & (ring.entries - 1)) * sizeof(abi::RingEntry);
}

u64 cq_offset(const SubmissionRing& ring, u32 index) {
    return kHeaderBytes + u64(ring.entries) * sizeof(abi::RingEntry) +
           u64(index & (ring.entries - 1)) * sizeof(abi::RingCompletion);
}

// Loads the view and reads the header from it.
SysOr<abi::RingHeader> read_header(Thread& thread, const SubmissionRing& ring) {
    abi::RingHeader header {};
    SYS_TRY_VALUE(g_view.load(thread, ring));
    g_view.get(0, header);
    // The process owns these numbers: check them before trusting any.
    if (header.sq_tail - header.sq_head > ring.entries || header.cq_tail - header.cq_head > ring.entries)
        return abi::Err::Malformed;
    return header;
}

// Writes back only the fields the kernel owns (sq_head, cq_tail, pending).
SysOr<bool> write_header(Thread&, const SubmissionRing&, const abi::RingHeader& header) {
    g_view.put(__builtin_offsetof(abi::RingHeader, sq_head), header.sq_head);
    g_view.put(__builtin_offsetof(abi::RingHeader, cq_tail), header.cq_tail);
    g_view.put(__builtin_offsetof(abi::RingHeader, pending), header.pending);
    return true;
}

SysOr<bool> post(Thread&, const SubmissionRing& ring, abi::RingHeader& header, u64 user_data, i64 result) {
    abi::RingCompletion completion {user_data, result};
    g_view.put(cq_offset(ring, header.cq_tail), completion);
    ++header.cq_tail;
    return true;
}

}  // namespace

bool Syscalls::ring_run(Thread& thread, const abi::RingEntry& entry, i64& result) {
    // Every argument register written once (no zero-fill first).
    SyscallArgs args {{entry.handle, entry.arg1, entry.arg2, entry.arg3, 0, 0}};
    abi::Sys op = abi::Sys(entry.op);
    switch (op) {
    case abi::Sys::Read:
    case abi::Sys::Write: break;
    case abi::Sys::ChannelSend:
    case abi::Sys::ChannelRecv:
        args.a[2] = 0;  // the ring waits, not the entry
        break;
    case abi::Sys::Poll: {
        // One handle: arg1 is the events asked; the result is those ready.
        // A process's own signals are taken only by poll() itself.
        if (entry.arg1 & SignalBox::kEvents) {
            result = -i64(abi::Err::InvalidArgument);
            return true;
        }
        auto object = handle_object(thread, entry.handle, abi::kRightWait);
        if (object.is_error()) {
            result = -i64(object.error());
            return true;
        }
        u32 ready = object.release_value()->poll_ready(u32(entry.arg1));
        result = ready;
        return ready != 0;
    }
    default: result = -i64(abi::Err::InvalidArgument); return true;
    }
    m_no_wait = true;
    // The plain syscalls' own handlers (not call(): with one caller, the
    // dispatch switch stays inlined into the null syscall's path).
    SysResult outcome = op == abi::Sys::Read    ? sys_read(thread, args)
                        : op == abi::Sys::Write ? sys_write(thread, args)
                        : op == abi::Sys::ChannelSend ? sys_channel_send(thread, args)
                                                      : sys_channel_recv(thread, args);
    m_no_wait = false;
    VERIFY_MSG(outcome.failed() || !outcome.outcome().parked, "a ring entry parked its thread");
    if (outcome.failed() && outcome.error() == abi::Err::WouldBlock) return false;
    result = outcome.user_value();
    return true;
}

// Retries the pending entries; posts the ones that finish.
SysOr<bool> Syscalls::ring_retry(Thread& thread, abi::RingHeader& header) {
    SubmissionRing& ring = thread.process().ring();
    u32 kept = 0;
    for (u32 i = 0; i < ring.pending_count; ++i) {
        i64 result = 0;
        if (ring_run(thread, ring.pending[i], result)) SYS_TRY_VALUE(post(thread, ring, header, ring.pending[i].user_data, result));
        else ring.pending[kept++] = ring.pending[i];
    }
    ring.pending_count = kept;
    header.pending = kept;
    return true;
}

SysResult Syscalls::sys_ring_setup(Thread& thread, const SyscallArgs& args) {
    u64 entries = args.a[0];
    if (entries == 0 || entries > abi::kRingMaxEntries || (entries & (entries - 1))) return abi::Err::InvalidArgument;
    SubmissionRing& ring = thread.process().ring();
    if (ring.address) return abi::Err::BadState;  // one ring per process
    u64 bytes = kHeaderBytes + entries * (sizeof(abi::RingEntry) + sizeof(abi::RingCompletion));
    AddressSpace& space = thread.process().space();
    auto address = space.map_anywhere(bytes, kUserRead | kUserWrite);
    if (address.is_error()) return address.error() == Error::Overflow ? abi::Err::TooMany : to_abi(address.error());
    abi::RingHeader header {};
    header.entries = u32(entries);
    header.sq_offset = kHeaderBytes;
    header.cq_offset = kHeaderBytes + entries * sizeof(abi::RingEntry);
    SYS_TRY(copy_to_user(thread, address.value(), Span<const u8>(reinterpret_cast<const u8*>(&header), sizeof(header))));
    ring.address = address.value();
    ring.entries = u32(entries);
    g_ring_syscalls = this;
    return Outcome::done(address.value());
}

SysResult Syscalls::sys_ring_enter(Thread& thread, const SyscallArgs& args) {
    SubmissionRing& ring = thread.process().ring();
    if (!ring.address) return abi::Err::BadState;
    u64 to_submit = args.a[0];
    u64 min_complete = args.a[1];
    Nanoseconds timeout = args.a[2];
    if (min_complete > ring.entries) return abi::Err::InvalidArgument;
    abi::RingHeader header = SYS_TRY(read_header(thread, ring));

    // Take entries while every one taken is sure of a completion slot.
    for (u64 taken = 0; taken < to_submit && header.sq_head != header.sq_tail; ++taken) {
        if (header.cq_tail - header.cq_head + ring.pending_count >= ring.entries) break;
        abi::RingEntry entry;  // filled whole from the ring
        g_view.get(sq_offset(ring, header.sq_head), entry);
        ++header.sq_head;
        i64 result = 0;
        if (ring_run(thread, entry, result)) {
            SYS_TRY(post(thread, ring, header, entry.user_data, result));
        } else if (ring.pending_count < SubmissionRing::kMaxPending) {
            ring.pending[ring.pending_count++] = entry;
        } else {
            SYS_TRY(post(thread, ring, header, entry.user_data, -i64(abi::Err::Busy)));
        }
    }
    SYS_TRY(ring_retry(thread, header));
    SYS_TRY(write_header(thread, ring, header));
    u32 ready = header.cq_tail - header.cq_head;
    if (ready >= min_complete || timeout == 0 || ring.pending_count == 0) return Outcome::done(ready);

    // Wait for the pending entries' objects, like poll().
    ring.min_complete = u32(min_complete);
    for (u32 i = 0; i < ring.pending_count; ++i) {
        auto held = thread.process().handles().get(ring.pending[i].handle);
        if (held.ok()) held.value().object->watch(thread);
    }
    thread.set_polling(true, [](Thread& woken) { g_ring_syscalls->ring_event(woken, false); });
    if (timeout != kNoDeadline) {
        thread.timer().set_callback([](Timer& timer) { g_ring_syscalls->ring_event(*static_cast<Thread*>(timer.context()), true); },
                                    &thread);
        m_processes.loop().arm_after(thread.timer(), timeout);
    }
    thread.park("ring");
    return Outcome::park();
}

void Syscalls::ring_event(Thread& thread, bool timed_out) {
    // A ring_enter may be running below this call (its channel entry woke
    // this poller): keep its view.
    RingView outer = g_view;
    ring_event_now(thread, timed_out);
    g_view = outer;
}

void Syscalls::ring_event_now(Thread& thread, bool timed_out) {
    SubmissionRing& ring = thread.process().ring();
    auto header = read_header(thread, ring);
    if (header.is_error()) {
        thread.process().table().stop_watching(thread);
        thread.wake(-i64(header.error()));
        return;
    }
    abi::RingHeader value = header.release_value();
    auto retried = ring_retry(thread, value);
    if (retried.is_error()) {
        thread.process().table().stop_watching(thread);
        thread.wake(-i64(retried.error()));
        return;
    }
    (void)write_header(thread, ring, value);
    u32 ready = value.cq_tail - value.cq_head;
    if (ready < ring.min_complete && ring.pending_count > 0 && !timed_out) return;  // keep waiting
    thread.process().table().stop_watching(thread);
    thread.wake(ready);
}

}  // namespace mote
