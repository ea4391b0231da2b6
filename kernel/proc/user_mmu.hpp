// UserMmu: the translation of one user address space, as the platform
// builds it (the arch page tables on bare metal). The portable
// AddressSpace decides what is mapped where and owns the frames; the MMU
// only records it, one 4 KiB page at a time, and answers translations, so
// the kernel can reach user memory through the direct map without ever
// dereferencing a user address (see AddressSpace::copy_in).
#pragma once

#include "base/result.hpp"
#include "mm/phys_range.hpp"

namespace mote {

// The access a user page allows; the same bits as abi::MapFlags.
enum UserAccess : u32 { kUserRead = 1, kUserWrite = 2, kUserExecute = 4 };

struct UserPage {
    PhysAddr frame = 0;
    u32 access = 0;  // UserAccess bits
};

class UserMmu {
public:
    // Maps the page at `va` (page aligned, in the user half) to `frame`.
    // BadState if something is mapped there already.
    virtual Result<void> map(u64 va, PhysAddr frame, u32 access) = 0;
    // Removes the page at `va` and returns its frame; NotFound if none.
    virtual Result<PhysAddr> unmap(u64 va) = 0;
    // Removes every page in [va, va + size) and hands each frame to
    // `on_frame`; pages not mapped are skipped. One walk for the range,
    // where per-page unmap would revisit (and re-check for emptiness) each
    // table per page.
    using FrameSink = void (*)(PhysAddr frame, void* context);
    virtual void unmap_range(u64 va, u64 size, FrameSink on_frame, void* context) {
        for (u64 page = va; page < va + size; page += kPageSize)
            if (auto frame = unmap(page); frame.ok()) on_frame(frame.value(), context);
    }
    // Removes every user page at once (the process is ending) and hands each
    // frame to `on_frame`; the MMU takes no new mappings afterwards. One
    // pass over the whole tree, where region-by-region unmapping would
    // check each table for emptiness again and again. False if this MMU
    // cannot (the caller then unmaps region by region).
    virtual bool unmap_all(FrameSink on_frame, void* context) {
        (void)on_frame, (void)context;
        return false;
    }
    virtual Result<void> protect(u64 va, u32 access) = 0;
    virtual Result<UserPage> translate(u64 va) const = 0;
    // The kernel wrote instructions into `frame` (mapped executable): make
    // the CPU fetch what was written.
    virtual void code_written(PhysAddr frame) { (void)frame; }
    // Whether a fault on an untouched page comes back to the kernel so it
    // can bring the page in (AddressSpace::resolve_fault). The hosted
    // platform's programs die on such a fault instead; their lazy regions
    // are populated whole.
    virtual bool demand_paging() const { return true; }
    // Table pages this MMU holds now (memory accounting).
    virtual u64 table_pages() const = 0;

protected:
    ~UserMmu() = default;
};

}  // namespace mote
