#include "platform/pvh/pvh_virtio.hpp"

#include "boot/kernel.hpp"
#include "core/log.hpp"
#include "dev/virtio/driver_registry.hpp"
#include "dev/virtio/irq_lines.hpp"
#include "dev/virtio/mmio_transport.hpp"
#include "dev/virtio/virtio.hpp"
#include "platform/pvh/pvh_machine.hpp"
#include "platform/pvh/pvh_pci.hpp"
#include "platform/bare_metal/bare_metal_virtio.hpp"
#include "platform/bare_metal/dma.hpp"
#include "platform/bare_metal/virtio_selftest.hpp"

namespace mote {

namespace {

BareMetalDma g_dma;
constexpr usize kMaxMmio = acpi::MmioDevices::kMax;
virtio::MmioTransport g_mmio[kMaxMmio];
usize g_mmio_count = 0;

// The virtio interrupt lines and the devices on each, with the post-unmask
// recheck (dev/virtio/irq_lines.hpp).
virtio::IrqLines g_lines;

virtio::Services services(Kernel& kernel, PvhMachine& machine) { return virtio_services(kernel, machine, g_dma); }

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
    // The entry's trigger mode and polarity are set (still masked) before
    // a driver binds: attach may kick the device at once (virtio-rng
    // does), and QEMU's I/O APIC drops a rising input on a masked entry
    // left in edge mode, the reset state. That was virtio-rng's missing
    // completion on x86.
    if (d.gsi >= kMaxIrqSources || !x86::io_apic().serves(d.gsi)) {
        log_warn("virtio", "mmio at {:#x}: gsi {} reaches no I/O APIC input; device left alone", d.base, d.gsi);
        return;
    }
    x86::io_apic().configure(d.gsi, d.level, d.active_low);
    FixedString<32> where;
    where.appendf("mmio at {:#x}", d.base);
    (void)bind_virtio_device(transport, services(kernel, machine), g_lines, d.gsi, where.view());
}

}  // namespace

void attach_pvh_virtio(Kernel& kernel, PvhMachine& machine) {
    g_dma.init(*machine.pages(), machine.memory_map());
    g_lines.init(kernel.loop(), machine.irq_controller());
    auto dsdt = machine.acpi_tables().find("DSDT");
    if (dsdt.ok()) {
        acpi::MmioDevices found = acpi::find_mmio_devices(dsdt.value(), "LNRO0005");
        if (found.bad) log_warn("acpi", "{} virtio-mmio device(s) in the DSDT with resources that do not decode", found.bad);
        // The DSDT lists the slots from the top down; attach bottom up, so
        // vda is the first -device on QEMU's command line, as on virt.
        for (usize i = found.count; i-- > 0;) attach_mmio(kernel, machine, found.devices[i]);
    }
    attach_pvh_pci(kernel, machine, services(kernel, machine), g_lines);
    StringView test;
    if (kernel.boot_args().get("mote.virtio_test", test) && test == "1") start_virtio_selftest(kernel, *machine.pages());
}

}  // namespace mote
