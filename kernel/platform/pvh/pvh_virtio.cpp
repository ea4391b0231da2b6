#include "platform/pvh/pvh_virtio.hpp"

#include "boot/kernel.hpp"
#include "core/log.hpp"
#include "crypto/entropy_pool.hpp"
#include "dev/virtio/driver_registry.hpp"
#include "dev/virtio/mmio_transport.hpp"
#include "dev/virtio/virtio.hpp"
#include "platform/pvh/pvh_machine.hpp"
#include "platform/virt/virt_dma.hpp"

namespace mote {

namespace {

VirtDma g_dma;
constexpr usize kMaxMmio = acpi::MmioDevices::kMax;
virtio::MmioTransport g_mmio[kMaxMmio];
usize g_mmio_count = 0;

// One device per GSI on microvm, but nothing stops a firmware from sharing
// a line: each device ignores an interrupt that is not its own.
struct IrqLine {
    u32 gsi = 0;
    virtio::Device* devices[4] {};
    usize count = 0;
};
IrqLine g_lines[kMaxMmio];
usize g_line_count = 0;

void on_line(void* context, u32 source) {
    auto& line = *static_cast<IrqLine*>(context);
    for (usize i = 0; i < line.count; ++i) line.devices[i]->on_interrupt();
    x86::io_apic().unmask(source);
}

Result<void> route(Kernel& kernel, virtio::Device& device, const acpi::MmioDevice& d) {
    if (d.gsi >= kMaxIrqSources || !x86::io_apic().serves(d.gsi)) return Error::OutOfRange;
    device.set_irq(d.gsi);
    IrqLine* line = nullptr;
    for (usize i = 0; i < g_line_count; ++i)
        if (g_lines[i].gsi == d.gsi) line = &g_lines[i];
    if (!line) {
        if (g_line_count == kMaxMmio) return Error::NoMemory;
        line = &g_lines[g_line_count++];
        line->gsi = d.gsi;
        x86::io_apic().configure(d.gsi, d.level, d.active_low);
        kernel.loop().set_irq_handler(d.gsi, on_line, line);
        TRY(x86::io_apic().enable(d.gsi));
    }
    if (line->count == sizeof(line->devices) / sizeof(line->devices[0])) return Error::NoMemory;
    line->devices[line->count++] = &device;
    return {};
}

virtio::Services services(Kernel& kernel, PvhMachine& machine) {
    virtio::Services s {kernel.loop(), g_dma, *machine.pages(), kernel.blocks(), kernel_entropy_pool()};
    s.net_attached = [](NetDevice& device, void* context) {
        auto* k = static_cast<Kernel*>(context);
        if (auto r = k->net().attach(device); r.is_error())
            log_info("virtio", "{}: not attached to the network stack: {}", device.name(), r.error());
    };
    s.net_context = &kernel;
    return s;
}

void attach_mmio(Kernel& kernel, PvhMachine& machine, const acpi::MmioDevice& d) {
    if (g_mmio_count == kMaxMmio) return;
    auto base = Arch::map_device(d.base, d.size);
    if (base.is_error()) {
        log_warn("virtio", "mmio at {:#x}: cannot map registers: {}", d.base, base.error());
        return;
    }
    virtio::MmioTransport& transport = g_mmio[g_mmio_count];
    if (auto r = transport.probe(base.value(), usize(d.size), d.base); r.is_error()) {
        log_warn("virtio", "mmio at {:#x}: not a virtio-mmio device: {}", d.base, r.error());
        return;
    }
    // 4.2.3.1.1: device ID 0 is an empty slot (QEMU lists only used ones
    // on microvm, but an empty one is not an error).
    if (transport.device_id() == u32(virtio::DeviceId::None)) return;
    ++g_mmio_count;
    auto device = virtio::bind_driver(transport, services(kernel, machine));
    if (device.is_error()) {
        if (device.error() == Error::NotFound)
            log_info("virtio", "mmio at {:#x}: {} device (id {}), no driver", d.base,
                     virtio::device_id_name(transport.device_id()), transport.device_id());
        return;
    }
    if (auto r = route(kernel, *device.value(), d); r.is_error()) {
        device.value()->disable("its interrupt cannot be routed");
        return;
    }
    log_info("virtio", "{} {} on {} at {:#x} irq {}", device.value()->driver_name(), device.value()->instance_name(),
             transport.kind(), transport.location(), d.gsi);
}

}  // namespace

void attach_pvh_virtio(Kernel& kernel, PvhMachine& machine) {
    g_dma.init(*machine.pages(), machine.memory_map());
    auto dsdt = machine.acpi_tables().find("DSDT");
    if (dsdt.ok()) {
        acpi::MmioDevices found = acpi::find_mmio_devices(dsdt.value(), "LNRO0005");
        if (found.bad) log_warn("acpi", "{} virtio-mmio device(s) in the DSDT with resources that do not decode", found.bad);
        // The DSDT lists the slots from the top down; attach bottom up, so
        // vda is the first -device on QEMU's command line, as on virt.
        for (usize i = found.count; i-- > 0;) attach_mmio(kernel, machine, found.devices[i]);
    }
}

void write_pvh_virtio_devices(void (*sink)(StringView line, void* context), void* context) {
    if (!virtio::virtio_devices().count()) return;
    sink("virtio:", context);
    virtio::write_device_lines(sink, context);
}

}  // namespace mote
