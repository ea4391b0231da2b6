#include "arch/aarch64/page_table.hpp"

#include "arch/runtime_address.hpp"

namespace mote::aarch64 {

namespace {

// Descriptor bits (ARM ARM D8.3, "Translation table descriptor formats").
constexpr u64 kValid = 1 << 0;
constexpr u64 kTableOrPage = 1 << 1;        // table at levels 0-2, page at level 3
constexpr u64 kAttrNormal = 0 << 2;         // MAIR_EL1 attr0: normal, write-back
constexpr u64 kAttrDevice = 1 << 2;         // MAIR_EL1 attr1: Device-nGnRE
constexpr u64 kReadOnly = 1 << 7;           // AP[2]
constexpr u64 kInnerShareable = 3 << 8;
constexpr u64 kAccessFlag = 1 << 10;        // set, or the first access faults
constexpr u64 kPrivilegedNoExec = u64(1) << 53;
constexpr u64 kUserNoExec = u64(1) << 54;
constexpr u64 kAddressMask = 0x0000fffffffff000;

constexpr u64 kEntries = 512;
constexpr u32 shift_of(u32 level) { return 12 + 9 * (3 - level); }
constexpr u64 level_size(u32 level) { return u64(1) << shift_of(level); }
constexpr u64 index_of(u64 va, u32 level) { return (va >> shift_of(level)) & (kEntries - 1); }

alignas(4096) u8 g_pool[PageTables::kPoolPages][4096];
u64 g_pool_phys = 0;
u64 g_access_offset = 0;
usize g_used = 0;
PageTables g_kernel;
PageTables g_identity;

u64* table(u64 phys) { return reinterpret_cast<u64*>(phys + g_access_offset); }

Result<u64> allocate_table() {
    if (g_used == PageTables::kPoolPages) return Error::NoMemory;
    u64 phys = g_pool_phys + g_used * 4096;
    ++g_used;
    u64* t = table(phys);
    for (u64 i = 0; i < kEntries; ++i) t[i] = 0;
    return phys;
}

}  // namespace

PageTables& kernel_page_tables() { return g_kernel; }
PageTables& identity_page_tables() { return g_identity; }
u64 page_table_pool_address() { return arch::runtime_address(&g_pool[0][0]); }

void PageTables::init_pool(u64 pool_phys, u64 access_offset) {
    g_pool_phys = pool_phys;
    g_access_offset = access_offset;
    g_used = 0;
}
void PageTables::set_access_offset(u64 offset) { g_access_offset = offset; }
usize PageTables::pages_used() { return g_used; }

Result<void> PageTables::init() {
    m_root = TRY(allocate_table());
    return {};
}

namespace {

// A block (level < 3) or page descriptor for `pa`.
u64 leaf_for(u64 pa, u32 level, u32 permissions) {
    u64 leaf = pa | kValid | kAccessFlag | kUserNoExec | (level == 3 ? kTableOrPage : 0);
    if (permissions & kDevice) leaf |= kAttrDevice | kPrivilegedNoExec;
    else leaf |= kAttrNormal | kInnerShareable;
    if (!(permissions & kWrite)) leaf |= kReadOnly;
    if (!(permissions & kExecute)) leaf |= kPrivilegedNoExec;
    return leaf;
}

}  // namespace

Result<void> PageTables::map_one(u64 va, u64 pa, u32 level, u32 permissions) {
    u64* t = table(m_root);
    for (u32 l = 0; l < level; ++l) {
        u64& entry = t[index_of(va, l)];
        if (!(entry & kValid)) {
            u64 next = TRY(allocate_table());
            entry = next | kValid | kTableOrPage;
        } else if (!(entry & kTableOrPage)) {
            // A block already covers va: fine if it maps pa the same way.
            u64 offset = va & (level_size(l) - 1);
            return entry == leaf_for(pa - offset, l, permissions) ? Result<void>() : Result<void>(Error::BadState);
        }
        t = table(entry & kAddressMask);
    }
    u64 leaf = leaf_for(pa, level, permissions);
    u64& slot = t[index_of(va, level)];
    // A table there holds smaller pages mapped earlier: Busy asks the
    // caller to map this stretch with smaller pages too.
    if ((slot & kValid) && (slot & kTableOrPage) && level < 3) return Error::Busy;
    if (slot & kValid) return slot == leaf ? Result<void>() : Result<void>(Error::BadState);
    slot = leaf;
    return {};
}

Result<void> PageTables::map(u64 va, u64 pa, u64 size, u32 permissions) {
    if ((va | pa | size) & 4095) return Error::InvalidArgument;
    return map_range(va, pa, size, permissions, 1);
}

Result<void> PageTables::map_range(u64 va, u64 pa, u64 size, u32 permissions, u32 min_level) {
    while (size) {
        u32 level = min_level;
        while (level < 3 && ((va | pa) & (level_size(level) - 1) || size < level_size(level))) ++level;
        auto mapped = map_one(va, pa, level, permissions);
        if (mapped.is_error() && mapped.error() == Error::Busy) mapped = map_range(va, pa, level_size(level), permissions, level + 1);
        TRY(mapped);
        va += level_size(level);
        pa += level_size(level);
        size -= level_size(level);
    }
    return {};
}

}  // namespace mote::aarch64
