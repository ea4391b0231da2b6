// The PC's CMOS real-time clock: the Motorola MC146818A's registers, kept by
// every PC chipset since the AT and emulated by QEMU's mc146818rtc on q35,
// pc and microvm (unless `-M microvm,rtc=off`, or microvm under KVM).
//
// The chip is reached through an index port and a data port (0x70/0x71 on
// a PC), given here as a callback so that the host tests can stand in a
// simulated chip. It counts in calendar fields, not seconds: each field is
// BCD or binary and the hour 12- or 24-hour as status register B says, the
// year has two digits and the century lives in whichever CMOS byte the ACPI
// FADT names (none: 20xx is assumed). Once a second the chip updates the
// fields, and a read during the update can see half of it: the reader waits
// for status A's update-in-progress flag to clear and reads every field
// twice, until two passes agree.
#pragma once

#include "base/civil_time.hpp"
#include "dev/rtc/rtc_fault.hpp"

namespace mote {

// Register indexes and bits (MC146818A datasheet, "Address map" and
// "Register A".."Register D").
namespace cmos {
inline constexpr u8 kSeconds = 0x00, kMinutes = 0x02, kHours = 0x04, kDayOfMonth = 0x07, kMonth = 0x08, kYear = 0x09;
inline constexpr u8 kStatusA = 0x0a, kStatusB = 0x0b, kStatusD = 0x0d;
// The first byte of battery-backed RAM after the clock's own registers; a
// century register (FADT CENTURY) must lie at or above it, below 0x80.
inline constexpr u8 kFirstRamByte = 0x0e;
inline constexpr u8 kUpdateInProgress = 0x80;  // status A: the fields are being updated
inline constexpr u8 kHours24 = 0x02;           // status B: 24-hour clock (else 12-hour, PM in bit 7 of the hour)
inline constexpr u8 kBinary = 0x04;            // status B: binary fields (else BCD)
inline constexpr u8 kValidTime = 0x80;         // status D: valid RAM and time (the battery held)
inline constexpr u8 kHourPm = 0x80;            // the hour register's PM flag on a 12-hour clock
}  // namespace cmos

// The time registers from one pass, as read.
struct CmosTimeRegisters {
    u8 seconds = 0, minutes = 0, hours = 0, day = 0, month = 0, year = 0;
    u8 century = 0;  // the century register, when there is one (has_century)
    bool has_century = false;
    bool operator==(const CmosTimeRegisters&) const = default;
};

// One field, BCD or binary, in [min, max]: BadBcd or BadField otherwise.
Result<u8> cmos_decode_field(u8 raw, bool binary, u8 min, u8 max, RtcFault* fault);
// The hour register as 0..23 under `status_b`'s format: on a 12-hour clock
// 12 AM is 0 and 12 PM is 12.
Result<u8> cmos_decode_hour(u8 raw, u8 status_b, RtcFault* fault);
// Every field under `status_b`'s format, the day checked against its month.
Result<CivilTime> cmos_decode_time(const CmosTimeRegisters& raw, u8 status_b, RtcFault* fault);
// The same as seconds since 1970, in the accepted range (rtc_fault.hpp).
Result<i64> cmos_decode_unix(const CmosTimeRegisters& raw, u8 status_b, RtcFault* fault);

class CmosRtc {
public:
    // Selects register `index` and reads it (on a PC: out 0x70, in 0x71).
    using ReadRegister = u8 (*)(void* context, u8 index);

    // How many status A reads to wait for an update to end (the chip holds
    // the flag for at most 2 ms), and how many passes before giving up.
    static constexpr u32 kUpdateWaitReads = 100000;
    static constexpr u32 kMaxPasses = 8;

    // `century_index`: the FADT's CENTURY byte; 0 (or an index that is not
    // battery-backed RAM) means there is no century register.
    CmosRtc(ReadRegister read, void* context, u8 century_index);

    bool has_century() const { return m_century != 0; }

    // Seconds since 1970 now. NotFound (NotPresent) if nothing answers at the
    // ports, Malformed with the fault named otherwise; either way one log
    // line says what was read.
    Result<i64> read(RtcFault* fault = nullptr);

private:
    u8 reg(u8 index) { return m_read(m_context, index); }
    bool wait_for_update();
    CmosTimeRegisters read_pass();
    Result<i64> read_settled(u8 status_b, RtcFault* fault);

    ReadRegister m_read;
    void* m_context;
    u8 m_century = 0;
};

}  // namespace mote
