// ArchUserMmu: a user address space's translation on bare metal, built
// from the port's page-table format (Arch::UserTables: the shared radix
// builder over table pages from the page allocator) and tagged with an
// ASID. Implements the portable UserMmu, one 4 KiB page at a time; the
// AddressSpace above decides what goes where and owns the frames.
#pragma once

#include "arch/arch.hpp"
#include "mm/page_allocator.hpp"
#include "proc/user_mmu.hpp"

namespace mote {

class ArchUserMmu final : public UserMmu {
public:
    explicit ArchUserMmu(PageAllocator& pages) : m_pages(pages) {}

    Result<void> init(u16 asid);
    // Returns every table page. Frames still mapped are the address space's
    // to free; finding one here is a bug (AddressSpace::clear runs first).
    void destroy();
    // Brings the kernel half up to date (riscv64, x86_64: the root table's
    // upper entries are the kernel's, copied; aarch64: TTBR1, nothing to do).
    void sync_kernel_half() { Arch::share_kernel_half(m_tables); }

    u64 root_phys() const { return m_tables.root_phys(); }
    u16 asid() const { return m_asid; }

    // UserMmu
    Result<void> map(u64 va, PhysAddr frame, u32 access) override;
    Result<PhysAddr> unmap(u64 va) override;
    void unmap_range(u64 va, u64 size, FrameSink on_frame, void* context) override;
    bool unmap_all(FrameSink on_frame, void* context) override;
    Result<void> protect(u64 va, u32 access) override;
    Result<UserPage> translate(u64 va) const override;
    u64 table_pages() const override { return m_table_pages; }
    void code_written(PhysAddr frame) override { Arch::sync_instruction_cache(m_pages.to_virtual(frame), kPageSize); }

private:
    static u32 permissions_of(u32 access);
    PageAllocator& m_pages;
    Arch::UserTables m_tables;
    u16 m_asid = 0;
    bool m_destroyed = false;  // unmap_all took the tree down
    u64 m_table_pages = 0;
};

}  // namespace mote
