#include "arch/x86_64/page_table.hpp"

namespace mote::x86 {

namespace {

// Entry bits (SDM vol. 3A 5.5.5, tables 5-15 to 5-20).
constexpr u64 kPresent = u64(1) << 0;
constexpr u64 kWritable = u64(1) << 1;
constexpr u64 kWriteThrough = u64(1) << 3;  // PWT
constexpr u64 kCacheDisable = u64(1) << 4;  // PCD: with PWT, UC under the power-on PAT
constexpr u64 kLarge = u64(1) << 7;         // PS: a 2 MiB page in a PD entry
constexpr u64 kGlobal = u64(1) << 8;
constexpr u64 kNoExecute = u64(1) << 63;
constexpr u64 kAddressMask = 0x000ffffffffff000;

constexpr u64 kEntries = 512;
constexpr u64 level_size(u32 level) { return u64(1) << (12 + 9 * level); }
constexpr u64 index_of(u64 va, u32 level) { return (va >> (12 + 9 * level)) & (kEntries - 1); }

alignas(4096) u8 g_pool[PageTables::kPoolPages][4096];
PageTables g_tables;

}  // namespace

PageTables& kernel_page_tables() { return g_tables; }

void PageTables::init(u64 pool_phys, u64 access_offset, bool nx) {
    m_pool_phys = pool_phys;
    m_access_offset = access_offset;
    m_nx = nx;
    m_used = 1;
    u64* root = table(pool_phys);
    for (u64 i = 0; i < kEntries; ++i) root[i] = 0;
}

Result<u64> PageTables::allocate_table() {
    if (m_used == kPoolPages) return Error::NoMemory;
    u64 phys = m_pool_phys + m_used * 4096;
    ++m_used;
    u64* t = table(phys);
    for (u64 i = 0; i < kEntries; ++i) t[i] = 0;
    return phys;
}

Result<void> PageTables::map_one(u64 va, u64 pa, u32 level, u32 permissions) {
    u64* t = table(m_pool_phys);
    for (u32 l = 3; l > level; --l) {
        u64& entry = t[index_of(va, l)];
        if (!(entry & kPresent)) {
            u64 next = TRY(allocate_table());
            // Intermediate entries allow everything; the leaf decides
            // (permissions combine as the most restrictive, 5.6.1).
            entry = next | kPresent | kWritable;
        } else if (l < 3 && (entry & kLarge)) {
            return Error::BadState;  // a 2 MiB page already covers va
        }
        t = table(entry & kAddressMask);
    }
    u64 leaf = pa | kPresent | kGlobal;
    if (level == 1) leaf |= kLarge;
    if (permissions & kWrite) leaf |= kWritable;
    if (!(permissions & kExecute) && m_nx) leaf |= kNoExecute;
    if (permissions & kUncached) leaf |= kCacheDisable | kWriteThrough;
    u64& slot = t[index_of(va, level)];
    if (slot & kPresent) return slot == leaf ? Result<void>() : Result<void>(Error::BadState);
    slot = leaf;
    return {};
}

Result<void> PageTables::map(u64 va, u64 pa, u64 size, u32 permissions) {
    if ((va | pa | size) & 4095) return Error::InvalidArgument;
    while (size) {
        u32 level = (((va | pa) & (level_size(1) - 1)) == 0 && size >= level_size(1)) ? 1 : 0;
        TRY(map_one(va, pa, level, permissions));
        va += level_size(level);
        pa += level_size(level);
        size -= level_size(level);
    }
    return {};
}

bool PageTables::is_mapped(u64 va) const {
    const u64* t = table(m_pool_phys);
    for (u32 l = 3;; --l) {
        u64 entry = t[index_of(va, l)];
        if (!(entry & kPresent)) return false;
        if (l == 0 || (l < 3 && (entry & kLarge))) return true;
        t = table(entry & kAddressMask);
    }
}

u64 page_table_pool_phys() { return reinterpret_cast<u64>(&g_pool[0][0]) - kKernelOffset; }

}  // namespace mote::x86
