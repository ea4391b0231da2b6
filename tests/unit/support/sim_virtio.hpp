// A simulated virtio device for the hosted unit tests: a Transport whose
// "registers" are plain fields, and a device side that reads the rings the
// driver wrote (bus addresses are host pointers here) and writes used
// elements, correctly or, on request, with lies.
#pragma once

#include <functional>

#include <stdlib.h>

#include <cstring>
#include <vector>

#include "dev/virtio/dma.hpp"
#include "dev/virtio/transport.hpp"
#include "dev/virtio/virtio.hpp"

namespace mote::test {

// DMA memory from the host heap; the bus address is the pointer.
class HostDma final : public virtio::DmaSpace {
public:
    ~HostDma() {
        for (void* p : blocks) ::free(p);
    }
    Result<virtio::DmaRegion> allocate(usize bytes) override {
        usize rounded = (bytes + kPageSize - 1) / kPageSize * kPageSize;
        void* p = aligned_alloc(kPageSize, rounded);
        if (!p) return Error::NoMemory;
        std::memset(p, 0, rounded);
        blocks.push_back(p);
        return virtio::DmaRegion {static_cast<u8*>(p), reinterpret_cast<u64>(p), rounded};
    }
    void free(const virtio::DmaRegion&) override {}
    Result<virtio::BusAddr> bus_address(const void* virt) override { return reinterpret_cast<u64>(virt); }

    std::vector<void*> blocks;
};

struct SimDescriptor {
    u64 addr;
    u32 len;
    u16 flags;
    u16 next;
};

// The device's view of one split queue.
class SimQueue {
public:
    void setup(u16 size, const virtio::QueueAddresses& where) {
        this->size = size;
        addresses = where;
        seen_avail = 0;
        used_index = 0;
    }
    bool ready() const { return size != 0; }

    volatile SimDescriptor* table() const { return reinterpret_cast<volatile SimDescriptor*>(addresses.descriptors); }
    volatile u16* avail() const { return reinterpret_cast<volatile u16*>(addresses.driver); }
    volatile u16* used() const { return reinterpret_cast<volatile u16*>(addresses.device); }

    // Heads the driver has published since the last call.
    std::vector<u16> take_available() {
        std::vector<u16> heads;
        u16 index = avail()[1];
        while (seen_avail != index) {
            heads.push_back(u16(avail()[2 + seen_avail % size]));
            ++seen_avail;
        }
        return heads;
    }
    std::vector<SimDescriptor> chain(u16 head) const {
        std::vector<SimDescriptor> out;
        u16 at = head;
        for (u16 guard = 0; guard < size; ++guard) {
            volatile SimDescriptor& d = table()[at];
            out.push_back({d.addr, d.len, d.flags, d.next});
            if (!(d.flags & virtio::kDescNext)) break;
            at = d.next;
        }
        return out;
    }
    // Writes one used element and publishes it.
    void push_used(u32 id, u32 len) {
        write_used_element(used_index, id, len);
        ++used_index;
        used()[1] = used_index;
    }
    void write_used_element(u16 at, u32 id, u32 len) {
        auto* ring = reinterpret_cast<volatile u32*>(addresses.device + 4);
        ring[2 * (at % size)] = id;
        ring[2 * (at % size) + 1] = len;
    }
    void set_used_index(u16 index) {
        used_index = index;
        used()[1] = index;
    }

    u16 size = 0;
    virtio::QueueAddresses addresses;
    u16 seen_avail = 0;
    u16 used_index = 0;
};

class SimTransport final : public virtio::Transport {
public:
    explicit SimTransport(u32 id, u64 offered) : id(id), offered(offered) {}

    StringView kind() const override { return "sim"; }
    bool legacy() const override { return false; }
    u32 device_id() const override { return id; }
    u64 location() const override { return 0x1000; }
    Result<void> reset() override {
        ++resets;
        // A device stuck in its reset keeps its status and its queues.
        if (stuck_in_reset) return Error::Timeout;
        status_value = 0;
        for (auto& q : queues) q = SimQueue();
        return {};
    }
    bool stuck_in_reset = false;
    u8 status() override {
        // A device that cannot accept the driver's features clears FEATURES_OK.
        if (refuse_features) status_value &= u8(~virtio::kStatusFeaturesOk);
        return status_value;
    }
    void set_status(u8 s) override { status_value = s; }
    u64 device_features() override { return offered; }
    void set_driver_features(u64 f) override { accepted = f; }
    u16 max_queue_size(u16 index) override { return index < 2 ? max_size : 0; }
    Result<void> enable_queue(u16 index, u16 size, const virtio::QueueAddresses& where) override {
        queues[index].setup(size, where);
        return {};
    }
    void notify(u16 index) override {
        ++notifies[index];
        if (on_notify) on_notify(index);
    }
    // Called on each doorbell: a device that serves at once (the polled
    // paths spin and need it).
    std::function<void(u16)> on_notify;
    u32 take_interrupt() override {
        u32 cause = isr;
        isr = 0;
        return cause;
    }
    Result<u8> config8(u32 offset) override {
        if (offset + 1 > sizeof(config)) return Error::OutOfRange;
        return config[offset];
    }
    Result<u16> config16(u32 offset) override {
        if (offset + 2 > sizeof(config)) return Error::OutOfRange;
        u16 v;
        std::memcpy(&v, config + offset, 2);
        return v;
    }
    Result<u32> config32(u32 offset) override {
        if (offset + 4 > sizeof(config)) return Error::OutOfRange;
        u32 v;
        std::memcpy(&v, config + offset, 4);
        return v;
    }
    u32 config_generation() override { return 0; }

    template <typename T>
    void set_config(u32 offset, T value) {
        std::memcpy(config + offset, &value, sizeof(T));
    }

    u32 id;
    u64 offered;
    u64 accepted = 0;
    u8 status_value = 0;
    bool refuse_features = false;
    u16 max_size = 256;
    u32 isr = 0;
    int resets = 0;
    int notifies[2] {};
    u8 config[64] {};
    SimQueue queues[2];
};

}  // namespace mote::test
