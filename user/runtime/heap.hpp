// Heap: the user allocator behind malloc/free and new/delete, over pages
// from a PageSource (sys::map in programs, a fake in the unit tests).
//
// Small requests are carved first-fit from arenas of kArenaBytes, with a
// 16-byte header in front of each block; freed blocks go back on one
// address-ordered free list and merge with free neighbours, so the list
// stays short and fragmentation bounded. A request of kLargeBytes or more
// gets a mapping of its own, returned to the source when freed. Arenas are
// kept for the life of the process (programs are short-lived).
//
// Single-threaded, like Mote's processes. A free of a pointer the heap did
// not hand out, or of one already freed, is not followed: it is counted as
// a HeapFault and ignored, so a buggy program keeps its heap consistent.
#pragma once

#include "base/types.hpp"

namespace mote::user {

struct PageSource {
    // Zeroed, page-aligned memory of `length` bytes, or nullptr.
    void* (*map)(usize length, void* context);
    void (*unmap)(void* address, usize length, void* context);
    void* context;
};

enum class HeapFault : u8 { None, BadPointer, DoubleFree };
const char* heap_fault_name(HeapFault fault);

struct HeapStats {
    usize in_use_bytes = 0;  // blocks handed out, headers included
    usize mapped_bytes = 0;  // arenas and large mappings held
    usize allocations = 0;   // live allocations
    usize faults = 0;
    HeapFault last_fault = HeapFault::None;
};

class Heap {
public:
    static constexpr usize kAlign = 16;
    static constexpr usize kHeaderBytes = 16;
    static constexpr usize kArenaBytes = 256 * 1024;
    static constexpr usize kLargeBytes = 64 * 1024;
    static constexpr usize kPageBytes = 4096;
    // Requests above this cannot be valid in the user address space (and
    // rounding them up could wrap).
    static constexpr usize kMaxRequest = usize(1) << 40;

    explicit Heap(PageSource source) : m_source(source) {}

    // 16-byte aligned, or nullptr when out of memory or too large.
    void* allocate(usize size);
    // nullptr is fine; anything not from allocate() is a counted fault.
    void release(void* pointer);
    // Grows or keeps `pointer` (never moves it to shrink); size 0 frees it
    // and returns nullptr. On failure the old block is untouched.
    void* reallocate(void* pointer, usize size);
    // Bytes usable at `pointer` (at least what was asked for).
    usize usable_size(const void* pointer) const;

    const HeapStats& stats() const { return m_stats; }

private:
    struct Header {
        usize size;  // the whole block, header included
        u64 tag;
    };
    struct FreeBlock {
        Header header;
        FreeBlock* next;
    };

    void* take_from_free_list(usize need);
    bool grow();
    void insert_free(FreeBlock* block);
    void fault(HeapFault fault);

    PageSource m_source;
    FreeBlock* m_free = nullptr;
    HeapStats m_stats;
};

}  // namespace mote::user
