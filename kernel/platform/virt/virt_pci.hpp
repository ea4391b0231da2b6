// PCI on QEMU virt: the generic ECAM host bridge from the devicetree
// (dev/pci/), and the virtio-pci functions behind it.
#pragma once

#include "firmware/fdt.hpp"
#include "dev/virtio/driver_registry.hpp"

namespace mote {

class Kernel;
class VirtMachine;

// Enumerates the bridge at `node`, assigns BARs, and binds virtio drivers.
void attach_pci_host(Kernel& kernel, VirtMachine& machine, fdt::Node node, const virtio::Services& services);

// Routes `device`'s interrupt `source` to the loop (virt_virtio.cpp).
Result<void> route_virtio_irq(Kernel& kernel, virtio::Device& device, u32 source);

}  // namespace mote
