#include "proc/handle_table.hpp"

namespace mote {

Result<u32> HandleTable::index_of(abi::Handle value) const {
    u32 low = value & ((1u << kIndexBits) - 1);
    if (low == 0 || low > kSlots) return Error::NotFound;
    u32 index = low - 1;
    const Slot& slot = m_slots[index];
    if (!slot.object || encode(index) != value) return Error::NotFound;
    return index;
}

Result<abi::Handle> HandleTable::install(KernelObject& object) {
    for (u32 i = 0; i < kSlots; ++i) {
        Slot& slot = m_slots[i];
        if (slot.object) continue;
        slot.object = &object;
        object.retain();
        ++m_used;
        return encode(i);
    }
    return Error::Overflow;
}

Result<KernelObject*> HandleTable::lookup(abi::Handle value) const {
    u32 index = TRY(index_of(value));
    return m_slots[index].object;
}

Result<void> HandleTable::close(abi::Handle value) {
    u32 index = TRY(index_of(value));
    Slot& slot = m_slots[index];
    KernelObject* object = slot.object;
    slot.object = nullptr;
    // The next handle in this slot gets a new value; generation 0 is
    // skipped so that no value is ever 0 in its upper bits by wrap-around
    // alone (the 24 bits wrap after 16 million closes of one slot).
    slot.generation = (slot.generation + 1) & ((1u << (32 - kIndexBits)) - 1);
    if (slot.generation == 0) slot.generation = 1;
    --m_used;
    object->release();
    return {};
}

void HandleTable::close_all() {
    for (u32 i = 0; i < kSlots; ++i)
        if (m_slots[i].object) MUST(close(encode(i)));
}

}  // namespace mote
