// The page-table builder every port shares: a radix tree of 4 KiB tables of
// 512 eight-byte entries (Sv39 on riscv64, VMSAv8-64 with the 4 KiB granule
// on aarch64, 4-level paging on x86_64). It builds the kernel's address
// space at boot and, after boot, the address spaces of user programs. What
// differs per ISA is only the entry format, which each port describes as a
// `Format`:
//
//   static constexpr u32 kTopLevel      level of the root table; level 0
//                                       entries map 4 KiB, level n entries
//                                       map 4 KiB << 9n
//   static constexpr u32 kLargestLeaf   the largest level a leaf may use
//   static constexpr u64 kUserRootEntries  root entries [0, this) are the
//                                       user half (512: the tree holds
//                                       nothing else, aarch64's TTBR0)
//   static constexpr u64 kLowerLimit    VAs below this, and from kUpperBase
//   static constexpr u64 kUpperBase     up, are canonical
//   static bool valid(u64 entry)
//   static bool is_leaf(u64 entry, u32 level)       for a valid entry
//   static u64 table_entry(u64 table_phys, u32 permissions)
//                                       points at a next-level table on
//                                       the way to a leaf of `permissions`
//   static u64 next_table(u64 entry)    the table a non-leaf points at
//   static u64 leaf_address(u64 entry, u32 level)   the frame a leaf maps
//   u64 leaf(u64 pa, u32 level, u32 permissions) const
//   u32 permissions_of(u64 entry, u32 level) const  a leaf's, decoded
//
// Permissions are arch::Permission bits (arch/permission.hpp).
//
// Table pages come from a TableSource, stored by value in the tree:
//
//   Result<u64> allocate()   a zeroed page, physical; NoMemory when none
//   void free(u64 phys)      gives back a page allocate() returned
//   u64* at(u64 phys)        where the CPU reaches that page now
//
// The boot trees use PoolSource (arch/table_pool.hpp), an empty type that
// asks for the .bss pool on every call: the riscv64 and aarch64 boot code
// runs this with the MMU off, at the physical load address, where
// everything must be reached PC-relatively (plain calls and data, no tables
// of addresses), which this code keeps to, and an address stored then
// would be the physical one. User trees use AllocatorTableSource
// (arch/allocator_table_source.hpp); the unit tests their own.
//
// Nothing here touches the TLB: after unmap, protect, destroy or a change
// to a live mapping the caller flushes (sfence.vma, tlbi, invlpg/CR3)
// before the tree is used again, and before a page reported to on_page is
// reused.
#pragma once

#include "arch/permission.hpp"
#include "base/result.hpp"

namespace mote::arch {

// What a virtual address translates to (walk()).
struct Translation {
    u64 pa = 0;           // the physical address of the VA itself (frame + offset)
    u32 permissions = 0;  // arch::Permission bits the leaf grants
    u32 level = 0;        // the leaf's level: 0 is a 4 KiB page, n covers 4 KiB << 9n
};

// Told the physical address of each 4 KiB page that unmap or destroy took
// out of the tree, so the caller can free the frame.
using PageSink = void (*)(u64 pa, void* context);

template <typename Format, typename Source>
class RadixPageTables {
public:
    static constexpr u64 kPageSize = 4096;
    static constexpr u64 kEntries = 512;

    // Takes a fresh, empty root from `source`. BadState if the tree has one.
    Result<void> init(Format format = {}, Source source = {}) {
        if (m_root) return Error::BadState;
        m_format = format;
        m_source = source;
        m_root = TRY(m_source.allocate());
        m_kernel_generation = 0;
        m_copied_generation = 0;
        m_borrows_kernel_half = false;
        return {};
    }

    // Maps [va, va + size) to [pa, pa + size) with the largest pages that
    // alignment allows (smaller ones where an earlier call left smaller
    // pages). A page that is already mapped, alone or inside a larger page,
    // to the same frame the same way is left alone; any other overlap is
    // BadState. Checked first: InvalidArgument if va, pa or size is not page
    // aligned or `permissions` lacks kRead or has unknown bits; OutOfRange
    // if either range wraps, the VA range is not canonical, or it reaches
    // into a kernel half copied from another tree. Then NoMemory when the
    // source runs out; what was mapped before a failure stays mapped.
    Result<void> map(u64 va, u64 pa, u64 size, u32 permissions) {
        if (!m_root) return Error::BadState;
        if ((va | pa | size) & (kPageSize - 1)) return Error::InvalidArgument;
        TRY(check_permissions(permissions));
        TRY(check_range(va, size));
        if (size && pa + (size - 1) < pa) return Error::OutOfRange;
        return map_range(va, pa, size, permissions, Format::kLargestLeaf);
    }

