// PageMap: the pages of one in-memory file, by page index: the data of a
// RamFs file or symlink (fs/ram_fs.hpp).
//
// Shaped like an ext2 block map: kDirect page addresses in the map itself,
// then one index page of kPerIndex addresses, then an index page of index
// pages. A small file costs no index page; the largest is kMaxPages pages
// (about 1 GiB). A page never written is a hole and reads as zeros, so
// truncate() to a larger size costs nothing.
//
// Pages come from, and go back to, a PageSource: the owner decides where
// they come from and counts them (RamFs charges them to its budget). Every
// page it hands out is zeroed. An entry holds the page's physical address
// with bit 0 set (pages are 4 KiB aligned), so 0 means "none" even where
// physical address 0 is memory, and a fresh zeroed index page is all holes.
#pragma once

#include "base/result.hpp"
#include "mm/page_allocator.hpp"

namespace mote::fs {

class PageSource {
public:
    // A zeroed page; NoSpace or NoMemory if there is none.
    virtual Result<PhysAddr> take_page() = 0;
    virtual void give_page(PhysAddr page) = 0;
    virtual u8* page_bytes(PhysAddr page) = 0;

protected:
    ~PageSource() = default;
};

class PageMap {
public:
    static constexpr u64 kDirect = 12;
    static constexpr u64 kPerIndex = kPageSize / sizeof(u64);
    static constexpr u64 kMaxPages = kDirect + kPerIndex + kPerIndex * kPerIndex;

    PageMap() = default;
    PageMap(const PageMap&) = delete;
    PageMap& operator=(const PageMap&) = delete;
    // Every page must have been given back (free_from(0)) first.
    ~PageMap();

    // The page at `index`, or nullptr for a hole (or an index past kMaxPages).
    u8* find(PageSource& source, u64 index) const;
    // The page at `index`, taken (with the index pages it needs) if it is a
    // hole. OutOfRange past kMaxPages; the source's error if it has no page
    // (index pages taken before that stay, empty, until free_from).
    Result<u8*> get(PageSource& source, u64 index);
    // Gives back every page at `first` and beyond, and the index pages
    // left with nothing in them.
    void free_from(PageSource& source, u64 first);

    // Data pages held (not counting index pages).
    u64 data_pages() const { return m_data_pages; }
    // Index pages held.
    u64 index_pages() const { return m_index_pages; }

private:
    static bool present(u64 entry) { return entry & 1; }
    static PhysAddr page_of(u64 entry) { return PhysAddr(entry & ~u64(1)); }
    static u64 entry_of(PhysAddr page) { return u64(page) | 1; }
    u64* index_entries(PageSource& source, u64 entry) const {
        return reinterpret_cast<u64*>(source.page_bytes(page_of(entry)));
    }
    // The slot for `index`, taking index pages on the way if `take`.
    Result<u64*> slot(PageSource& source, u64 index, bool take);
    // Frees the data pages of an index page's entries [from, kPerIndex)
    // and the index page itself if `from` is 0; `entry` is cleared then.
    void free_index(PageSource& source, u64& entry, u64 from);

    u64 m_direct[kDirect] {};
    u64 m_single = 0;
    u64 m_double = 0;
    u64 m_data_pages = 0;
    u64 m_index_pages = 0;
};

}  // namespace mote::fs
