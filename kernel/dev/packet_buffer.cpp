#include "dev/packet_buffer.hpp"

#include "base/memory.hpp"

namespace mote {

void PacketBuffer::reset(usize headroom) {
    VERIFY(headroom <= kSize);
    m_offset = u16(headroom);
    m_length = 0;
}

Result<Bytes> PacketBuffer::push(usize n) {
    if (n > m_offset) return Error::Overflow;
    m_offset = u16(m_offset - n);
    m_length = u16(m_length + n);
    return Bytes(data(), n);
}

Result<Bytes> PacketBuffer::put(usize n) {
    if (n > tailroom()) return Error::Overflow;
    u8* start = data() + m_length;
    m_length = u16(m_length + n);
    return Bytes(start, n);
}

Result<void> PacketBuffer::append(ReadonlyBytes bytes) {
    Bytes space = TRY(put(bytes.size()));
    if (!bytes.empty()) mem_copy(space.data(), bytes.data(), bytes.size());
    return {};
}

Result<void> PacketBuffer::pull(usize n) {
    if (n > m_length) return Error::OutOfRange;
    m_offset = u16(m_offset + n);
    m_length = u16(m_length - n);
    return {};
}

Result<void> PacketBuffer::trim(usize length) {
    if (length > m_length) return Error::OutOfRange;
    m_length = u16(length);
    return {};
}

void PacketBuffer::release() {
    VERIFY_MSG(m_in_use, "packet buffer released twice");
    VERIFY_MSG(!node.is_linked(), "packet buffer released while still on a list");
    VERIFY(m_pool);
    m_pool->give_back(*this);
}

void release_all(PacketList& list) {
    while (PacketBuffer* b = list.pop_front()) b->release();
}

PacketPool::~PacketPool() {
    VERIFY_MSG(m_free.size() == m_total, "packet pool destroyed while buffers are out (a leak)");
    while (m_free.pop_front()) {
    }
}

void PacketPool::init(Span<PacketBuffer> storage, StringView name) {
    VERIFY_MSG(m_total == 0, "packet pool initialised twice");
    m_name = name;
    for (PacketBuffer& b : storage) {
        b.m_pool = this;
        b.m_in_use = false;
        m_free.push_back(b);
    }
    m_total = storage.size();
    m_low_water = m_total;
}

PacketBuffer* PacketPool::allocate() {
    PacketBuffer* b = m_free.pop_front();
    if (!b) {
        ++m_exhausted;
        return nullptr;
    }
    ++m_allocations;
    if (m_free.size() < m_low_water) m_low_water = m_free.size();
    b->m_in_use = true;
    b->owner_data = 0;
    b->reset();
    return b;
}

void PacketPool::give_back(PacketBuffer& b) {
    b.m_in_use = false;
    bool was_empty = m_free.empty();
    // LIFO: the most recently used buffer is the one most likely in cache.
    m_free.push_front(b);
    if (was_empty && m_hook) m_hook(*this, m_hook_context);
}

PacketPoolStats PacketPool::stats() const {
    PacketPoolStats s;
    s.total = m_total;
    s.free = m_free.size();
    s.low_water = m_low_water;
    s.allocations = m_allocations;
    s.exhausted = m_exhausted;
    return s;
}

}  // namespace mote