    // Takes the leaves in [va, va + size) out of the tree and tells
    // `on_page` (may be null) each 4 KiB frame they mapped, once; holes are
    // skipped. Tables below the root that end up empty go back to the
    // source. Checked first (nothing changes on an error): InvalidArgument
    // if va or size is not page aligned, OutOfRange as for map, Unsupported
    // if a large page lies only partly inside the range (no splitting).
    Result<void> unmap(u64 va, u64 size, PageSink on_page, void* context) {
        if (!m_root) return Error::BadState;
        if ((va | size) & (kPageSize - 1)) return Error::InvalidArgument;
        TRY(check_range(va, size));
        if (size == 0) return {};
        u64 last = va + (size - 1);
        TRY(check_leaves(m_root, Format::kTopLevel, va, last, false));
        unmap_in(m_root, Format::kTopLevel, va, last, on_page, context);
        return {};
    }

    // Gives every page in [va, va + size) `permissions` (same rules as
    // map's). Checked first (nothing changes on an error): InvalidArgument
    // and OutOfRange as for unmap, NotFound if a page in the range is not
    // mapped, Unsupported if a large page lies only partly inside it.
    Result<void> protect(u64 va, u64 size, u32 permissions) {
        if (!m_root) return Error::BadState;
        if ((va | size) & (kPageSize - 1)) return Error::InvalidArgument;
        TRY(check_permissions(permissions));
        TRY(check_range(va, size));
        if (size == 0) return {};
        u64 last = va + (size - 1);
        TRY(check_leaves(m_root, Format::kTopLevel, va, last, true));
        protect_in(m_root, Format::kTopLevel, va, last, permissions);
        return {};
    }

    // What `va` (any alignment) translates to. OutOfRange if it is not
    // canonical, NotFound if it is not mapped. (map, unmap, protect and
    // walk are BadState on a tree without a root: before init, after
    // destroy.)
    Result<Translation> walk(u64 va) const {
        if (!m_root) return Error::BadState;
        if (!(va < Format::kLowerLimit || va >= Format::kUpperBase)) return Error::OutOfRange;
        const u64* t = m_source.at(m_root);
        for (u32 level = Format::kTopLevel;; --level) {
            u64 entry = t[index_of(va, level)];
            if (!Format::valid(entry)) return Error::NotFound;
            if (Format::is_leaf(entry, level))
                return Translation {Format::leaf_address(entry, level) + (va & (level_size(level) - 1)),
                                    m_format.permissions_of(entry, level), level};
            t = m_source.at(Format::next_table(entry));
        }
    }

    // Whether `va` is mapped at all.
    bool is_mapped(u64 va) const { return walk(va).ok(); }

    // Tears down a user tree: tells `on_page` (may be null) every 4 KiB
    // frame still mapped in the user half, gives every table page of the
    // user half and the root back to the source, and leaves the tree empty
    // (init may be called again). Kernel-half root entries are not followed:
    // their tables belong to the kernel's tree. Not for the kernel's own
    // trees, whose kernel-half tables it would leak.
    void destroy(PageSink on_page, void* context) {
        if (!m_root) return;
        u64* root = m_source.at(m_root);
        static_assert(Format::kUserRootEntries % 8 == 0);
        for (u64 i = 0; i < Format::kUserRootEntries; ++i) {
            if (i % 8 == 0 && !(root[i] | root[i + 1] | root[i + 2] | root[i + 3] | root[i + 4] | root[i + 5] |
                                root[i + 6] | root[i + 7])) {
                i += 7;
                continue;
            }
            u64 entry = root[i];
            if (!Format::valid(entry)) continue;
            if (Format::is_leaf(entry, Format::kTopLevel))
                report(Format::leaf_address(entry, Format::kTopLevel), Format::kTopLevel, on_page, context);
            else
                destroy_table(Format::next_table(entry), Format::kTopLevel - 1, on_page, context);
        }
        m_source.free(m_root);
        m_root = 0;
    }

