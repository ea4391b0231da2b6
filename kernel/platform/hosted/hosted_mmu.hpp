// HostedMmu: the UserMmu of a program running as a Linux process under the
// hosted kernel. It keeps the translation itself (a three-level table of
// page-sized levels from the page allocator, like a small page table:
// user addresses are below 2^38) so translate() and the kernel's
// copy_in/copy_out work exactly as on bare metal, and it reports every
// change to its owner (the hosted UserPlatform), which forwards it to the
// program's process as Map/Unmap/Protect commands, in order.
#pragma once

#include "mm/page_allocator.hpp"
#include "proc/user_mmu.hpp"

namespace mote {

class HostedMmu final : public UserMmu {
public:
    enum class Change : u8 { Map, Unmap, Protect };
    // Told after each change (the translation already updated).
    class Observer {
    public:
        virtual void mmu_changed(u32 slot, Change change, u64 va, PhysAddr frame, u32 access) = 0;

    protected:
        ~Observer() = default;
    };

    HostedMmu() = default;
    HostedMmu(const HostedMmu&) = delete;
    HostedMmu& operator=(const HostedMmu&) = delete;

    // NoMemory if the root table cannot be allocated.
    Result<void> init(PageAllocator& pages, Observer& observer, u32 slot);
    // Frees the tables; every page must have been unmapped.
    void destroy();
    u32 slot() const { return m_slot; }

    // Calls fn(va, page) for every mapped page, lowest address first.
    template <typename Fn>
    void for_each(Fn&& fn) const;

    // UserMmu
    Result<void> map(u64 va, PhysAddr frame, u32 access) override;
    Result<PhysAddr> unmap(u64 va) override;
    Result<void> protect(u64 va, u32 access) override;
    Result<UserPage> translate(u64 va) const override;
    u64 table_pages() const override { return m_tables; }
    // A program's fault ends its Linux process (the stub reports and
    // exits): no page can be brought in on first touch.
    bool demand_paging() const override { return false; }

private:
    static constexpr u32 kLevels = 3;
    static constexpr u32 kEntries = 512;
    static constexpr u64 kPresent = 1u << 3;     // above the UserAccess bits
    static constexpr u64 kAccessMask = 7;
    static constexpr u64 kAddressMask = ~u64(kPageSize - 1);

    static u32 index(u64 va, u32 level) { return u32((va >> (12 + 9 * level)) & (kEntries - 1)); }
    u64* table(PhysAddr phys) const { return static_cast<u64*>(m_pages->to_virtual(phys)); }
    // The leaf entry for `va`, creating tables on the way if `create`.
    Result<u64*> leaf(u64 va, bool create);
    void free_table(PhysAddr phys, u32 level);

    PageAllocator* m_pages = nullptr;
    Observer* m_observer = nullptr;
    PhysAddr m_root = 0;
    u64 m_tables = 0;
    u32 m_slot = 0;
};

template <typename Fn>
void HostedMmu::for_each(Fn&& fn) const {
    if (!m_root) return;
    const u64* top = table(m_root);
    for (u32 i = 0; i < kEntries; ++i) {
        if (!(top[i] & kPresent)) continue;
        const u64* middle = table(top[i] & kAddressMask);
        for (u32 j = 0; j < kEntries; ++j) {
            if (!(middle[j] & kPresent)) continue;
            const u64* bottom = table(middle[j] & kAddressMask);
            for (u32 k = 0; k < kEntries; ++k) {
                if (!(bottom[k] & kPresent)) continue;
                u64 va = (u64(i) << 30) | (u64(j) << 21) | (u64(k) << 12);
                fn(va, UserPage {bottom[k] & kAddressMask, u32(bottom[k] & kAccessMask)});
            }
        }
    }
}

}  // namespace mote
