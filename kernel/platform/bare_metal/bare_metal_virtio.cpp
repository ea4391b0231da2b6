#include "platform/bare_metal/bare_metal_virtio.hpp"

#include "boot/kernel.hpp"
#include "core/log.hpp"
#include "crypto/entropy_pool.hpp"
#include "dev/virtio/virtio.hpp"

namespace mote {

virtio::Services virtio_services(Kernel& kernel, Machine& machine, virtio::DmaSpace& dma) {
    virtio::Services s {kernel.loop(), dma, *machine.pages(), kernel.blocks(), kernel_entropy_pool()};
    s.net_attached = [](NetDevice& device, void* context) {
        auto* k = static_cast<Kernel*>(context);
        if (auto r = k->net().attach(device); r.is_error())
            log_info("virtio", "{}: not attached to the network stack: {}", device.name(), r.error());
    };
    s.net_context = &kernel;
    return s;
}

Result<virtio::Device*> bind_virtio_device(virtio::Transport& transport, const virtio::Services& services,
                                           virtio::IrqLines& lines, u32 source, StringView where) {
    auto device = virtio::bind_driver(transport, services);
    if (device.is_error()) {
        if (device.error() == Error::NotFound)
            log_info("virtio", "{}: {} device (id {}), no driver", where, virtio::device_id_name(transport.device_id()),
                     transport.device_id());
        return device.error();
    }
    if (auto r = lines.add(*device.value(), source); r.is_error()) {
        device.value()->disable("its interrupt cannot be routed");
        return r.error();
    }
    log_info("virtio", "{} {} on {} at {:#x} irq {}", device.value()->driver_name(), device.value()->instance_name(),
             transport.kind(), transport.location(), source);
    return device.value();
}

void write_virtio_devices(void (*sink)(StringView line, void* context), void* context) {
    if (!virtio::virtio_devices().count()) return;
    sink("virtio:", context);
    virtio::write_device_lines(sink, context);
}

}  // namespace mote
