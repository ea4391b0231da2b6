// The table pages of the boot address spaces: a fixed array in .bss, so
// they are part of the kernel image that the memory map reserves, and
// nothing allocates. A page given back (an unmap that emptied a table) goes
// on a free list threaded through the pages themselves and is reused first.
//
// The riscv64 and aarch64 boot code fills its tree with the MMU off, at the
// physical load address, where everything must be reached PC-relatively.
// So a tree never stores the pool's address (taken with the MMU off, it
// would be the physical one): PoolSource asks `Pool()` on every call, and
// the pool's pages are reached at phys + access_offset, which the boot code
// changes as the MMU comes on.
#pragma once

#include "base/result.hpp"

namespace mote::arch {

struct TablePool {
    static constexpr u64 kNoPage = ~u64(0);

    u64 phys = 0;           // the first page
    u64 access_offset = 0;  // where the CPU reaches a page: phys + this
    usize capacity = 0;     // pages
    usize used = 0;         // pages ever taken from the array (the high-water mark)
    usize free_count = 0;   // of those, pages given back and on the free list
    u64 free_list = kNoPage;

    u64* at(u64 page_phys) const { return reinterpret_cast<u64*>(page_phys + access_offset); }

    // A zeroed page, or NoMemory when the pool is used up.
    Result<u64> allocate() {
        u64 page;
        if (free_list != kNoPage) {
            page = free_list;
            free_list = at(page)[0];
            --free_count;
        } else {
            if (used == capacity) return Error::NoMemory;
            page = phys + used * 4096;
            ++used;
        }
        u64* t = at(page);
        for (usize i = 0; i < 512; ++i) t[i] = 0;
        return page;
    }

    // Takes back a page that allocate() returned.
    void free(u64 page_phys) {
        at(page_phys)[0] = free_list;
        free_list = page_phys;
        ++free_count;
    }

    usize in_use() const { return used - free_count; }
};

// The TableSource (arch/radix_page_tables.hpp) of a tree whose pages come
// from the pool that `Pool()` returns. Empty: it stores nothing.
template <TablePool& (*Pool)()>
struct PoolSource {
    Result<u64> allocate() const { return Pool().allocate(); }
    void free(u64 page_phys) const { Pool().free(page_phys); }
    u64* at(u64 page_phys) const { return Pool().at(page_phys); }
};

}  // namespace mote::arch
