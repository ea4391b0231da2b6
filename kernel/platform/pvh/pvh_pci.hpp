// PCI on a PC: the host bridge and the virtio-pci functions behind it.
// Configuration space is ECAM from ACPI's MCFG (QEMU q35) or, when the
// tables have no MCFG, configuration mechanism #1 on ports 0xcf8/0xcfc
// (QEMU's i440fx `-M pc`; dev/pci/config_space.hpp), found by probing
// CONFIG_ADDRESS (microvm has neither: no PCI). Everything else is the same
// for both.
//
// Firmware (SeaBIOS) has enumerated the bus, assigned every BAR and routed
// every INTx pin before the kernel runs. Mote keeps the BARs where they are
// but checks each against the PC's address map (dev/pci/pci_host.hpp,
// use_assigned_bars): inside the 32-bit PCI hole (above the last RAM below
// 4 GiB, below the I/O APIC at 0xfec00000) or the 64-bit window (above all
// RAM, below the CPU's physical address width), and clear of every E820
// range and of the ECAM window itself.
//
// INTx: the Interrupt Line register SeaBIOS programmed (PCI local bus spec
// 6.2.4: on a PC, the ISA IRQ the pin's PIRQ link was routed to), mapped to
// a GSI through the MADT's interrupt source overrides (ACPI 6.5, 5.2.12.5),
// whose flags give trigger mode and polarity (QEMU: IRQs 5, 9, 10, 11 are
// level, active high). An IRQ without an override "conforms to the bus":
// for a PCI interrupt that is level-triggered, active low (PCI local bus
// spec 2.2.6). The PCI-to-ISA routing reaches the I/O APIC's ISA inputs as
// well as the 8259 (QEMU's gsi_handler drives both), so this needs no AML:
// the alternative, the DSDT's _PRT and its PIRQ link devices (GSIs 16-23 on
// q35), is a Method choosing between two packages by \_PIC state, i.e. an
// AML interpreter or a QEMU-specific pattern match. Interrupt Line 0xff or
// above 15 means "not routed", and the function gets no interrupt.
#pragma once

namespace mote {

class Kernel;
class PvhMachine;
namespace virtio {
struct Services;
class IrqLines;
}  // namespace virtio

void attach_pvh_pci(Kernel& kernel, PvhMachine& machine, const virtio::Services& services, virtio::IrqLines& lines);
// Whether an i6300esb watchdog (dev/watchdog/i6300esb.hpp) was found and
// started: it resets a kernel stopped with interrupts off.
bool pvh_watchdog_device_running();
// Whether configuration space is reached through mechanism #1 (`devices`).
bool pvh_pci_uses_ports();

}  // namespace mote
