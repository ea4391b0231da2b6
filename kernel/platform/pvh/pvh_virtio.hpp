// The virtio devices of a PVH machine. On microvm they are virtio-mmio
// slots, which QEMU describes two ways: in the DSDT (Device with _HID
// "LNRO0005", _CRS = Memory32Fixed + Extended Interrupt) and, only when
// ACPI is off, as `virtio_mmio.device=SIZE@ADDR:IRQ` on the kernel command
// line. Mote reads the DSDT: it is there whenever the rest of this platform
// works (the MADT and FADT come from the same tables), it states the
// interrupt's trigger and polarity, and it is checksummed; the command-line
// form would be a second, unchecked source for the same facts. Each
// resource is decoded with bounds checks (base_acpi's find_mmio_devices)
// and the slot is probed (magic, version) before a driver binds.
//
// On q35 the virtio devices are virtio-pci functions behind the ECAM host
// bridge the MCFG describes (pvh_pci.hpp). Both kinds share one set of
// interrupt lines (dev/virtio/irq_lines.hpp). mote.virtio_test=1 runs the
// virtio self-test once they are attached.
#pragma once

#include "base/span.hpp"

namespace mote {

class Kernel;
class PvhMachine;

void attach_pvh_virtio(Kernel& kernel, PvhMachine& machine);

}  // namespace mote
