// The TableSource (arch/radix_page_tables.hpp) of the trees built after
// boot, user address spaces: one order-0 block of the buddy allocator per
// table page, reached through the direct map. Built with the MMU on, so it
// may hold the allocator's address.
#pragma once

#include "base/memory.hpp"
#include "mm/page_allocator.hpp"

namespace mote::arch {

struct AllocatorTableSource {
    PageAllocator* allocator = nullptr;

    // A zeroed page (the allocator hands out whatever was there).
    Result<u64> allocate() const {
        PhysAddr page = TRY(allocator->allocate(0, kOwnerPageTable));
        mem_set(at(page), 0, 4096);  // 64 bytes a step: a spawn zeroes several tables
        return page;
    }
    void free(u64 page_phys) const { allocator->free(page_phys, 0); }
    u64* at(u64 page_phys) const { return static_cast<u64*>(allocator->to_virtual(page_phys)); }
};

}  // namespace mote::arch
