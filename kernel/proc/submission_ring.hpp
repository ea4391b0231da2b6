// SubmissionRing: the kernel's side of a process's submission/completion
// ring (abi::RingHeader). The ring's memory is the process's own (mapped by
// ring_setup, read and written only through copy_in/copy_out, so a process
// that scribbles over it hurts only itself); what the kernel keeps here is
// where the ring is and the entries that were taken but had to wait (they
// complete later, out of order). syscall/ring_calls.cpp runs it.
#pragma once

#include "abi/syscalls.hpp"
#include "base/types.hpp"

namespace mote {

struct SubmissionRing {
    // Entries waiting to complete at once; one more that would wait is
    // completed with Busy instead (the ring never grows kernel memory).
    static constexpr u32 kMaxPending = 16;

    u64 address = 0;  // the RingHeader in user memory; 0: no ring
    u32 entries = 0;
    u32 pending_count = 0;
    u32 min_complete = 0;  // while ring_enter is parked
    abi::RingEntry pending[kMaxPending] {};
};

}  // namespace mote
