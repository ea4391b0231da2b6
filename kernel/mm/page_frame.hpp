// PageFrame: the record every managed physical page carries.
//
// The page allocator keeps one 8-byte record per managed page frame, in an
// array carved out of managed memory at initialize() (1/512 of RAM). The
// record of the first page of a block (its head) describes the whole block:
// the allocator's state and order, a reference count, and who owns it. The
// records of the other pages of a block read as "inside a block" with no
// references and no owner.
//
// Invariant, checked by the tests: a record that is not the head of an
// allocated block is all zero (refs() == 0, owner() == kOwnerKernel), so
// freeing a block wipes its record and an all-zero array is the state of
// memory nobody holds.
//
// Only PageAllocator writes records (through its ref/unref/set_owner, which
// check that the address is an allocated block): a caller holding a record
// can read it, never corrupt the allocator's state byte.
#pragma once

#include "base/types.hpp"

namespace mote {

// Who holds a block: a process id, or one of the subsystem tags below. 0 is
// "the kernel, unspecified", the default of allocate(). The tags sit at the
// top of the range (kFirstSubsystemOwner and up) so process ids can count up
// from 1 without meeting them.
using PageOwner = u32;
inline constexpr PageOwner kOwnerKernel = 0;
inline constexpr PageOwner kOwnerSlab = 0xffff'ff01;       // slab caches' pages
inline constexpr PageOwner kOwnerDma = 0xffff'ff02;        // device buffers
inline constexpr PageOwner kOwnerPageTable = 0xffff'ff03;  // MMU tables
inline constexpr PageOwner kFirstSubsystemOwner = 0xffff'ff00;

class PageFrame {
public:
    // Which way the allocator sees this page (the state byte, decoded).
    bool is_block_head() const { return (m_state & (kFreeHead | kAllocatedHead)) != 0; }
    bool is_allocated() const { return (m_state & kAllocatedHead) != 0; }  // head of an allocated block
    bool is_free_head() const { return (m_state & kFreeHead) != 0; }
    // The block's order; meaningful on a head only.
    u32 order() const { return m_state & kOrderMask; }

    // References to the block: 1 after allocate(), changed by
    // PageAllocator::ref()/unref(), 0 on every record that is not an
    // allocated head.
    u32 refs() const { return m_refs; }
    PageOwner owner() const { return m_owner; }

    static constexpr u32 kMaxRefs = 0xffff;

    // The state byte. Only a block's first page carries its state; every
    // other page reads Interior. That keeps splitting and merging O(1) per
    // step (only heads are rewritten) and still lets free() reject any
    // address that is not the head of an allocated block of that order.
    static constexpr u8 kInterior = 0x00;       // inside a block (free or allocated)
    static constexpr u8 kFreeHead = 0x40;       // | order: first page of a free block
    static constexpr u8 kAllocatedHead = 0x80;  // | order: first page of an allocated block
    static constexpr u8 kOrderMask = 0x1f;

private:
    friend class PageAllocator;

    u8 m_state = kInterior;
    [[maybe_unused]] u8 m_spare = 0;  // keeps the record 8 bytes; free for a future flag
    u16 m_refs = 0;
    PageOwner m_owner = kOwnerKernel;
};

// Eight bytes: the record array costs 1/512 of managed memory, and a
// record never straddles a cache line.
static_assert(sizeof(PageFrame) == 8);
static_assert(alignof(PageFrame) <= 8);
static_assert(__is_trivially_copyable(PageFrame));

}  // namespace mote
