#include "dev/virtio/virtio_blk.hpp"

#include "base/memory.hpp"
#include "core/log.hpp"
#include "dev/virtio/virtio.hpp"

namespace mote::virtio {

namespace {
// 5.2.3 Feature bits.
constexpr u64 kBlkSizeMax = u64(1) << 1;
constexpr u64 kBlkSegMax = u64(1) << 2;
constexpr u64 kBlkReadOnly = u64(1) << 5;
constexpr u64 kBlkBlockSize = u64(1) << 6;
constexpr u64 kBlkFlush = u64(1) << 9;
constexpr u64 kImplemented = kBlkSizeMax | kBlkSegMax | kBlkReadOnly | kBlkBlockSize | kBlkFlush;

// 5.2.4 Device configuration layout (byte offsets).
constexpr u32 kConfigCapacity = 0;
constexpr u32 kConfigSizeMax = 8;
constexpr u32 kConfigSegMax = 12;
constexpr u32 kConfigBlockSize = 20;

// 5.2.6 Device Operation: request types and status values.
constexpr u32 kTypeIn = 0;
constexpr u32 kTypeOut = 1;
constexpr u32 kTypeFlush = 4;
constexpr u32 kTypeGetId = 8;
constexpr u8 kStatusOk = 0;
constexpr u8 kStatusIoErr = 1;
constexpr u8 kStatusUnsupported = 2;
constexpr u8 kStatusUnwritten = 0xff;  // ours: the device never wrote it

constexpr usize kIdBytes = 20;  // 5.2.6: GET_ID answers in 20 bytes
}  // namespace

VirtioBlk::VirtioBlk(Transport& transport, DmaSpace& dma, Loop& loop) : Device(transport, dma, loop) {
    BlockDevice::m_loop = &loop;
    m_kick.set_callback(
        [](Deferred& d) {
            auto* self = static_cast<VirtioBlk*>(d.context());
            Inside inside(*self);
            if (!self->m_failed && self->m_queue.should_notify()) {
                ++self->m_notifications;
                self->m_transport.notify(self->m_queue.index());
            }
        },
        this);
}

Result<void> VirtioBlk::attach() {
    u64 features = TRY(negotiate(kImplemented));

    // Decode the whole configuration before trusting any of it.
    u64 capacity = TRY(m_transport.config64(kConfigCapacity));
    u32 seg_max = features & kBlkSegMax ? TRY(m_transport.config32(kConfigSegMax)) : 1;
    u32 size_max = features & kBlkSizeMax ? TRY(m_transport.config32(kConfigSizeMax)) : 0;
    u32 block_size = features & kBlkBlockSize ? TRY(m_transport.config32(kConfigBlockSize)) : kSectorSize;
    if (seg_max == 0) seg_max = 1;
    if (block_size < kSectorSize || (block_size & (block_size - 1)) || block_size > 65536) {
        log_warn("virtio", "blk: ignoring odd block size {}", block_size);
        block_size = kSectorSize;
    }
    if (size_max != 0 && size_max < DmaSpace::kPageSize) {
        // Every page-sized piece of a buffer must fit one segment.
        log_warn("virtio", "blk: size_max {} is below a page; not supported", size_max);
        return Error::Unsupported;
    }

    TRY(setup_queue(m_queue, 0, kQueueSize));
    m_slots = TRY(m_dma.allocate(sizeof(Slot) * m_queue.size()));
    m_id_buffer = TRY(m_dma.allocate(kIdBytes));

    // A chain is header + data + status, and a device may limit data
    // segments (seg_max) below what the queue could hold.
    m_max_segments = min<usize>(kMaxDataSegments, min<usize>(seg_max, m_queue.size() - 2));
    m_size_max = size_max;
    m_block_size = block_size;
    m_has_flush = features & kBlkFlush;

    m_info.sectors = capacity;
    m_info.sector_size = kSectorSize;
    m_info.read_only = features & kBlkReadOnly;
    m_info.queue_depth = m_queue.size() / 3;  // header + one segment + status, at most
    // Any virtually contiguous buffer of this size fits m_max_segments pages
    // even when it does not start on a page boundary.
    u32 by_segments = u32((m_max_segments - 1) * (DmaSpace::kPageSize / kSectorSize));
    m_info.max_sectors_per_request = min<u32>(by_segments ? by_segments : 1, 2048);

    driver_ok();
    m_model.appendf("virtio-blk ({}){}", m_transport.kind(), m_has_flush ? ", write cache" : "");
    request_id();
    return {};
}

void VirtioBlk::request_id() {
    Inside inside(*this);
    Slot& slot = reinterpret_cast<Slot*>(m_slots.virt)[m_queue.next_head()];
    slot = {kTypeGetId, 0, 0, kStatusUnwritten, {}};
    Segment chain[3] = {
        {m_slots.bus + m_queue.next_head() * sizeof(Slot), 16, false},
        {m_id_buffer.bus, kIdBytes, true},
        {m_slots.bus + m_queue.next_head() * sizeof(Slot) + 16, 1, true},
    };
    if (m_queue.submit(Span<const Segment>(chain, 3), this).ok()) {
        m_id_in_flight = true;
        schedule_kick();
    }
}

void VirtioBlk::start(BlockRequest& request) {
    Inside inside(*this);
    if (m_failed) {
        finish(request, Error::Io);
        return;
    }
    if (!m_waiting.empty()) {
        m_waiting.push_back(request);
        return;
    }
    auto r = issue(request);
    if (r.ok()) return;
    if (r.error() == Error::Busy) m_waiting.push_back(request);
    else finish(request, r.error());
}

Result<void> VirtioBlk::issue(BlockRequest& request) {
    // Decode: the data segments first, so nothing is touched if they do not
    // fit.
    DmaSegment data[kMaxDataSegments];
    usize count = 0;
    if (request.op != BlockOp::Flush) {
        usize bytes = usize(request.sectors) * kSectorSize;
        count = TRY(m_dma.translate(request.buffer.data(), bytes, Span<DmaSegment>(data, m_max_segments)));
        if (m_size_max)
            for (usize i = 0; i < count; ++i)
                if (data[i].length > m_size_max) return Error::InvalidArgument;
    }
    // Once the polled write is prepared, its descriptors are not ours.
    const usize reserved = m_polled.virt ? kPolledDescriptors : 0;
    if (m_queue.free_descriptors() < count + 2 + reserved) return Error::Busy;

    // Perform.
    u16 head = m_queue.next_head();
    Slot& slot = reinterpret_cast<Slot*>(m_slots.virt)[head];
    u32 type = request.op == BlockOp::Read ? kTypeIn : request.op == BlockOp::Write ? kTypeOut : kTypeFlush;
    if (type == kTypeFlush && !m_has_flush) {
        // Without VIRTIO_BLK_F_FLUSH the device has no volatile cache to
        // empty (5.2.5): the flush is already done.
        request.start();
        finish(request, Result<void>());
        return {};
    }
    slot = {type, 0, request.lba, kStatusUnwritten, {}};
    Segment chain[kMaxDataSegments + 2];
    usize n = 0;
    BusAddr header = m_slots.bus + usize(head) * sizeof(Slot);
    chain[n++] = {header, 16, false};
    for (usize i = 0; i < count; ++i) chain[n++] = {data[i].bus, data[i].length, request.op == BlockOp::Read};
    chain[n++] = {header + 16, 1, true};
    u16 used_head = TRY(m_queue.submit(Span<const Segment>(chain, n), &request));
    VERIFY(used_head == head);
    request.start();
    schedule_kick();
    return {};
}

void VirtioBlk::schedule_kick() {
    if (!m_kick.queued()) m_event_loop.defer(m_kick);
}

void VirtioBlk::start_waiting() {
    while (!m_waiting.empty() && !m_failed) {
        auto& request = static_cast<BlockRequest&>(*m_waiting.front());
        auto r = issue(request);
        if (r.is_error() && r.error() == Error::Busy) return;
        m_waiting.remove(request);
        if (r.is_error()) finish(request, r.error());
    }
}

void VirtioBlk::service(u32) {
    Inside inside(*this);
    // Whatever the cause bits say, the used ring is the truth: look at it.
    if (!reap(m_queue, [this](void* token, u32 written, u16 head) { on_used(token, written, head); })) return;
    start_waiting();
}

void VirtioBlk::on_used(void* token, u32 written, u16 head) {
    const Slot& slot = reinterpret_cast<const Slot*>(m_slots.virt)[head];
    u8 status = slot.status;
    if (token == this) {
        // get-id: up to 20 bytes, NUL-padded if shorter (5.2.6).
        m_id_in_flight = false;
        if (status != kStatusOk) return;
        const u8* id = m_id_buffer.virt;
        for (usize i = 0; i < kIdBytes && id[i]; ++i) m_serial.append(id[i] >= 0x20 && id[i] < 0x7f ? char(id[i]) : '?');
        if (m_serial.length()) m_model.appendf(", id '{}'", m_serial.view());
        return;
    }
    auto& request = *static_cast<BlockRequest*>(token);
    // The device must at least have written the status byte.
    if (written < 1 || status == kStatusUnwritten) {
        ++m_device_errors;
        finish(request, Error::Io);
        return;
    }
    switch (status) {
    case kStatusOk:
        request.set_value(request.op == BlockOp::Flush ? 0 : u64(request.sectors) * kSectorSize);
        finish(request, Result<void>());
        return;
    case kStatusUnsupported: ++m_device_errors; finish(request, Error::Unsupported); return;
    case kStatusIoErr:
    default: ++m_device_errors; finish(request, Error::Io); return;
    }
}

void VirtioBlk::fail_pending() {
    Inside inside(*this);
    if (m_kick.queued()) m_event_loop.cancel(m_kick);
    m_queue.abandon([this](void* token, u16) {
        if (token == this) {
            m_id_in_flight = false;
            return;
        }
        finish(*static_cast<BlockRequest*>(token), Error::Io);
    });
    while (Request* next = m_waiting.pop_front()) finish(static_cast<BlockRequest&>(*next), Error::Io);
}

void VirtioBlk::cancel_request(Request& r) {
    Inside inside(*this);
    auto& request = static_cast<BlockRequest&>(r);
    // A request still waiting for descriptors is withdrawn; one the device
    // has cannot be taken back (virtio has no abort) and completes normally.
    if (request.provider_node.is_linked()) {
        m_waiting.remove(request);
        finish(request, Error::Cancelled);
    }
}

Result<void> VirtioBlk::prepare_polled(u32 sectors) {
    if (m_failed) return Error::Io;
    if (m_queue.free_descriptors() < kPolledDescriptors + 3) return Error::Busy;
    // Normal requests never need all descriptors: fewer only means more wait.
    m_polled = TRY(m_dma.allocate(sizeof(Slot) + usize(sectors) * kSectorSize));
    m_info.queue_depth = (m_queue.size() - kPolledDescriptors) / 3;
    return {};
}

Result<void> VirtioBlk::perform_polled(u64 lba, ReadonlyBytes data) {
    if (m_inside) return Error::Busy;
    if (m_failed || !m_polled.virt) return Error::Io;
    mem_copy(m_polled.virt + sizeof(Slot), data.data(), data.size());
    TRY(polled_chain(kTypeOut, lba, data.size()));
    if (m_has_flush) TRY(polled_chain(kTypeFlush, 0, 0));
    return {};
}

Result<void> VirtioBlk::polled_chain(u32 type, u64 lba, usize bytes) {
    // The crash path's token: no request, and not `this` (get-id's).
    void* const token = &m_polled;
    Slot& slot = *reinterpret_cast<Slot*>(m_polled.virt);
    slot = {type, 0, lba, kStatusUnwritten, {}};
    Segment chain[3];
    usize n = 0;
    chain[n++] = {m_polled.bus, 16, false};
    if (bytes) chain[n++] = {m_polled.bus + sizeof(Slot), u32(bytes), false};
    chain[n++] = {m_polled.bus + 16, 1, true};
    // Normal requests left kPolledDescriptors free; this is their only user.
    TRY(m_queue.submit(Span<const Segment>(chain, n), token));
    ++m_notifications;
    m_transport.notify(m_queue.index());

    // Spin on the used ring. What else comes back completes as usual: its
    // completion is queued on the loop, and runs if the loop turns again.
    Nanoseconds deadline = m_event_loop.now() + kPolledLimit;
    bool done = false;
    u32 written = 0;
    while (!done) {
        auto reaped = m_queue.reap([&](void* t, u32 w, u16 head) {
            if (t != token) return on_used(t, w, head);
            done = true;
            written = w;
        });
        if (reaped.is_error()) return Error::Io;
        if (done) break;
        if (m_event_loop.now() > deadline) return Error::Timeout;
    }
    if (written < 1 || slot.status != kStatusOk) return Error::Io;
    return {};
}

void VirtioBlk::describe_counters(LineOut& line) const {
    const BlockStats& s = stats();
    line.appendf("reads {} writes {} flushes {} errors {} in flight {} notifies {}", s.reads, s.writes, s.flushes,
                 s.errors, s.in_flight, m_notifications);
}

}  // namespace mote::virtio
