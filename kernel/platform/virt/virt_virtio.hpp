// The virtio devices of QEMU virt: found in the devicetree, bound to their
// drivers (dev/virtio/driver_registry.hpp), their interrupts routed to the
// loop. VirtMachine::attach_devices calls attach_virtio once.
//
//   virtio,mmio            one register block per slot (QEMU virt has 8 on
//                          riscv64, 32 on aarch64); empty slots are skipped
//   pci-host-ecam-generic  the PCIe host bridge; virtio-pci functions behind
//                          it get BARs and INTx routing from this kernel
#pragma once

#include "base/span.hpp"

namespace mote {

class Kernel;
class VirtMachine;

void attach_virtio(Kernel& kernel, VirtMachine& machine);

}  // namespace mote
