#include "dev/virtio/virtqueue.hpp"

#include "base/checked.hpp"
#include "base/memory.hpp"
#include "dev/virtio/virtio.hpp"

namespace mote::virtio {

namespace {
usize avail_bytes(u16 size) { return 2 + 2 + 2 * usize(size) + 2; }
usize used_bytes(u16 size) { return 2 + 2 + 8 * usize(size) + 2; }
usize round_up(usize value, usize align) { return (value + align - 1) & ~(align - 1); }
}  // namespace

usize Virtqueue::memory_size(u16 size) {
    usize first = 16 * usize(size) + avail_bytes(size);
    return round_up(first, kAlign) + round_up(used_bytes(size), kAlign);
}

Result<void> Virtqueue::init(u16 index, u16 size, DmaRegion memory) {
    if (size == 0 || size > kMaxSize || (size & (size - 1)) != 0) return Error::InvalidArgument;
    if (memory.size < memory_size(size) || reinterpret_cast<uptr>(memory.virt) % kAlign || memory.bus % kAlign)
        return Error::InvalidArgument;
    m_memory = memory;
    m_index = index;
    m_size = size;
    m_avail_offset = 16 * usize(size);
    m_used_offset = round_up(m_avail_offset + avail_bytes(size), kAlign);
    mem_set(m_memory.virt, 0, memory_size(size));
    for (u16 i = 0; i < size; ++i) {
        m_next[i] = u16(i + 1);
        m_chain_length[i] = 0;
        m_writable[i] = 0;
        m_token[i] = nullptr;
    }
    m_free_head = 0;
    m_free_count = size;
    m_in_flight = 0;
    m_avail_index = 0;
    m_last_used = 0;
    m_published_at_notify = 0;
    m_fault.clear();
    return {};
}

QueueAddresses Virtqueue::addresses() const {
    return {m_memory.bus, m_memory.bus + m_avail_offset, m_memory.bus + m_used_offset};
}

u16 Virtqueue::read_used_index() const { return used_header()[1]; }

bool Virtqueue::has_used() const { return m_size && read_used_index() != m_last_used; }

Result<u16> Virtqueue::submit(Span<const Segment> segments, void* token) {
    // Decode: the whole chain is checked before a descriptor is touched.
    if (segments.empty() || !token) return Error::InvalidArgument;
    if (segments.size() > m_free_count) return Error::Busy;
    u64 writable = 0;
    bool seen_writable = false;
    for (const Segment& s : segments) {
        if (s.length == 0) return Error::InvalidArgument;
        if (seen_writable && !s.device_writes) return Error::InvalidArgument;
        seen_writable |= s.device_writes;
        if (s.device_writes) writable += s.length;
    }
    if (writable > 0xffffffffu) return Error::Overflow;

    // Perform: take descriptors off the private free list and fill them.
    u16 head = m_free_head;
    u16 at = head;
    volatile Descriptor* table = descriptors();
    for (usize i = 0; i < segments.size(); ++i) {
        const Segment& s = segments[i];
        bool last = i + 1 == segments.size();
        u16 next = m_next[at];
        table[at].addr = s.bus;
        table[at].len = s.length;
        table[at].flags = u16((s.device_writes ? kDescWrite : 0) | (last ? 0 : kDescNext));
        table[at].next = last ? 0 : next;
        if (last) m_free_head = next;
        else at = next;
    }
    m_free_count = u16(m_free_count - segments.size());
    m_chain_length[head] = u16(segments.size());
    m_writable[head] = u32(writable);
    m_token[head] = token;
    ++m_in_flight;

    // 2.7.13: ring entry, then (after a write barrier) the index that
    // publishes it.
    volatile u16* ring = avail();
    ring[2 + m_avail_index % m_size] = head;
    dma_wmb();
    ++m_avail_index;
    ring[1] = m_avail_index;
    return head;
}

bool Virtqueue::should_notify() {
    if (m_published_at_notify == m_avail_index) return false;
    m_published_at_notify = m_avail_index;
    // The index must be visible before we read the device's flag, and
    // before the notification itself (2.7.13.4).
    io_mb();
    return !(used_header()[0] & kUsedNoNotify);
}

Result<void*> Virtqueue::take_used(u16 slot, u32& written, u16& head) {
    volatile UsedElement& element = used_ring()[slot];
    u32 id = element.id;
    u32 length = element.len;
    if (id >= m_size) {
        set_fault("queue {}: used id {} is out of range (size {})", m_index, id, m_size);
        return Error::Io;
    }
    if (!m_chain_length[id]) {
        set_fault("queue {}: used id {} is not the head of a chain in flight", m_index, id);
        return Error::Io;
    }
    if (length > m_writable[id]) {
        set_fault("queue {}: used length {} for id {} exceeds its {} writable bytes", m_index, length, id,
                  m_writable[id]);
        return Error::Io;
    }
    void* token = m_token[id];
    free_chain(u16(id));
    written = length;
    head = u16(id);
    return token;
}

void Virtqueue::free_chain(u16 head) {
    // Walk the private shadow, never the device-visible table.
    u16 count = m_chain_length[head];
    u16 last = head;
    for (u16 i = 1; i < count; ++i) last = m_next[last];
    m_next[last] = m_free_head;
    m_free_head = head;
    m_free_count = u16(m_free_count + count);
    m_chain_length[head] = 0;
    m_writable[head] = 0;
    m_token[head] = nullptr;
    --m_in_flight;
}

}  // namespace mote::virtio
