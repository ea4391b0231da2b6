#include "platform/bare_metal/arch_user_mmu.hpp"

#include "arch/permission.hpp"

namespace mote {

u32 ArchUserMmu::permissions_of(u32 access) {
    u32 permissions = arch::kUser;
    if (access & kUserRead) permissions |= arch::kRead;
    if (access & kUserWrite) permissions |= arch::kWrite | arch::kRead;
    if (access & kUserExecute) permissions |= arch::kExecute | arch::kRead;
    return permissions;
}

Result<void> ArchUserMmu::init(u16 asid) {
    m_asid = asid;
    TRY(m_tables.init(Arch::user_table_format(), arch::AllocatorTableSource {&m_pages}));
    sync_kernel_half();
    return {};
}

void ArchUserMmu::destroy() {
    if (m_destroyed) return;
    m_tables.destroy([](u64, void*) { VERIFY_MSG(false, "a user frame was still mapped at teardown"); }, nullptr);
    m_destroyed = true;
}

bool ArchUserMmu::unmap_all(FrameSink on_frame, void* context) {
    if (m_destroyed) return true;
    // The CPU may still run on these tables (an exiting process): the
    // caller switches away before the root's page is reused (destroy_mmu
    // does, and nothing allocates in between).
    struct Sink {
        FrameSink on_frame;
        void* context;
    } sink {on_frame, context};
    m_tables.destroy(
        [](u64 pa, void* c) {
            auto* s = static_cast<Sink*>(c);
            s->on_frame(PhysAddr(pa), s->context);
        },
        &sink);
    m_destroyed = true;
    Arch::flush_address_space(m_asid);
    return true;
}

Result<void> ArchUserMmu::map(u64 va, PhysAddr frame, u32 access) {
    if (m_tables.walk(va).ok()) return Error::BadState;
    return m_tables.map(va, frame, kPageSize, permissions_of(access));
}

Result<PhysAddr> ArchUserMmu::unmap(u64 va) {
    auto translation = TRY(m_tables.walk(va));
    TRY(m_tables.unmap(va, kPageSize, [](u64, void*) {}, nullptr));
    Arch::flush_user_page(va, m_asid);
    return PhysAddr(translation.pa);
}

void ArchUserMmu::unmap_range(u64 va, u64 size, FrameSink on_frame, void* context) {
    // The builder reports each frame and frees tables that empty; the TLB
    // forgets the range afterwards, before any frame is reused (the frames
    // go back to the allocator only through on_frame, inside this call, and
    // nothing allocates until it returns).
    struct Sink {
        FrameSink on_frame;
        void* context;
    } sink {on_frame, context};
    MUST(m_tables.unmap(va, size,
                        [](u64 pa, void* c) {
                            auto* s = static_cast<Sink*>(c);
                            s->on_frame(PhysAddr(pa), s->context);
                        },
                        &sink));
    if (size <= 16 * kPageSize) {
        for (u64 page = va; page < va + size; page += kPageSize) Arch::flush_user_page(page, m_asid);
    } else {
        Arch::flush_address_space(m_asid);
    }
}

Result<void> ArchUserMmu::protect(u64 va, u32 access) {
    TRY(m_tables.protect(va, kPageSize, permissions_of(access)));
    Arch::flush_user_page(va, m_asid);
    return {};
}

Result<UserPage> ArchUserMmu::translate(u64 va) const {
    auto translation = TRY(m_tables.walk(va));
    if (!(translation.permissions & arch::kUser)) return Error::NotFound;
    UserPage page;
    page.frame = translation.pa & ~(kPageSize - 1);
    if (translation.permissions & arch::kRead) page.access |= kUserRead;
    if (translation.permissions & arch::kWrite) page.access |= kUserWrite;
    if (translation.permissions & arch::kExecute) page.access |= kUserExecute;
    return page;
}

}  // namespace mote
