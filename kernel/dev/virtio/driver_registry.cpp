#include "dev/virtio/driver_registry.hpp"

#include "core/log.hpp"
#include "dev/virtio/virtio.hpp"
#include "dev/virtio/virtio_blk.hpp"
#include "dev/virtio/virtio_net.hpp"
#include "dev/virtio/virtio_rng.hpp"

namespace mote::virtio {

namespace {

Result<Device*> attach_rng(Transport& transport, const Services& s) {
    VirtioRng* rng = TRY(create_object<VirtioRng>(s.pages, transport, s.dma, s.loop, s.entropy));
    TRY(rng->attach());
    return static_cast<Device*>(rng);
}

Result<Device*> attach_blk(Transport& transport, const Services& s) {
    VirtioBlk* blk = TRY(create_object<VirtioBlk>(s.pages, transport, s.dma, s.loop));
    TRY(blk->attach());
    TRY(s.blocks.add(*blk));
    return static_cast<Device*>(blk);
}

Result<Device*> attach_net(Transport& transport, const Services& s) {
    static usize count = 0;
    // The standing receive buffers live in pages of their own.
    struct RxStorage {
        PacketBuffer buffers[VirtioNet::kRxBuffers];
    };
    RxStorage* storage = TRY(create_object<RxStorage>(s.pages));
    VirtioNet* net = TRY(create_object<VirtioNet>(s.pages, transport, s.dma, s.loop, storage->buffers));
    char name[5] = {'n', 'e', 't', char('0' + count), '\0'};
    net->set_name(name);
    TRY(net->attach());
    ++count;
    if (s.net_attached) s.net_attached(*net, s.net_context);
    return static_cast<Device*>(net);
}

const DriverEntry kDrivers[] = {
    {u32(DeviceId::Net), "virtio-net", attach_net},
    {u32(DeviceId::Entropy), "virtio-rng", attach_rng},
    {u32(DeviceId::Block), "virtio-blk", attach_blk},
};

}  // namespace

Span<const DriverEntry> drivers() { return Span<const DriverEntry>(kDrivers); }

Result<Device*> bind_driver(Transport& transport, const Services& services) {
    for (const DriverEntry& d : drivers()) {
        if (d.device_id != transport.device_id()) continue;
        auto device = d.attach(transport, services);
        if (device.is_error()) {
            log_error("virtio", "{} at {:#x} ({}): {} attach failed: {}", device_id_name(transport.device_id()),
                      transport.location(), transport.kind(), d.name, device.error());
            if (auto reset = transport.reset(); reset.is_error())
                log_error("virtio", "{} at {:#x}: the reset after it did not complete: {}",
                          device_id_name(transport.device_id()), transport.location(), reset.error());
            transport.set_status(kStatusFailed);
            return device.error();
        }
        TRY(virtio_devices().add(*device.value()));
        return device.value();
    }
    return Error::NotFound;
}

Result<void> DeviceTable::add(Device& device) {
    if (m_count == kMax) return Error::NoMemory;
    m_devices[m_count++] = &device;
    return {};
}

DeviceTable& virtio_devices() {
    static DeviceTable table;
    return table;
}

void write_device_lines(void (*sink)(StringView line, void* context), void* context) {
    DeviceTable& table = virtio_devices();
    for (usize i = 0; i < table.count(); ++i) {
        Device& d = table.at(i);
        LineOut line;
        line.appendf("{:<10} {:<5} {:<16} {:#012x} irq {:<4} ints {:<6} {}", d.driver_name(), d.instance_name(),
                     d.transport().kind(), d.transport().location(), d.irq(), d.interrupts(),
                     d.failed() ? "FAILED " : "");
        d.describe_counters(line);
        sink(line.view(), context);
    }
}

}  // namespace mote::virtio
