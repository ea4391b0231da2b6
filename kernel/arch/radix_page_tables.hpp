// The page-table builder every port shares: a radix tree of 4 KiB tables of
// 512 eight-byte entries (Sv39 on riscv64, VMSAv8-64 with the 4 KiB granule
// on aarch64, 4-level paging on x86_64). What differs per ISA is only the
// entry format, which each port describes as a `Format`:
//
//   static constexpr u32 kTopLevel      level of the root table; level 0
//                                       entries map 4 KiB, level n entries
//                                       map 4 KiB << 9n
//   static constexpr u32 kLargestLeaf   the largest level a leaf may use
//   static bool valid(u64 entry)
//   static bool is_leaf(u64 entry, u32 level)   for a valid entry
//   static u64 table_entry(u64 table_phys)      points at a next-level table
//   static u64 next_table(u64 entry)            the table a non-leaf points at
//   u64 leaf(u64 pa, u32 level, u32 permissions) const
//
// Table pages come from a TablePool: a fixed array in .bss, so they are
// part of the kernel image that the memory map reserves, and nothing here
// allocates. The pool's pages are reached at phys + access_offset, which
// the boot code changes as the MMU comes on. Header only: the riscv64 and
// aarch64 boot code runs this with the MMU off, at the physical load
// address, where everything must be reached PC-relatively (plain calls and
// data, no tables of addresses), which this code keeps to. For the same
// reason a tree does not store its pool's address (taken with the MMU off,
// it would be the physical one): it asks `Pool()` each time.
#pragma once

#include "base/result.hpp"

namespace mote::arch {

struct TablePool {
    u64 phys = 0;           // the first page
    u64 access_offset = 0;  // where the CPU reaches a page: phys + this
    usize capacity = 0;     // pages
    usize used = 0;

    u64* at(u64 page_phys) const { return reinterpret_cast<u64*>(page_phys + access_offset); }

    // A zeroed page, or NoMemory when the pool is used up.
    Result<u64> allocate() {
        if (used == capacity) return Error::NoMemory;
        u64 page = phys + used * 4096;
        ++used;
        u64* t = at(page);
        for (usize i = 0; i < 512; ++i) t[i] = 0;
        return page;
    }
};

template <typename Format, TablePool& (*Pool)()>
class RadixPageTables {
public:
    // Takes a fresh, empty root from the pool.
    Result<void> init(Format format = {}) {
        m_format = format;
        m_root = TRY(Pool().allocate());
        return {};
    }

    // Maps [va, va + size) to [pa, pa + size) with the largest pages that
    // alignment allows (smaller ones where an earlier call left smaller
    // pages). All three must be page aligned. A page that is already mapped,
    // alone or inside a larger page, to the same frame the same way is left
    // alone; any other overlap is BadState. NoMemory when the pool runs out.
    Result<void> map(u64 va, u64 pa, u64 size, u32 permissions) {
        if ((va | pa | size) & 4095) return Error::InvalidArgument;
        return map_range(va, pa, size, permissions, Format::kLargestLeaf);
    }

    // Whether `va` is mapped at all.
    bool is_mapped(u64 va) const {
        const u64* t = Pool().at(m_root);
        for (u32 level = Format::kTopLevel;; --level) {
            u64 entry = t[index_of(va, level)];
            if (!Format::valid(entry)) return false;
            if (Format::is_leaf(entry, level)) return true;
            t = Pool().at(Format::next_table(entry));
        }
    }

    // Clears the root entry covering `va` (a boot identity mapping); the
    // tables below it stay allocated.
    void clear_root_entry(u64 va) { Pool().at(m_root)[index_of(va, Format::kTopLevel)] = 0; }

    u64 root_phys() const { return m_root; }

    static constexpr u64 level_size(u32 level) { return u64(4096) << (9 * level); }

private:
    static constexpr u64 index_of(u64 va, u32 level) { return (va >> (12 + 9 * level)) & 511; }

    Result<void> map_range(u64 va, u64 pa, u64 size, u32 permissions, u32 max_level) {
        while (size) {
            u32 level = max_level;
            while (level > 0 && ((va | pa) & (level_size(level) - 1) || size < level_size(level))) --level;
            auto mapped = map_one(va, pa, level, permissions);
            // Busy: smaller pages of an earlier call are there; map this
            // stretch with smaller pages too.
            if (mapped.is_error() && mapped.error() == Error::Busy)
                mapped = map_range(va, pa, level_size(level), permissions, level - 1);
            TRY(mapped);
            va += level_size(level);
            pa += level_size(level);
            size -= level_size(level);
        }
        return {};
    }

    Result<void> map_one(u64 va, u64 pa, u32 level, u32 permissions) {
        u64* t = Pool().at(m_root);
        for (u32 l = Format::kTopLevel; l > level; --l) {
            u64& entry = t[index_of(va, l)];
            if (!Format::valid(entry)) {
                entry = Format::table_entry(TRY(Pool().allocate()));
            } else if (Format::is_leaf(entry, l)) {
                // A larger page already covers va: fine if it maps pa the same way.
                u64 offset = va & (level_size(l) - 1);
                return entry == m_format.leaf(pa - offset, l, permissions) ? Result<void>()
                                                                            : Result<void>(Error::BadState);
            }
            t = Pool().at(Format::next_table(entry));
        }
        u64& slot = t[index_of(va, level)];
        if (Format::valid(slot) && !Format::is_leaf(slot, level)) return Error::Busy;
        u64 leaf = m_format.leaf(pa, level, permissions);
        if (Format::valid(slot)) return slot == leaf ? Result<void>() : Result<void>(Error::BadState);
        slot = leaf;
        return {};
    }

    u64 m_root = 0;
    Format m_format {};
};

}  // namespace mote::arch
