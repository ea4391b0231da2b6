// The interrupt lines of virtio devices, and the devices on each: what
// every platform does between an interrupt controller and the drivers.
//
// A line may carry several devices (PCI INTx is shared by design: four
// lines for every slot; a firmware may share others); each device reads its
// own ISR and ignores an interrupt that is not its own.
//
// The loop-side handler services every device on the line, unmasks it, and
// then asks every device once more for a cause (Device::recheck). That last
// step is not optional: a level-triggered source whose cause was raised
// while the line was masked holds the line high without a new edge, and a
// controller that only notices changes (QEMU's PLIC for PCI INTx; QEMU's
// I/O APIC ignores a rising input on a masked edge-mode entry, 82093AA
// datasheet 3.2.4 "masked edge interrupts are ignored") never tells anyone.
//
// add() enables the line on first use and then posts it once to the loop,
// so a cause raised before the line was enabled (a driver's attach may
// already have kicked its device: virtio-rng does) is seen too.
#pragma once

#include "base/span.hpp"
#include "core/loop.hpp"
#include "dev/irq_controller.hpp"
#include "dev/virtio/device.hpp"

namespace mote::virtio {

class IrqLines {
public:
    static constexpr usize kMaxLines = 16;
    static constexpr usize kMaxDevicesPerLine = 8;

    void init(Loop& loop, IrqController& controller) {
        m_loop = &loop;
        m_controller = &controller;
    }

    // Puts `device` on line `source`: the first device on a line hooks it
    // to the loop and enables it at the controller (its trigger mode and
    // polarity must already be set). OutOfRange for a source the loop
    // cannot carry, NoMemory when the tables are full.
    Result<void> add(Device& device, u32 source);

    usize line_count() const { return m_count; }

private:
    struct Line {
        IrqLines* owner = nullptr;
        u32 source = 0;
        Device* devices[kMaxDevicesPerLine] {};
        usize count = 0;
    };
    static void on_line(void* context, u32 source);

    Loop* m_loop = nullptr;
    IrqController* m_controller = nullptr;
    Line m_lines[kMaxLines];
    usize m_count = 0;
};

}  // namespace mote::virtio
