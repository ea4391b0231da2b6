// The real-time clock a devicetree describes (QEMU virt: a Goldfish RTC on
// riscv64, a PL031 on aarch64), found and read for the wall clock.
//
// Finding is pure devicetree work (the host tests run it on QEMU's own
// trees); reading takes the registers as the platform mapped them, the way
// it maps every other MMIO device (Arch::map_device).
#pragma once

#include "firmware/fdt.hpp"
#include "dev/rtc/rtc_fault.hpp"

namespace mote {

enum class RtcKind : u8 { Goldfish, Pl031 };

struct DevicetreeRtc {
    fdt::Node node;
    RtcKind kind;
    fdt::Reg reg;
    StringView name;  // "goldfish-rtc" or "pl031", for logs, `devices` and sys/clock
};

// The first enabled node compatible with "google,goldfish-rtc" or
// "arm,pl031". NotFound if there is none; Malformed (with a log line) if its
// `reg` is missing or smaller than the registers the reader touches.
Result<DevicetreeRtc> find_devicetree_rtc(const fdt::Fdt& fdt);

// Nanoseconds since 1970 from the clock whose registers are mapped at
// `base`, through that clock's decoder (which logs a rejected reading).
Result<i64> read_devicetree_rtc(const DevicetreeRtc& rtc, volatile u8* base, RtcFault* fault = nullptr);

}  // namespace mote
