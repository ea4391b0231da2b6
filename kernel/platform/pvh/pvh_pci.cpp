#include "platform/pvh/pvh_pci.hpp"

#include "arch/arch.hpp"
#include "arch/x86_64/io.hpp"
#include "boot/kernel.hpp"
#include "core/log.hpp"
#include "core/previous_boot.hpp"
#include "dev/pci/pci_host.hpp"
#include "dev/virtio/driver_registry.hpp"
#include "dev/virtio/irq_lines.hpp"
#include "dev/virtio/pci_transport.hpp"
#include "dev/virtio/virtio.hpp"
#include "dev/watchdog/i6300esb.hpp"
#include "platform/bare_metal/kernel_watchdog.hpp"
#include "platform/pvh/pvh_machine.hpp"

namespace mote {

namespace {

pci::PciHost g_host;
constexpr usize kMaxFunctions = 8;
virtio::PciTransport g_transports[kMaxFunctions];
usize g_transport_count = 0;

// The PC's fixed chipset range: I/O APICs at 0xfec00000, HPET, local APIC
// at 0xfee00000, the BIOS flash below 4 GiB. No BAR belongs there.
constexpr u64 kChipsetBase = 0xfec00000;
constexpr u64 k4GiB = u64(1) << 32;

// Where firmware-assigned BARs may be, and what they must not touch
// (pvh_pci.hpp).
struct BarRules {
    pci::AddressRange windows[2];
    usize window_count = 0;
    pci::AddressRange excluded[x86::BootInfo::kMaxEntries + 2];
    usize excluded_count = 0;
};
BarRules g_rules;
I6300esb g_esb;

Result<volatile u8*> map(u64 phys, u64 size) { return Arch::map_device(phys, size); }

// IN/OUT for configuration mechanism #1 (dev/pci/config_space.hpp).
u32 port_in(void*, u16 port, u32 width) {
    if (width == 1) return x86::inb(port);
    if (width == 2) return x86::inw(port);
    return x86::inl(port);
}
void port_out(void*, u16 port, u32 width, u32 value) {
    if (width == 1) x86::outb(port, u8(value));
    else if (width == 2) x86::outw(port, u16(value));
    else x86::outl(port, value);
}

// The configuration space: ECAM from the MCFG's segment 0 entry (PCI
// Firmware spec 4.1.2) when there is one, mechanism #1 otherwise (PCI
// local bus spec 3.2.2.3.2: i440fx, `-M pc`). Returns the ECAM window to
// keep BARs out of (empty for ports); NotFound if there is no PCI at all.
Result<pci::AddressRange> init_config_space(const PvhMachine& machine) {
    // Segment 0 only: the one a PC's firmware puts its devices on.
    const acpi::Mcfg& mcfg = machine.mcfg();
    const acpi::Mcfg::Region* region = nullptr;
    for (usize i = 0; i < mcfg.count; ++i)
        if (mcfg.regions[i].segment == 0 && !region) region = &mcfg.regions[i];
    if (region) {
        if (auto r = g_host.init_ecam(region->base, region->bus_start, region->bus_end, map); r.is_error()) {
            log_warn("pci", "ECAM at {:#x} (MCFG) not usable: {}", region->base, r.error());
            return r.error();
        }
        log_info("pci", "ECAM at {:#x} (MCFG segment 0, buses {}..{}), firmware-assigned BARs", g_host.ecam_base(),
                 region->bus_start, region->bus_end);
        u64 ecam_size = (u64(region->bus_end) + 1 - region->bus_start) << 20;
        return pci::AddressRange {region->base + (u64(region->bus_start) << 20), ecam_size};
    }
    if (auto r = g_host.init_ports({port_in, port_out, nullptr}); r.is_error()) {
        // microvm: no MCFG and nothing decodes port 0xcf8.
        log_info("pci", "no PCI: no MCFG, and port {:#x} does not hold CONFIG_ADDRESS", pci::kConfigAddressPort);
        return r.error();
    }
    log_info("pci", "no MCFG: {}, bus 0 (first 256 bytes per function), firmware-assigned BARs",
             g_host.config_space().name());
    return pci::AddressRange {};
}

void compute_rules(const pci::AddressRange& ecam) {
    const x86::BootInfo& info = x86::boot_info();
    u64 low_top = 0, ram_top = 0;
    for (usize i = 0; i < info.memmap_count; ++i) {
        const x86::E820Entry& e = info.memmap[i];
        u64 end = e.base + e.size < e.base ? ~u64(0) : e.base + e.size;
        if (e.type == u32(x86::E820Type::Ram)) {
            if (end <= k4GiB && end > low_top) low_top = end;
            if (end > ram_top) ram_top = end;
        }
        if (g_rules.excluded_count < sizeof(g_rules.excluded) / sizeof(g_rules.excluded[0]))
            g_rules.excluded[g_rules.excluded_count++] = {e.base, end - e.base};
    }
    if (ecam.size) g_rules.excluded[g_rules.excluded_count++] = ecam;
    // CPUID 0x80000008 EAX[7:0]: physical address bits (36 if not reported).
    u32 bits = 36;
    if (x86::cpuid(0x80000000).eax >= 0x80000008) bits = x86::cpuid(0x80000008).eax & 0xff;
    if (bits < 32 || bits > 52) bits = 36;
    u64 limit = u64(1) << bits;
    if (low_top < kChipsetBase) g_rules.windows[g_rules.window_count++] = {low_top, kChipsetBase - low_top};
    u64 high = ram_top > k4GiB ? ram_top : k4GiB;
    if (high < limit) g_rules.windows[g_rules.window_count++] = {high, limit - high};
}

// The i6300esb (dev/watchdog/i6300esb.hpp), petted by the loop.
void attach_watchdog(pci::Function& f) {
    u32 seconds = kernel_watchdog_device_seconds();
    if (seconds == 0) {
        log_info("watchdog", "i6300esb left off (mote.watchdog=0)");
        return;
    }
    if (g_esb.running()) return;  // one is enough
    auto assigned = g_host.use_assigned_bars(f, Span<const pci::AddressRange>(g_rules.windows, g_rules.window_count),
                                             Span<const pci::AddressRange>(g_rules.excluded, g_rules.excluded_count));
    if (assigned.is_error() || f.bars[0].io || f.bars[0].size < I6300esb::kRegisterBytes) {
        log_warn("watchdog", "i6300esb {:02x}:{:02x}.{}: BAR0 not usable; left off", f.bus, f.device, f.function);
        return;
    }
    auto regs = map(f.bars[0].cpu, I6300esb::kRegisterBytes);
    if (regs.is_error()) return;
    if (auto r = g_esb.start(g_host, f, regs.value(), seconds); r.is_error()) {
        log_warn("watchdog", "i6300esb: {}; left off", r.error());
        return;
    }
    if (g_esb.reset_previous_boot()) {
        previous_boot().reset_by = "i6300esb";
        log_warn("watchdog", "the previous boot was reset by the i6300esb watchdog (the kernel had stopped "
                             "with interrupts off)");
    }
    kernel_watchdog_add_device([](void*) { g_esb.pet(); }, nullptr);
    log_info("watchdog", "i6300esb at {:#x}: resets the machine after {} s without a pet from the loop",
             f.bars[0].cpu, seconds);
}

void attach_function(PvhMachine& machine, pci::Function& f, const virtio::Services& services,
                     virtio::IrqLines& lines) {
    if (I6300esb::matches(f)) {
        attach_watchdog(f);
        return;
    }
    u32 id = virtio::PciTransport::virtio_id(f);
    if (!id || g_transport_count == kMaxFunctions) return;  // the chipset's own functions, or full
    if (auto r = g_host.use_assigned_bars(f, Span<const pci::AddressRange>(g_rules.windows, g_rules.window_count),
                                          Span<const pci::AddressRange>(g_rules.excluded, g_rules.excluded_count));
        r.is_error()) {
        log_warn("pci", "{:02x}:{:02x}.{}: firmware's BARs not usable ({}); device left alone", f.bus, f.device,
                 f.function, r.error());
        return;
    }
    virtio::PciTransport& transport = g_transports[g_transport_count];
    if (auto r = transport.probe(g_host, f, map); r.is_error()) {
        log_warn("pci", "{:02x}:{:02x}.{}: virtio {} without usable capabilities: {}", f.bus, f.device,
                 f.function, virtio::device_id_name(id), r.error());
        return;
    }
    ++g_transport_count;
    // Decode the interrupt before a driver binds: attach may already kick
    // the device, and its interrupt must find the entry in the right mode.
    if (f.pin == 0) {
        log_warn("pci", "{:02x}:{:02x}.{}: no INTx pin; device left alone", f.bus, f.device, f.function);
        return;
    }
    auto route = machine.madt().pci_irq(f.line);
    if (route.is_error() || !x86::io_apic().serves(route.value().gsi) || route.value().gsi >= kMaxIrqSources) {
        log_warn("pci", "{:02x}:{:02x}.{}: INT{} routed to IRQ {:#x}, which reaches no I/O APIC input", f.bus,
                 f.device, f.function, char('A' + f.pin - 1), f.line);
        return;
    }
    const acpi::Madt::Route& r = route.value();
    // Still masked; a shared line is configured again with the same values.
    x86::io_apic().configure(r.gsi, r.level, r.active_low);
    auto device = virtio::bind_driver(transport, services);
    if (device.is_error()) {
        if (device.error() == Error::NotFound)
            log_info("pci", "{:02x}:{:02x}.{}: virtio {} (id {}), no driver", f.bus, f.device, f.function,
                     virtio::device_id_name(id), id);
        return;
    }
    if (auto added = lines.add(*device.value(), r.gsi); added.is_error()) {
        device.value()->disable("its interrupt cannot be routed");
        return;
    }
    log_info("virtio", "{} {} on pci {:02x}:{:02x}.{} at {:#x} irq {} (INT{} -> IRQ {}, {}, active {})",
             device.value()->driver_name(), device.value()->instance_name(), f.bus, f.device, f.function,
             transport.location(), r.gsi, char('A' + f.pin - 1), f.line, r.level ? "level" : "edge",
             r.active_low ? "low" : "high");
}

}  // namespace

void attach_pvh_pci(Kernel&, PvhMachine& machine, const virtio::Services& services, virtio::IrqLines& lines) {
    auto ecam = init_config_space(machine);
    if (ecam.is_error()) return;
    compute_rules(ecam.value());
    g_host.for_each_function([&](pci::Function& f) { attach_function(machine, f, services, lines); });
}

bool pvh_watchdog_device_running() { return g_esb.running(); }

bool pvh_pci_uses_ports() { return g_host.config_space().mechanism() == pci::ConfigSpace::Mechanism::Ports; }

}  // namespace mote
