#include "platform/virt/virt_pci.hpp"

#include "arch/arch.hpp"
#include "core/log.hpp"
#include "dev/pci/pci_host.hpp"
#include "dev/virtio/pci_transport.hpp"
#include "dev/virtio/virtio.hpp"
#include "platform/virt/virt_machine.hpp"

namespace mote {

namespace {

pci::PciHost g_host;
constexpr usize kMaxFunctions = 8;
// Raw storage, each built when used, so the vtables keep it out of .data.
alignas(virtio::PciTransport) u8 g_transport_storage[kMaxFunctions][sizeof(virtio::PciTransport)];
usize g_transport_count = 0;

Result<volatile u8*> map(u64 phys, u64 size) { return Arch::map_device(phys, size); }

void attach_function(Kernel& kernel, VirtMachine& machine, pci::Function& f, const virtio::Services& services) {
    u32 id = virtio::PciTransport::virtio_id(f);
    if (!id) return;  // the host bridge itself, or not virtio
    if (g_transport_count == kMaxFunctions) return;
    if (auto r = g_host.assign_bars(f); r.is_error()) {
        log_warn("pci", "{:02x}:{:02x}.{}: cannot assign BARs: {}", f.bus, f.device, f.function, r.error());
        return;
    }
    virtio::PciTransport& transport = *new (g_transport_storage[g_transport_count]) virtio::PciTransport;
    if (auto r = transport.probe(g_host, f, map); r.is_error()) {
        log_warn("pci", "{:02x}:{:02x}.{}: virtio {} without usable capabilities: {}", f.bus, f.device,
                 f.function, virtio::device_id_name(id), r.error());
        return;
    }
    ++g_transport_count;
    auto route = g_host.route_intx(f);
    if (route.is_error()) {
        log_warn("pci", "{:02x}:{:02x}.{}: no INTx route for pin {}", f.bus, f.device, f.function, f.pin);
        return;
    }
    auto source = machine.irq_controller().decode(route.value().cells, route.value().cell_count);
    if (source.is_error()) {
        log_warn("pci", "{:02x}:{:02x}.{}: INTx specifier does not decode: {}", f.bus, f.device, f.function,
                 source.error());
        return;
    }
    auto device = virtio::bind_driver(transport, services);
    if (device.is_error()) {
        if (device.error() == Error::NotFound)
            log_info("pci", "{:02x}:{:02x}.{}: virtio {} (id {}), no driver", f.bus, f.device, f.function,
                     virtio::device_id_name(id), id);
        return;
    }
    if (auto r = route_virtio_irq(kernel, *device.value(), source.value()); r.is_error()) {
        device.value()->disable("its interrupt cannot be routed");
        return;
    }
    log_info("virtio", "{} {} on pci {:02x}:{:02x}.{} at {:#x} irq {} (INT{})", device.value()->driver_name(),
             device.value()->instance_name(), f.bus, f.device, f.function, transport.location(), source.value(),
             char('A' + f.pin - 1));
}

}  // namespace

void attach_pci_host(Kernel& kernel, VirtMachine& machine, fdt::Node node, const virtio::Services& services) {
    if (auto r = g_host.init(machine.devicetree(), node, map); r.is_error()) {
        log_warn("pci", "{}: host bridge not usable: {}", node.name(), r.error());
        return;
    }
    machine.bind(node, "pci-host-ecam");
    log_info("pci", "ECAM at {:#x}, 32-bit memory window at {:#x}", g_host.ecam_base(), g_host.mem32_cpu_base());
    g_host.for_each_function([&](pci::Function& f) { attach_function(kernel, machine, f, services); });
}

}  // namespace mote