    // For formats whose one tree holds both halves (riscv64 Sv39, x86_64):
    // copies root entries [kUserRootEntries, 512) of the kernel's tree into
    // this one, so the kernel stays mapped while this tree is live. The
    // tables below them stay the kernel's: this tree then refuses to change
    // that half (OutOfRange) and destroy() leaves it alone. Re-copy when
    // kernel.kernel_generation() differs from copied_generation().
    template <typename OtherSource>
    void copy_kernel_half(const RadixPageTables<Format, OtherSource>& kernel) {
        static_assert(Format::kUserRootEntries < kEntries, "this format keeps the kernel in a tree of its own");
        VERIFY(m_root && kernel.root_phys());
        const u64* from = kernel.root_table();
        u64* to = m_source.at(m_root);
        for (u64 i = Format::kUserRootEntries; i < kEntries; ++i) to[i] = from[i];
        m_copied_generation = kernel.kernel_generation();
        m_borrows_kernel_half = true;
    }

    // Bumped whenever a root entry of the kernel half changes: a tree that
    // copied the kernel half with an older generation misses that change.
    // (Changes below the root are shared and need no copy.)
    u64 kernel_generation() const { return m_kernel_generation; }
    // The kernel tree's generation at the last copy_kernel_half.
    u64 copied_generation() const { return m_copied_generation; }

    // Clears the root entry covering `va` (a boot identity mapping); the
    // tables below it stay allocated.
    void clear_root_entry(u64 va) {
        m_source.at(m_root)[index_of(va, Format::kTopLevel)] = 0;
        wrote(Format::kTopLevel, index_of(va, Format::kTopLevel));
    }

    u64 root_phys() const { return m_root; }
    const u64* root_table() const { return m_source.at(m_root); }

    static constexpr u64 level_size(u32 level) { return kPageSize << (9 * level); }

private:
    static constexpr u64 index_of(u64 va, u32 level) { return (va >> (12 + 9 * level)) & (kEntries - 1); }

    static Result<void> check_permissions(u32 permissions) {
        if (!(permissions & kRead) || (permissions & ~kAllPermissions)) return Error::InvalidArgument;
        return {};
    }

    // [va, va + size) lies in one canonical half without wrapping, and not
    // in a kernel half borrowed from another tree.
    Result<void> check_range(u64 va, u64 size) const {
        if (size == 0) return {};
        u64 last = va + (size - 1);
        if (last < va) return Error::OutOfRange;
        bool lower = last < Format::kLowerLimit;
        if (!lower && va < Format::kUpperBase) return Error::OutOfRange;
        if (m_borrows_kernel_half && !lower) return Error::OutOfRange;
        return {};
    }

    // A root entry of the kernel half changed.
    void wrote(u32 level, u64 index) {
        if (level == Format::kTopLevel && index >= Format::kUserRootEntries) ++m_kernel_generation;
    }

    static void report(u64 frame, u32 level, PageSink on_page, void* context) {
        if (!on_page) return;
        for (u64 offset = 0; offset < level_size(level); offset += kPageSize) on_page(frame + offset, context);
    }

    static bool empty(const u64* t) {
        for (u64 i = 0; i < kEntries; i += 8)
            if (t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] | t[i + 6] | t[i + 7]) return false;
        return true;
    }

    // The decode step of unmap and protect over [va, last] (inclusive, so a
    // range ending at 2^64 does not wrap), within the table at `level`
    // covering it: no large leaf only partly inside, and with
    // `require_mapped` no hole.
    Result<void> check_leaves(u64 table, u32 level, u64 va, u64 last, bool require_mapped) const {
        const u64* t = m_source.at(table);
        for (;;) {
            u64 span_last = (va | (level_size(level) - 1));
            u64 piece_last = min(span_last, last);
            u64 entry = t[index_of(va, level)];
            if (!Format::valid(entry)) {
                if (require_mapped) return Error::NotFound;
            } else if (Format::is_leaf(entry, level)) {
                if ((va & (level_size(level) - 1)) || piece_last != span_last) return Error::Unsupported;
            } else {
                TRY(check_leaves(Format::next_table(entry), level - 1, va, piece_last, require_mapped));
            }
            if (piece_last == last) return {};
            va = piece_last + 1;
        }
    }

