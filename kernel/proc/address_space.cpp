#include "proc/address_space.hpp"

#include "abi/syscalls.hpp"
#include "base/checked.hpp"
#include "base/memory.hpp"

namespace mote {

const char* region_kind_name(RegionKind kind) {
    switch (kind) {
    case RegionKind::Free: return "free";
    case RegionKind::Program: return "program";
    case RegionKind::Stack: return "stack";
    case RegionKind::Mapped: return "mapped";
    }
    return "?";
}

bool AddressSpace::in_user_half(u64 address, u64 length) {
    auto end = checked_add(address, length);
    return end.ok() && address >= abi::kUserBase && end.value() <= abi::kUserLimit;
}

bool AddressSpace::overlaps(u64 start, u64 size) const {
    // Every region keeps one page of distance on both sides: map() regions
    // and the stack have guard pages, and segments are never adjacent to
    // them.
    for (usize i = 0; i < m_count; ++i) {
        const Region& r = m_regions[i];
        bool program_neighbours = r.kind == RegionKind::Program;
        u64 gap = program_neighbours ? 0 : kPageSize;
        if (start < r.end() + gap && r.start < start + size + gap) return true;
    }
    return false;
}

void AddressSpace::forget_translations() {
    for (Recent& recent : m_recent) recent.page = kNoPage;
}

Result<void> AddressSpace::unmap_pages(u64 start, u64 size) {
    forget_translations();
    // Pages never mapped (a failed add_region) are skipped by the MMU.
    m_mmu.unmap_range(start, size,
                      [](PhysAddr frame, void* context) {
                          auto* self = static_cast<AddressSpace*>(context);
                          self->m_pages.free(frame, 0);
                          --self->m_resident;
                      },
                      this);
    return {};
}

Result<void> AddressSpace::populate(u64 start, u64 end, u32 access) {
    for (u64 va = start; va < end; va += kPageSize) {
        auto frame = m_pages.allocate(0, m_owner);
        Result<void> mapped = frame.is_error() ? Result<void>(frame.error()) : Result<void>();
        if (mapped.ok()) {
            mem_set(m_pages.to_virtual(frame.value()), 0, kPageSize);
            mapped = m_mmu.map(va, frame.value(), access);
            if (mapped.is_error()) m_pages.free(frame.value(), 0);
        }
        if (mapped.is_error()) {
            MUST(unmap_pages(start, va - start));
            return mapped.error();
        }
        ++m_resident;
    }
    return {};
}

Result<void> AddressSpace::add_region(u64 start, u64 size, u32 access, RegionKind kind) {
    return add_lazy_region(start, size, size, access, kind);
}

Result<void> AddressSpace::add_lazy_region(u64 start, u64 size, u64 populated, u32 access, RegionKind kind) {
    if ((start | size | populated) & (kPageSize - 1) || size == 0 || populated > size) return Error::InvalidArgument;
    if (!in_user_half(start, size)) return Error::OutOfRange;
    if ((access & kUserWrite) && (access & kUserExecute)) return Error::InvalidArgument;
    if (m_count == kMaxRegions) return Error::Overflow;
    if (overlaps(start, size)) return Error::BadState;
    if (!m_mmu.demand_paging()) populated = size;
    TRY(populate(start + size - populated, start + size, access));
    m_regions[m_count++] = {start, size, access, kind, populated < size};
    return {};
}

Result<void> AddressSpace::resolve_fault(u64 address) {
    for (usize i = 0; i < m_count; ++i) {
        const Region& r = m_regions[i];
        if (!r.lazy || address < r.start || address >= r.end()) continue;
        u64 page = align_down(address, kPageSize);
        if (m_mmu.translate(page).ok()) return Error::NotFound;  // there already: a real fault
        return populate(page, page + kPageSize, r.access);
    }
    return Error::NotFound;
}

Result<u64> AddressSpace::map_anywhere(u64 size, u32 access) {
    if (size == 0) return Error::InvalidArgument;
    u64 rounded = TRY(align_up(size, kPageSize));
    if (rounded > abi::kMapLimit - abi::kMapBase) return Error::NoMemory;
    // First fit over the map area, skipping every region and its guard.
    u64 candidate = abi::kMapBase;
    bool moved = true;
    while (moved) {
        moved = false;
        for (usize i = 0; i < m_count; ++i) {
            const Region& r = m_regions[i];
            if (candidate < r.end() + kPageSize && r.start < candidate + rounded + kPageSize) {
                candidate = r.end() + kPageSize;
                moved = true;
            }
        }
        if (candidate + rounded > abi::kMapLimit) return Error::NoMemory;
    }
    TRY(add_region(candidate, rounded, access, RegionKind::Mapped));
    return candidate;
}

Result<void> AddressSpace::remove_mapped(u64 start, u64 size) {
    u64 rounded = TRY(align_up(size, kPageSize));
    for (usize i = 0; i < m_count; ++i) {
        Region& r = m_regions[i];
        if (r.start != start || r.size != rounded || r.kind != RegionKind::Mapped) continue;
        MUST(unmap_pages(r.start, r.size));
        m_regions[i] = m_regions[--m_count];
        return {};
    }
    return Error::InvalidArgument;
}

void AddressSpace::clear() {
    forget_translations();
    bool all = m_mmu.unmap_all(
        [](PhysAddr frame, void* context) {
            auto* self = static_cast<AddressSpace*>(context);
            self->m_pages.free(frame, 0);
            --self->m_resident;
        },
        this);
    for (usize i = 0; !all && i < m_count; ++i) MUST(unmap_pages(m_regions[i].start, m_regions[i].size));
    m_count = 0;
}

Result<u8*> AddressSpace::reach_slow(u64 va, Need need) {
    // Only pages of the user half are ever cached, so a hit in reach()
    // needs no range check; here it comes first.
    if (!in_user_half(va, 1)) return Error::OutOfRange;
    u64 page_va = align_down(va, kPageSize);
    Recent& recent = m_recent[(page_va / kPageSize) % kRecent];
    if (recent.page != page_va) {
        auto translated = m_mmu.translate(page_va);
        if (translated.is_error()) {
            TRY(resolve_fault(va));
            translated.~Result();
            new (&translated) Result<UserPage>(m_mmu.translate(page_va));
        }
        UserPage page = TRY(translated);
        recent = {page_va, static_cast<u8*>(m_pages.to_virtual(page.frame)), page.access};
    }
    if (!allows(recent.access, need)) return Error::OutOfRange;
    return recent.frame + (va & (kPageSize - 1));
}

Result<void> AddressSpace::copy_in(Span<u8> to, u64 from) {
    if (!in_user_half(from, to.size())) return Error::OutOfRange;
    // Within one page (a message header, its bytes, a syscall's argument
    // struct): one lookup and one copy, no loop.
    if (to.size() && (from & (kPageSize - 1)) + to.size() <= kPageSize) {
        mem_copy(to.data(), TRY(reach(from, Need::Read)), to.size());
        return {};
    }
    return copy_in_pages(to, from);
}

// Out of line, so that the one-page path above saves no registers for it.
Result<void> AddressSpace::copy_in_pages(Span<u8> to, u64 from) {
    usize done = 0;
    while (done < to.size()) {
        u64 va = from + done;
        usize chunk = min<usize>(to.size() - done, kPageSize - (va & (kPageSize - 1)));
        u8* source = TRY(reach(va, Need::Read));
        mem_copy(to.data() + done, source, chunk);
        done += chunk;
    }
    return {};
}

Result<void> AddressSpace::check_access(u64 address, u64 length, bool write) {
    if (!in_user_half(address, length)) return Error::OutOfRange;
    if (length && (address & (kPageSize - 1)) + length <= kPageSize) {
        TRY(reach(address, write ? Need::Write : Need::Read));
        return {};
    }
    return check_pages(address, length, write);
}

Result<void> AddressSpace::check_pages(u64 address, u64 length, bool write) {
    for (u64 va = address; va < address + length; va = align_down(va, kPageSize) + kPageSize)
        TRY(reach(va, write ? Need::Write : Need::Read));
    return {};
}

Result<void> AddressSpace::copy_out(u64 to, Span<const u8> from) {
    if (!in_user_half(to, from.size())) return Error::OutOfRange;
    if (from.size() == 0) return {};
    // Within one page the one lookup is both the check and the target (a
    // channel message's header and byte, a syscall's result struct): half
    // the page-table walks of the general path.
    if ((to & (kPageSize - 1)) + from.size() <= kPageSize) {
        mem_copy(TRY(reach(to, Need::Write)), from.data(), from.size());
        return {};
    }
    return copy_out_pages(to, from);
}

Result<void> AddressSpace::copy_out_pages(u64 to, Span<const u8> from) {
    // Check every page first, so a write that fails half-way leaves nothing
    // written (decode, then perform).
    TRY(check_access(to, from.size(), true));
    usize done = 0;
    while (done < from.size()) {
        u64 va = to + done;
        usize chunk = min<usize>(from.size() - done, kPageSize - (va & (kPageSize - 1)));
        mem_copy(MUST(reach(va, Need::Write)), from.data() + done, chunk);
        done += chunk;
    }
    return {};
}

Result<void> AddressSpace::fill(u64 to, Span<const u8> from) {
    if (!in_user_half(to, from.size())) return Error::OutOfRange;
    usize done = 0;
    while (done < from.size()) {
        u64 va = to + done;
        usize chunk = min<usize>(from.size() - done, kPageSize - (va & (kPageSize - 1)));
        mem_copy(TRY(reach(va, Need::Any)), from.data() + done, chunk);
        UserPage page = MUST(m_mmu.translate(align_down(va, kPageSize)));
        if (page.access & kUserExecute) m_mmu.code_written(page.frame);
        done += chunk;
    }
    return {};
}

}  // namespace mote
