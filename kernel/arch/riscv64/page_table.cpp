#include "arch/riscv64/page_table.hpp"

#include "arch/runtime_address.hpp"

namespace mote::riscv {

namespace {

// PTE bits (4.4.1, figure 4.18).
constexpr u64 kValid = 1 << 0;
constexpr u64 kR = 1 << 1;
constexpr u64 kW = 1 << 2;
constexpr u64 kX = 1 << 3;
constexpr u64 kGlobal = 1 << 5;
// Accessed and dirty set up front: the spec lets hardware either set them
// or fault when they are clear (4.4.1), and the kernel has no use for them.
constexpr u64 kAccessed = 1 << 6;
constexpr u64 kDirty = 1 << 7;
constexpr u64 kLeafBits = kR | kW | kX;

constexpr u64 kEntries = 512;
constexpr u64 level_size(u32 level) { return u64(1) << (12 + 9 * level); }
constexpr u64 index_of(u64 va, u32 level) { return (va >> (12 + 9 * level)) & (kEntries - 1); }
constexpr u64 phys_of(u64 pte) { return (pte >> 10) << 12; }
constexpr u64 pte_of(u64 phys) { return (phys >> 12) << 10; }

alignas(4096) u8 g_pool[PageTables::kPoolPages][4096];
PageTables g_tables;

}  // namespace

PageTables& kernel_page_tables() { return g_tables; }

void PageTables::init(u64 pool_phys, u64 access_offset) {
    m_pool_phys = pool_phys;
    m_access_offset = access_offset;
    m_used = 1;  // the root; .bss was zeroed, so it starts empty
}

Result<u64> PageTables::allocate_table() {
    if (m_used == kPoolPages) return Error::NoMemory;
    u64 phys = m_pool_phys + m_used * 4096;
    ++m_used;
    u64* t = table(phys);
    for (u64 i = 0; i < kEntries; ++i) t[i] = 0;
    return phys;
}

namespace {

// A leaf entry for the page at `pa`.
u64 leaf_for(u64 pa, u32 permissions) {
    u64 leaf = pte_of(pa) | kValid | kGlobal | kAccessed;
    if (permissions & kRead) leaf |= kR;
    if (permissions & kWrite) leaf |= kW | kDirty;
    if (permissions & kExecute) leaf |= kX;
    return leaf;
}

}  // namespace

Result<void> PageTables::map_one(u64 va, u64 pa, u32 level, u32 permissions) {
    u64* t = table(m_pool_phys);
    for (u32 l = 2; l > level; --l) {
        u64& entry = t[index_of(va, l)];
        if (!(entry & kValid)) {
            u64 next = TRY(allocate_table());
            entry = pte_of(next) | kValid;
        } else if (entry & kLeafBits) {
            // A larger page already covers va: fine if it maps pa the same way.
            u64 offset = va & (level_size(l) - 1);
            return entry == leaf_for(pa - offset, permissions) ? Result<void>() : Result<void>(Error::BadState);
        }
        t = table(phys_of(entry));
    }
    u64 leaf = leaf_for(pa, permissions);
    u64& slot = t[index_of(va, level)];
    // A table there holds smaller pages mapped earlier: Busy asks the
    // caller to map this stretch with smaller pages too.
    if ((slot & kValid) && !(slot & kLeafBits) && level > 0) return Error::Busy;
    if (slot & kValid) return slot == leaf ? Result<void>() : Result<void>(Error::BadState);
    slot = leaf;
    return {};
}

Result<void> PageTables::map(u64 va, u64 pa, u64 size, u32 permissions) {
    if ((va | pa | size) & 4095) return Error::InvalidArgument;
    return map_range(va, pa, size, permissions, 2);
}

Result<void> PageTables::map_range(u64 va, u64 pa, u64 size, u32 permissions, u32 max_level) {
    while (size) {
        u32 level = max_level;
        while (level > 0 && ((va | pa) & (level_size(level) - 1) || size < level_size(level))) --level;
        auto mapped = map_one(va, pa, level, permissions);
        if (mapped.is_error() && mapped.error() == Error::Busy) mapped = map_range(va, pa, level_size(level), permissions, level - 1);
        TRY(mapped);
        va += level_size(level);
        pa += level_size(level);
        size -= level_size(level);
    }
    return {};
}

void PageTables::clear_root_entry(u64 va) { table(m_pool_phys)[index_of(va, 2)] = 0; }

u64 page_table_pool_address() { return arch::runtime_address(&g_pool[0][0]); }

}  // namespace mote::riscv
