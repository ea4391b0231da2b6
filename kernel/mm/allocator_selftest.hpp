// An in-kernel self-test of the page allocator and slab caches, run on the
// *live* allocator (the bare-metal `mote.test=all` mode calls it; the host
// unit tests run it too).
//
// It takes every free page (in several patterns: big blocks first, single
// pages, odd page counts, slab objects), stamps each page with who owns it,
// checks no stamp was overwritten by another allocation, frees everything,
// and checks that the allocator is back in exactly its starting state: the
// same number of free blocks of every order. That last check is what proves
// coalescing works, and it holds however fragmented the starting state was,
// because a buddy allocator's free state is unique for a given set of
// allocated blocks.
//
// While it runs, no memory is left for anyone else: call it only where
// nothing else allocates meanwhile (the loop is not running other work).
// The allocator's call counters (allocations, frees, failures) do move.
#pragma once

#include "base/span.hpp"
#include "mm/page_allocator.hpp"

namespace mote {

struct AllocatorSelftestResult {
    u32 passed = 0;
    u32 failed = 0;
};

// Told about each check as it completes, for a test log ("PASS ..."/"FAIL ...").
using AllocatorSelftestLog = void (*)(StringView check, bool passed, void* context);

AllocatorSelftestResult run_allocator_selftest(PageAllocator& pages, AllocatorSelftestLog log = nullptr,
                                               void* context = nullptr);

}  // namespace mote
