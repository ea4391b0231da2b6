// HandleTable: the per-process table that turns handle values into kernel
// objects. A handle value packs a slot index with that slot's generation:
//
//   value = generation << kIndexBits | (index + 1)
//
// Closing a handle bumps its slot's generation, so a value kept after close
// (or made up) names no object: lookup says BadHandle instead of handing out
// whatever now lives in the slot. Value 0 (abi::kNoHandle) is never valid.
// The table is a fixed array inside the Process: no allocation, and its
// size is the process's handle limit (TooMany past it).
#pragma once

#include "proc/kernel_object.hpp"

namespace mote {

class HandleTable {
public:
    static constexpr u32 kSlots = 128;
    static constexpr u32 kIndexBits = 8;
    static_assert(kSlots < (1u << kIndexBits));

    HandleTable() = default;
    HandleTable(const HandleTable&) = delete;
    HandleTable& operator=(const HandleTable&) = delete;
    ~HandleTable() { VERIFY_MSG(m_used == 0, "handle table destroyed with open handles"); }

    // Stores `object` (taking a reference) in a free slot; Overflow when
    // the table is full (the syscall boundary names it TooMany).
    Result<abi::Handle> install(KernelObject& object);
    // The object named by `value`. NotFound for a closed, stale or forged
    // value (the syscall boundary names it BadHandle).
    Result<KernelObject*> lookup(abi::Handle value) const;
    // Closes `value`, dropping its reference.
    Result<void> close(abi::Handle value);
    // Closes every handle (process teardown).
    void close_all();

    u32 used() const { return m_used; }
    template <typename Fn>
    void for_each(Fn&& fn) const {
        for (u32 i = 0; i < kSlots; ++i)
            if (m_slots[i].object) fn(encode(i), *m_slots[i].object);
    }

private:
    struct Slot {
        KernelObject* object = nullptr;
        u32 generation = 1;
    };
    static abi::Handle encode(u32 index, u32 generation) { return (generation << kIndexBits) | (index + 1); }
    abi::Handle encode(u32 index) const { return encode(index, m_slots[index].generation); }
    Result<u32> index_of(abi::Handle value) const;

    Slot m_slots[kSlots];
    u32 m_used = 0;
};

}  // namespace mote
