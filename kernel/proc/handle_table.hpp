// HandleTable: the per-process table that turns handle values into kernel
// objects and the rights the process holds on them. A handle value packs a
// slot index with that slot's generation, masked by a per-process secret:
//
//   value = (generation << kIndexBits | (index + 1)) ^ (secret << kIndexBits)
//
// Closing a handle bumps its slot's generation, so a value kept after close
// (or made up) names no object: lookup says BadHandle instead of handing out
// whatever now lives in the slot. The secret makes the upper 24 bits of a
// value unguessable from another process's values (a forger has one chance
// in 16 million per try). Value 0 (abi::kNoHandle) is never valid.
//
// Rights are checked in the lookup itself (lookup(value, needed)), so a
// syscall cannot name an object without saying what it wants to do with it.
// The table is a fixed array inside the Process: no allocation, and its size
// is the process's handle limit (TooMany past it).
#pragma once

#include "proc/kernel_object.hpp"

namespace mote {

// An object and the rights one handle holds on it.
struct HandleRef {
    KernelObject* object = nullptr;
    u32 rights = 0;
};

class HandleTable {
public:
    static constexpr u32 kSlots = 128;
    static constexpr u32 kIndexBits = 8;
    static_assert(kSlots < (1u << kIndexBits));

    HandleTable() = default;
    HandleTable(const HandleTable&) = delete;
    HandleTable& operator=(const HandleTable&) = delete;
    ~HandleTable() { VERIFY_MSG(m_used == 0, "handle table destroyed with open handles"); }

    // The per-process mask (only its low 24 bits are used); set once,
    // before the first install.
    void set_secret(u32 secret) { m_secret = secret & ((1u << (32 - kIndexBits)) - 1); }

    // Stores `object` (taking a reference) with `rights` in a free slot;
    // Overflow when the table is full (the syscall boundary names it TooMany).
    Result<abi::Handle> install(KernelObject& object, u32 rights);
    // The object and rights `value` names. NotFound for a closed, stale or
    // forged value (the syscall boundary names it BadHandle).
    Result<HandleRef> get(abi::Handle value) const;
    // The object, if the handle holds every right in `needed`
    // (AccessDenied otherwise).
    Result<KernelObject*> lookup(abi::Handle value, u32 needed) const;
    // The same answer without its reason: the object, or nullptr for any
    // refusal (a value wider than a handle included). Every syscall on a
    // handle starts here, so it is inline; only a refusal looks again,
    // with get(), to name and audit it.
    [[gnu::always_inline]] KernelObject* find(u64 value, u32 needed) const {
        if (value > 0xffffffffu) return nullptr;
        u32 index = slot_of(abi::Handle(value));
        if (index >= kSlots || (m_slots[index].rights & needed) != needed) return nullptr;
        return m_slots[index].object;
    }
    // Closes `value`, dropping its reference.
    Result<void> close(abi::Handle value);
    // Removes `value` without dropping its reference: the caller now owns
    // that reference (a handle moving into a channel message).
    Result<HandleRef> take(abi::Handle value);
    // Closes every handle (process teardown).
    void close_all();

    u32 used() const { return m_used; }
    // How many handles name an object of `type`: the spawn capability is
    // the only ObjectType::Capability, so whether a process holds it is one
    // load, not a walk of the table on every spawn.
    u32 count(ObjectType type) const { return m_by_type[usize(type)]; }
    u32 free_slots() const { return kSlots - m_used; }
    template <typename Fn>
    void for_each(Fn&& fn) const {
        for (u32 i = 0; i < kSlots; ++i)
            if (m_slots[i].object) fn(encode(i), HandleRef {m_slots[i].object, m_slots[i].rights});
    }

private:
    struct Slot {
        KernelObject* object = nullptr;
        u32 rights = 0;
        u32 generation = 1;
    };
    abi::Handle encode(u32 index) const {
        return ((m_slots[index].generation << kIndexBits) | (index + 1)) ^ (m_secret << kIndexBits);
    }
    // The slot `value` names, or kSlots for a closed, stale or forged value:
    // the one check behind find() and every Result-returning lookup.
    [[gnu::always_inline]] u32 slot_of(abi::Handle value) const {
        u32 index = (value & ((1u << kIndexBits) - 1)) - 1;  // 0 wraps to the largest
        if (index >= kSlots || !m_slots[index].object || encode(index) != value) return kSlots;
        return index;
    }
    Result<u32> index_of(abi::Handle value) const {
        u32 index = slot_of(value);
        if (index == kSlots) return Error::NotFound;
        return index;
    }
    void retire(Slot& slot);

    Slot m_slots[kSlots];
    u32 m_used = 0;
    u16 m_by_type[kObjectTypeCount] {};
    u32 m_secret = 0;
};

// The rights each kind of object starts with when the kernel makes a handle
// for it (every other handle derives from one of these by dropping rights).
inline constexpr u32 kProcessRights =
    abi::kRightWait | abi::kRightSignal | abi::kRightDuplicate | abi::kRightTransfer;
inline constexpr u32 kStreamRights =
    abi::kRightRead | abi::kRightWrite | abi::kRightWait | abi::kRightDuplicate | abi::kRightTransfer;
inline constexpr u32 kChannelRights = kStreamRights;

}  // namespace mote
