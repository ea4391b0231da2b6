#include "proc/handle_table.hpp"

namespace mote {


Result<abi::Handle> HandleTable::install(KernelObject& object, u32 rights) {
    for (u32 i = 0; i < kSlots; ++i) {
        Slot& slot = m_slots[i];
        if (slot.object) continue;
        slot.object = &object;
        slot.rights = rights & abi::kRightsAll;
        object.retain();
        ++m_used;
        ++m_by_type[usize(object.type())];
        return encode(i);
    }
    return Error::Overflow;
}

Result<HandleRef> HandleTable::get(abi::Handle value) const {
    u32 index = TRY(index_of(value));
    return HandleRef {m_slots[index].object, m_slots[index].rights};
}

Result<KernelObject*> HandleTable::lookup(abi::Handle value, u32 needed) const {
    u32 index = TRY(index_of(value));
    const Slot& slot = m_slots[index];
    if ((slot.rights & needed) != needed) return Error::AccessDenied;
    return slot.object;
}

void HandleTable::retire(Slot& slot) {
    --m_by_type[usize(slot.object->type())];
    slot.object = nullptr;
    slot.rights = 0;
    // The next handle in this slot gets a new value; generation 0 is
    // skipped so that a slot's first and wrapped-around values differ
    // (the 24 bits wrap after 16 million closes of one slot).
    slot.generation = (slot.generation + 1) & ((1u << (32 - kIndexBits)) - 1);
    if (slot.generation == 0) slot.generation = 1;
    --m_used;
}

Result<void> HandleTable::close(abi::Handle value) {
    u32 index = TRY(index_of(value));
    Slot& slot = m_slots[index];
    KernelObject* object = slot.object;
    retire(slot);
    object->release();
    return {};
}

Result<HandleRef> HandleTable::take(abi::Handle value) {
    u32 index = TRY(index_of(value));
    Slot& slot = m_slots[index];
    HandleRef taken {slot.object, slot.rights};
    retire(slot);
    return taken;
}

void HandleTable::close_all() {
    for (u32 i = 0; i < kSlots; ++i)
        if (m_slots[i].object) MUST(close(encode(i)));
}

}  // namespace mote
