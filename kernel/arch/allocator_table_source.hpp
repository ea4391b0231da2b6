// The TableSource (arch/radix_page_tables.hpp) of the trees built after
// boot, user address spaces: one order-0 block of the buddy allocator per
// table page, reached through the direct map. Built with the MMU on, so it
// may hold the allocator's address.
#pragma once

#include "mm/page_allocator.hpp"

namespace mote::arch {

struct AllocatorTableSource {
    PageAllocator* allocator = nullptr;

    // A zeroed page (the allocator hands out whatever was there).
    Result<u64> allocate() const {
        PhysAddr page = TRY(allocator->allocate(0, kOwnerPageTable));
        u64* t = at(page);
        for (usize i = 0; i < 512; ++i) t[i] = 0;
        return page;
    }
    void free(u64 page_phys) const { allocator->free(page_phys, 0); }
    u64* at(u64 page_phys) const { return static_cast<u64*>(allocator->to_virtual(page_phys)); }
};

}  // namespace mote::arch