    void unmap_in(u64 table, u32 level, u64 va, u64 last, PageSink on_page, void* context) {
        u64* t = m_source.at(table);
        for (;;) {
            u64 piece_last = min(va | (level_size(level) - 1), last);
            u64 index = index_of(va, level);
            u64 entry = t[index];
            if (Format::valid(entry)) {
                if (Format::is_leaf(entry, level)) {
                    t[index] = 0;
                    wrote(level, index);
                    report(Format::leaf_address(entry, level), level, on_page, context);
                } else {
                    u64 child = Format::next_table(entry);
                    unmap_in(child, level - 1, va, piece_last, on_page, context);
                    if (empty(m_source.at(child))) {
                        t[index] = 0;
                        wrote(level, index);
                        m_source.free(child);
                    }
                }
            }
            if (piece_last == last) return;
            va = piece_last + 1;
        }
    }

    void protect_in(u64 table, u32 level, u64 va, u64 last, u32 permissions) {
        u64* t = m_source.at(table);
        for (;;) {
            u64 piece_last = min(va | (level_size(level) - 1), last);
            u64 index = index_of(va, level);
            u64 entry = t[index];
            if (Format::is_leaf(entry, level)) {
                t[index] = m_format.leaf(Format::leaf_address(entry, level), level, permissions);
                wrote(level, index);
            } else {
                widen_table_entry(t[index], level, index, permissions);
                protect_in(Format::next_table(entry), level - 1, va, piece_last, permissions);
            }
            if (piece_last == last) return;
            va = piece_last + 1;
        }
    }

    void destroy_table(u64 table, u32 level, PageSink on_page, void* context) {
        const u64* t = m_source.at(table);
        for (u64 i = 0; i < kEntries; ++i) {
            // User tables are sparse: skip eight empty entries at a time.
            if (i % 8 == 0 && !(t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] | t[i + 6] | t[i + 7])) {
                i += 7;
                continue;
            }
            u64 entry = t[i];
            if (!Format::valid(entry)) continue;
            if (Format::is_leaf(entry, level)) report(Format::leaf_address(entry, level), level, on_page, context);
            else destroy_table(Format::next_table(entry), level - 1, on_page, context);
        }
        m_source.free(table);
    }

    // An existing table entry on the way to a leaf of `permissions` gets
    // what that leaf needs of it (x86: U/S on every level for user pages).
    void widen_table_entry(u64& entry, u32 level, u64 index, u32 permissions) {
        u64 widened = entry | Format::table_entry(Format::next_table(entry), permissions);
        if (widened == entry) return;
        entry = widened;
        wrote(level, index);
    }

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
        u64* t = m_source.at(m_root);
        for (u32 l = Format::kTopLevel; l > level; --l) {
            u64 index = index_of(va, l);
            u64& entry = t[index];
            if (!Format::valid(entry)) {
                entry = Format::table_entry(TRY(m_source.allocate()), permissions);
                wrote(l, index);
            } else if (Format::is_leaf(entry, l)) {
                // A larger page already covers va: fine if it maps pa the same way.
                u64 offset = va & (level_size(l) - 1);
                return entry == m_format.leaf(pa - offset, l, permissions) ? Result<void>()
                                                                            : Result<void>(Error::BadState);
            } else {
                widen_table_entry(entry, l, index, permissions);
            }
            t = m_source.at(Format::next_table(entry));
        }
        u64 index = index_of(va, level);
        u64& slot = t[index];
        if (Format::valid(slot) && !Format::is_leaf(slot, level)) return Error::Busy;
        u64 leaf = m_format.leaf(pa, level, permissions);
        if (Format::valid(slot)) return slot == leaf ? Result<void>() : Result<void>(Error::BadState);
        slot = leaf;
        wrote(level, index);
        return {};
    }

    u64 m_root = 0;
    u64 m_kernel_generation = 0;
    u64 m_copied_generation = 0;
    bool m_borrows_kernel_half = false;
    Format m_format {};
    Source m_source {};
};

}  // namespace mote::arch
