#include "fs/page_map.hpp"

#include "base/verify.hpp"

namespace mote::fs {

PageMap::~PageMap() { VERIFY_MSG(m_data_pages == 0 && m_index_pages == 0, "a PageMap destroyed holding pages"); }

Result<u64*> PageMap::slot(PageSource& source, u64 index, bool take) {
    if (index < kDirect) return &m_direct[index];
    index -= kDirect;
    // The index page behind `entry`, taken if missing (and allowed).
    auto through = [&](u64& entry) -> Result<u64*> {
        if (!present(entry)) {
            if (!take) return static_cast<u64*>(nullptr);
            entry = entry_of(TRY(source.take_page()));
            ++m_index_pages;
        }
        return index_entries(source, entry);
    };
    if (index < kPerIndex) {
        u64* entries = TRY(through(m_single));
        return entries ? &entries[index] : static_cast<u64*>(nullptr);
    }
    index -= kPerIndex;
    if (index >= kPerIndex * kPerIndex) return Error::OutOfRange;
    u64* outer = TRY(through(m_double));
    if (!outer) return static_cast<u64*>(nullptr);
    u64* inner = TRY(through(outer[index / kPerIndex]));
    return inner ? &inner[index % kPerIndex] : static_cast<u64*>(nullptr);
}

u8* PageMap::find(PageSource& source, u64 index) const {
    auto found = const_cast<PageMap*>(this)->slot(source, index, false);
    if (found.is_error() || !found.value() || !present(*found.value())) return nullptr;
    return source.page_bytes(page_of(*found.value()));
}

Result<u8*> PageMap::get(PageSource& source, u64 index) {
    u64* entry = TRY(slot(source, index, true));
    if (!present(*entry)) {
        *entry = entry_of(TRY(source.take_page()));
        ++m_data_pages;
    }
    return source.page_bytes(page_of(*entry));
}

void PageMap::free_index(PageSource& source, u64& entry, u64 from) {
    if (!present(entry)) return;
    u64* entries = index_entries(source, entry);
    for (u64 i = from; i < kPerIndex; ++i) {
        if (!present(entries[i])) continue;
        source.give_page(page_of(entries[i]));
        entries[i] = 0;
        --m_data_pages;
    }
    if (from == 0) {
        source.give_page(page_of(entry));
        entry = 0;
        --m_index_pages;
    }
}

void PageMap::free_from(PageSource& source, u64 first) {
    for (u64 i = first; i < kDirect; ++i) {
        if (!present(m_direct[i])) continue;
        source.give_page(page_of(m_direct[i]));
        m_direct[i] = 0;
        --m_data_pages;
    }
    // The single index page covers [kDirect, kDirect + kPerIndex).
    u64 single_from = first <= kDirect ? 0 : first - kDirect;
    if (single_from < kPerIndex) free_index(source, m_single, single_from);
    // Each inner page k of the double index covers kPerIndex pages from
    // kDirect + kPerIndex + k * kPerIndex.
    if (!present(m_double)) return;
    u64 base = kDirect + kPerIndex;
    u64* outer = index_entries(source, m_double);
    for (u64 k = 0; k < kPerIndex; ++k) {
        u64 start = base + k * kPerIndex;
        if (first >= start + kPerIndex) continue;
        free_index(source, outer[k], first <= start ? 0 : first - start);
    }
    if (first <= base) {
        source.give_page(page_of(m_double));
        m_double = 0;
        --m_index_pages;
    }
}

}  // namespace mote::fs
