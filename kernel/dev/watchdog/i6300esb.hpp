// The Intel 6300ESB watchdog timer (PCI 8086:25ab; QEMU's `-device
// i6300esb`, on x86_64 q35), in watchdog mode: two stages counted down
// from the preloads at about 1 kHz; the first expiry (interrupt disabled)
// starts the second, whose expiry resets the machine. A reload (a "pet")
// starts stage one again. It resets a kernel that stopped with interrupts
// off, which the kernel watchdog (platform/bare_metal/kernel_watchdog)
// cannot see.
//
// Registers (6300ESB datasheet, section 14; as Linux's i6300esb.c and
// QEMU's hw/watchdog/wdt_i6300esb.c use them): configuration space 0x60
// (WDT configuration: bit 5 output disabled, bit 2 frequency, bits 1:0
// interrupt type) and 0x68 (lock: bit 1 enable, bit 0 lock); memory BAR0:
// 0x00 preload 1, 0x04 preload 2, 0x0c reload (bit 8 reload, bit 9 "a
// timeout happened", kept across the reset it caused). Every write to
// BAR0 must be preceded by the unlock sequence 0x80, 0x86 to the reload
// register.
#pragma once

#include "base/result.hpp"
#include "dev/pci/pci_host.hpp"

namespace mote {

class I6300esb {
public:
    static constexpr u16 kVendor = 0x8086;
    static constexpr u16 kDevice = 0x25ab;
    static constexpr u32 kRegisterBytes = 16;
    // The preloads are 20 bits: about 1000 s per stage at the most.
    static constexpr u32 kMaxSeconds = 1000;

    static bool matches(const pci::Function& f) { return f.vendor == kVendor && f.device_id == kDevice; }

    // `regs`: BAR0 mapped (kRegisterBytes). Reads whether the previous boot
    // was reset by this device, then arms it to reset after `seconds`
    // (both stages together) without a pet. InvalidArgument outside 1..kMaxSeconds.
    Result<void> start(pci::PciHost& host, const pci::Function& f, volatile u8* regs, u32 seconds);
    // Starts the count again. Loop context.
    void pet();
    // Whether the device says it reset the machine before this boot.
    bool reset_previous_boot() const { return m_fired_before; }
    bool running() const { return m_regs != nullptr; }
    u32 seconds() const { return m_seconds; }

private:
    void unlock();
    void write32(u32 offset, u32 value);
    void write16(u32 offset, u16 value);

    volatile u8* m_regs = nullptr;
    u32 m_seconds = 0;
    bool m_fired_before = false;
};

}  // namespace mote
