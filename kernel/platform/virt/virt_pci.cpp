#include "platform/virt/virt_pci.hpp"

namespace mote {

void attach_pci_host(Kernel&, VirtMachine&, fdt::Node, const virtio::Services&) {}

}  // namespace mote
