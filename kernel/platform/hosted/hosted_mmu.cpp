#include "platform/hosted/hosted_mmu.hpp"

#include "abi/syscalls.hpp"
#include "base/memory.hpp"

namespace mote {

// Three levels of 512 entries cover 2^39 bytes: the whole user half.
static_assert(abi::kUserLimit <= (u64(1) << 39));

Result<void> HostedMmu::init(PageAllocator& pages, Observer& observer, u32 slot) {
    if (m_root) return Error::BadState;
    m_pages = &pages;
    m_observer = &observer;
    m_slot = slot;
    m_root = TRY(pages.allocate(0));
    mem_set(table(m_root), 0, kPageSize);
    m_tables = 1;
    return {};
}

void HostedMmu::free_table(PhysAddr phys, u32 level) {
    if (level > 0) {
        u64* entries = table(phys);
        for (u32 i = 0; i < kEntries; ++i) {
            if (entries[i] & kPresent) free_table(entries[i] & kAddressMask, level - 1);
        }
    } else {
        // Leaves name frames the AddressSpace owns; it unmapped them all.
        const u64* entries = table(phys);
        for (u32 i = 0; i < kEntries; ++i) VERIFY_MSG(!(entries[i] & kPresent), "hosted MMU destroyed with pages mapped");
    }
    m_pages->free(phys, 0);
    --m_tables;
}

void HostedMmu::destroy() {
    if (m_root) free_table(m_root, kLevels - 1);
    m_root = 0;
    VERIFY(m_tables == 0);
}

Result<u64*> HostedMmu::leaf(u64 va, bool create) {
    if (va >= abi::kUserLimit || !m_root) return Error::OutOfRange;
    PhysAddr current = m_root;
    for (u32 level = kLevels - 1; level > 0; --level) {
        u64& entry = table(current)[index(va, level)];
        if (!(entry & kPresent)) {
            if (!create) return Error::NotFound;
            PhysAddr next = TRY(m_pages->allocate(0));
            mem_set(table(next), 0, kPageSize);
            ++m_tables;
            entry = next | kPresent;
        }
        current = entry & kAddressMask;
    }
    return &table(current)[index(va, 0)];
}

Result<void> HostedMmu::map(u64 va, PhysAddr frame, u32 access) {
    if ((va | frame) & (kPageSize - 1) || access & ~kAccessMask) return Error::InvalidArgument;
    u64* entry = TRY(leaf(va, true));
    if (*entry & kPresent) return Error::BadState;
    *entry = frame | access | kPresent;
    m_observer->mmu_changed(m_slot, Change::Map, va, frame, access);
    return {};
}

Result<PhysAddr> HostedMmu::unmap(u64 va) {
    u64* entry = TRY(leaf(va & kAddressMask, false));
    if (!(*entry & kPresent)) return Error::NotFound;
    PhysAddr frame = *entry & kAddressMask;
    *entry = 0;
    m_observer->mmu_changed(m_slot, Change::Unmap, va & kAddressMask, frame, 0);
    return frame;
}

Result<void> HostedMmu::protect(u64 va, u32 access) {
    if (access & ~kAccessMask) return Error::InvalidArgument;
    u64* entry = TRY(leaf(va & kAddressMask, false));
    if (!(*entry & kPresent)) return Error::NotFound;
    *entry = (*entry & kAddressMask) | access | kPresent;
    m_observer->mmu_changed(m_slot, Change::Protect, va & kAddressMask, *entry & kAddressMask, access);
    return {};
}

Result<UserPage> HostedMmu::translate(u64 va) const {
    // leaf() only creates on request; the cast keeps this const in effect.
    u64* entry = TRY(const_cast<HostedMmu*>(this)->leaf(va & kAddressMask, false));
    if (!(*entry & kPresent)) return Error::NotFound;
    return UserPage {*entry & kAddressMask, u32(*entry & kAccessMask)};
}

}  // namespace mote
