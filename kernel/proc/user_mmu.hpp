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
    virtual Result<void> protect(u64 va, u32 access) = 0;
    virtual Result<UserPage> translate(u64 va) const = 0;
    // The kernel wrote instructions into `frame` (mapped executable): make
    // the CPU fetch what was written.
    virtual void code_written(PhysAddr frame) { (void)frame; }
    // Table pages this MMU holds now (memory accounting).
    virtual u64 table_pages() const = 0;

protected:
    ~UserMmu() = default;
};

}  // namespace mote
