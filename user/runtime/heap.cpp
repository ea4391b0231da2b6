#include "heap.hpp"

#include "base/memory.hpp"

namespace mote::user {

namespace {

// Tags in the header tell a block's state; a random pointer is unlikely to
// point just after one of them.
constexpr u64 kTagUsed = 0x6d6f74652d757365;   // "mote-use"
constexpr u64 kTagFree = 0x6d6f74652d667265;   // "mote-fre"
constexpr u64 kTagLarge = 0x6d6f74652d6c7267;  // "mote-lrg"
// The smallest block worth splitting off: a header and a free-list link.
constexpr usize kMinBlock = 32;

constexpr usize round_up(usize value, usize to) { return (value + to - 1) & ~(to - 1); }

}  // namespace

const char* heap_fault_name(HeapFault fault) {
    switch (fault) {
    case HeapFault::None: return "None";
    case HeapFault::BadPointer: return "BadPointer";
    case HeapFault::DoubleFree: return "DoubleFree";
    }
    return "Unknown";
}

void Heap::fault(HeapFault fault) {
    ++m_stats.faults;
    m_stats.last_fault = fault;
}

void* Heap::allocate(usize size) {
    if (size > kMaxRequest) return nullptr;
    usize need = max(round_up(size + kHeaderBytes, kAlign), kMinBlock);
    if (need >= kLargeBytes) {
        usize length = round_up(need, kPageBytes);
        auto* header = static_cast<Header*>(m_source.map(length, m_source.context));
        if (!header) return nullptr;
        header->size = length;
        header->tag = kTagLarge;
        m_stats.mapped_bytes += length;
        m_stats.in_use_bytes += length;
        ++m_stats.allocations;
        return reinterpret_cast<u8*>(header) + kHeaderBytes;
    }
    void* block = take_from_free_list(need);
    if (!block && grow()) block = take_from_free_list(need);
    return block;
}

void* Heap::take_from_free_list(usize need) {
    FreeBlock** link = &m_free;
    for (FreeBlock* block = m_free; block; link = &block->next, block = block->next) {
        usize size = block->header.size;
        if (size < need) continue;
        if (size - need >= kMinBlock) {
            // Keep the tail free, in the head's place in the list.
            auto* rest = reinterpret_cast<FreeBlock*>(reinterpret_cast<u8*>(block) + need);
            rest->header.size = size - need;
            rest->header.tag = kTagFree;
            rest->next = block->next;
            *link = rest;
            size = need;
        } else {
            *link = block->next;
        }
        block->header.size = size;
        block->header.tag = kTagUsed;
        m_stats.in_use_bytes += size;
        ++m_stats.allocations;
        return reinterpret_cast<u8*>(block) + kHeaderBytes;
    }
    return nullptr;
}

bool Heap::grow() {
    auto* arena = static_cast<FreeBlock*>(m_source.map(kArenaBytes, m_source.context));
    if (!arena) return false;
    m_stats.mapped_bytes += kArenaBytes;
    arena->header.size = kArenaBytes;
    arena->header.tag = kTagFree;
    arena->next = nullptr;
    insert_free(arena);
    return true;
}

void Heap::insert_free(FreeBlock* block) {
    // Address order: find the last free block below `block`.
    FreeBlock* before = nullptr;
    FreeBlock* after = m_free;
    while (after && after < block) {
        before = after;
        after = after->next;
    }
    block->next = after;
    if (before) before->next = block;
    else m_free = block;
    // Merge with the neighbours that touch it. Arenas come from separate
    // mappings; if two happen to be adjacent, merging them is still sound.
    if (after && reinterpret_cast<u8*>(block) + block->header.size == reinterpret_cast<u8*>(after)) {
        block->header.size += after->header.size;
        block->next = after->next;
        after->header.tag = 0;
    }
    if (before && reinterpret_cast<u8*>(before) + before->header.size == reinterpret_cast<u8*>(block)) {
        before->header.size += block->header.size;
        before->next = block->next;
        block->header.tag = 0;
    }
}

void Heap::release(void* pointer) {
    if (!pointer) return;
    if (uptr(pointer) % kAlign != 0) return fault(HeapFault::BadPointer);
    auto* header = reinterpret_cast<Header*>(static_cast<u8*>(pointer) - kHeaderBytes);
    switch (header->tag) {
    case kTagUsed:
        m_stats.in_use_bytes -= header->size;
        --m_stats.allocations;
        header->tag = kTagFree;
        insert_free(reinterpret_cast<FreeBlock*>(header));
        return;
    case kTagLarge: {
        usize length = header->size;
        header->tag = 0;
        m_stats.in_use_bytes -= length;
        m_stats.mapped_bytes -= length;
        --m_stats.allocations;
        m_source.unmap(header, length, m_source.context);
        return;
    }
    case kTagFree: return fault(HeapFault::DoubleFree);
    default: return fault(HeapFault::BadPointer);
    }
}

usize Heap::usable_size(const void* pointer) const {
    if (!pointer) return 0;
    auto* header = reinterpret_cast<const Header*>(static_cast<const u8*>(pointer) - kHeaderBytes);
    if (header->tag != kTagUsed && header->tag != kTagLarge) return 0;
    return header->size - kHeaderBytes;
}

void* Heap::reallocate(void* pointer, usize size) {
    if (!pointer) return allocate(size);
    if (size == 0) {
        release(pointer);
        return nullptr;
    }
    usize usable = usable_size(pointer);
    if (usable == 0) {
        fault(HeapFault::BadPointer);
        return nullptr;
    }
    if (size <= usable) return pointer;
    void* fresh = allocate(size);
    if (!fresh) return nullptr;
    mem_copy(fresh, pointer, usable);
    release(pointer);
    return fresh;
}

}  // namespace mote::user
