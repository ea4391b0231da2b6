// What attaching virtio devices looks like on every bare-metal machine
// (virt: virt_virtio.cpp, PVH: pvh_virtio.cpp), written once: the services
// the drivers get, binding a probed slot's driver and routing its
// interrupt, and the `devices` lines. The machines differ only in where
// they find the slots and how an interrupt is named.
#pragma once

#include "base/span.hpp"
#include "dev/virtio/driver_registry.hpp"
#include "dev/virtio/irq_lines.hpp"

namespace mote {

class Kernel;
class Machine;

// The loop, `dma`, the machine's pages, the block registry and the entropy
// pool; network devices are handed to the kernel's stack.
virtio::Services virtio_services(Kernel& kernel, Machine& machine, virtio::DmaSpace& dma);

// Binds a driver to the probed `transport` and routes its interrupt
// `source` through `lines`, logging the outcome; `where` names the slot in
// the log lines. A device whose interrupt cannot be routed is disabled.
Result<virtio::Device*> bind_virtio_device(virtio::Transport& transport, const virtio::Services& services,
                                           virtio::IrqLines& lines, u32 source, StringView where);

// Lines for `devices`: one per virtio device bound.
void write_virtio_devices(void (*sink)(StringView line, void* context), void* context);

}  // namespace mote
