#include "dev/watchdog/i6300esb.hpp"

namespace mote {

namespace {

constexpr u32 kConfig = 0x60;          // configuration space, 16 bits
constexpr u32 kLock = 0x68;            // configuration space, 8 bits
constexpr u16 kConfigIntDisabled = 3;  // bits 1:0: no interrupt after stage one; bit 5 clear: output on
constexpr u8 kLockEnable = 1 << 1;
constexpr u32 kPreload1 = 0x00;
constexpr u32 kPreload2 = 0x04;
constexpr u32 kReload = 0x0c;
constexpr u16 kReloadBit = 1 << 8;
constexpr u16 kTimeoutBit = 1 << 9;
constexpr u16 kUnlock1 = 0x80;
constexpr u16 kUnlock2 = 0x86;

}  // namespace

void I6300esb::write32(u32 offset, u32 value) { *reinterpret_cast<volatile u32*>(m_regs + offset) = value; }

void I6300esb::write16(u32 offset, u16 value) { *reinterpret_cast<volatile u16*>(m_regs + offset) = value; }

void I6300esb::unlock() {
    write16(kReload, kUnlock1);
    write16(kReload, kUnlock2);
}

Result<void> I6300esb::start(pci::PciHost& host, const pci::Function& f, volatile u8* regs, u32 seconds) {
    if (!regs || seconds == 0 || seconds > kMaxSeconds) return Error::InvalidArgument;
    m_regs = regs;
    TRY(host.write16(f, kConfig, kConfigIntDisabled));
    TRY(host.write8(f, kLock, 0));  // watchdog mode, off while it is set up
    unlock();
    m_fired_before = (*reinterpret_cast<volatile u16*>(m_regs + kReload) & kTimeoutBit) != 0;
    // Clear the flag and restart the count.
    unlock();
    write16(kReload, kTimeoutBit | kReloadBit);
    // Each stage counts 2^15 ticks of the 33 MHz PCI clock per unit (about
    // 1 ms): seconds << 9 per stage, two stages, makes `seconds` in all.
    u32 preload = seconds << 9;
    unlock();
    write32(kPreload1, preload);
    unlock();
    write32(kPreload2, preload);
    unlock();
    write16(kReload, kReloadBit);
    TRY(host.write8(f, kLock, kLockEnable));
    m_seconds = seconds;
    return {};
}

void I6300esb::pet() {
    if (!m_regs) return;
    unlock();
    write16(kReload, kReloadBit);
}

}  // namespace mote
