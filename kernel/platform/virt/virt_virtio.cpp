#include "platform/virt/virt_virtio.hpp"

#include "boot/kernel.hpp"
#include "core/log.hpp"
#include "dev/virtio/driver_registry.hpp"
#include "dev/virtio/irq_lines.hpp"
#include "dev/virtio/mmio_transport.hpp"
#include "dev/virtio/virtio.hpp"
#include "platform/bare_metal/bare_metal_virtio.hpp"
#include "platform/bare_metal/dma.hpp"
#include "platform/virt/virt_machine.hpp"
#include "platform/virt/virt_pci.hpp"
#include "platform/bare_metal/virtio_selftest.hpp"

namespace mote {

namespace {

using virtio::Device;

BareMetalDma g_dma;

// The transports live here: QEMU virt has at most 32 virtio-mmio slots.
// Raw storage, each slot built when a node is probed into it: an array of
// objects with vtables would sit in .data, in the image file.
constexpr usize kMaxMmio = 32;
alignas(virtio::MmioTransport) u8 g_mmio_storage[kMaxMmio][sizeof(virtio::MmioTransport)];
usize g_mmio_count = 0;

// Interrupt lines and the devices on each (shared INTx, the post-unmask
// recheck): dev/virtio/irq_lines.hpp.
virtio::IrqLines g_lines;
IrqController* g_irq = nullptr;

Result<void> route_irq(Kernel&, Device& device, u32 source) { return g_lines.add(device, source); }

virtio::Services services(Kernel& kernel, VirtMachine& machine) { return virtio_services(kernel, machine, g_dma); }

// One `virtio,mmio` node: probe the slot, bind a driver, route its IRQ.
void attach_mmio_node(Kernel& kernel, VirtMachine& machine, fdt::Node node) {
    auto reg = node.reg(0);
    if (reg.is_error() || g_mmio_count == kMaxMmio) return;
    auto base = Arch::map_device(reg.value().base, reg.value().size);
    if (base.is_error()) {
        log_warn("virtio", "{}: cannot map registers: {}", node.name(), base.error());
        return;
    }
    // A slot that failed to probe is simply built again for the next node.
    virtio::MmioTransport& transport = *new (g_mmio_storage[g_mmio_count]) virtio::MmioTransport;
    if (auto r = transport.probe(base.value(), usize(reg.value().size), reg.value().base); r.is_error()) {
        log_warn("virtio", "{}: not a virtio-mmio device: {}", node.name(), r.error());
        return;
    }
    // 4.2.3.1.1: device ID 0 is an empty slot, to be ignored (quietly:
    // QEMU always lists every slot).
    if (transport.device_id() == u32(virtio::DeviceId::None)) return;
    ++g_mmio_count;

    auto irq = node.interrupt(0);
    if (irq.is_error()) {
        log_warn("virtio", "{}: no interrupt; device left alone", node.name());
        return;
    }
    auto source = g_irq->decode(irq.value().cells, irq.value().cell_count);
    if (source.is_error()) {
        log_warn("virtio", "{}: no usable interrupt; device left alone", node.name());
        return;
    }
    auto device = bind_virtio_device(transport, services(kernel, machine), g_lines, source.value(), node.name());
    if (device.ok()) machine.bind(node, device.value()->driver_name());
}

}  // namespace

void attach_virtio(Kernel& kernel, VirtMachine& machine) {
    g_irq = &machine.irq_controller();
    g_lines.init(kernel.loop(), *g_irq);
    g_dma.init(*machine.pages(), machine.memory_map());
    const fdt::Fdt& fdt = machine.devicetree();
    fdt.for_each_compatible("virtio,mmio", [&](fdt::Node node) {
        if (node.is_enabled()) attach_mmio_node(kernel, machine, node);
    });
    fdt.for_each_compatible("pci-host-ecam-generic", [&](fdt::Node node) {
        if (node.is_enabled()) attach_pci_host(kernel, machine, node, services(kernel, machine));
    });
    StringView test;
    if (kernel.boot_args().get("mote.virtio_test", test) && test == "1") start_virtio_selftest(kernel, *machine.pages());
}

Result<void> route_virtio_irq(Kernel& kernel, virtio::Device& device, u32 source) {
    return route_irq(kernel, device, source);
}

}  // namespace mote
