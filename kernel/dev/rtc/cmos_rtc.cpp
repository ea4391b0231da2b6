#include "dev/rtc/cmos_rtc.hpp"

#include "core/log.hpp"

namespace mote {

Result<u8> cmos_decode_field(u8 raw, bool binary, u8 min, u8 max, RtcFault* fault) {
    u8 value = raw;
    if (!binary) {
        u8 tens = raw >> 4, ones = raw & 0x0f;
        if (tens > 9 || ones > 9) return rtc_fail(fault, RtcFault::BadBcd);
        value = u8(tens * 10 + ones);
    }
    if (value < min || value > max) return rtc_fail(fault, RtcFault::BadField);
    return value;
}

Result<u8> cmos_decode_hour(u8 raw, u8 status_b, RtcFault* fault) {
    bool binary = status_b & cmos::kBinary;
    if (status_b & cmos::kHours24) return cmos_decode_field(raw, binary, 0, 23, fault);
    // 12-hour clock: 1..12 with the PM flag on top; 12 AM is midnight.
    u8 hour = TRY(cmos_decode_field(u8(raw & ~cmos::kHourPm), binary, 1, 12, fault));
    hour %= 12;
    return (raw & cmos::kHourPm) ? u8(hour + 12) : hour;
}

Result<CivilTime> cmos_decode_time(const CmosTimeRegisters& raw, u8 status_b, RtcFault* fault) {
    bool binary = status_b & cmos::kBinary;
    CivilTime t;
    t.second = TRY(cmos_decode_field(raw.seconds, binary, 0, 59, fault));
    t.minute = TRY(cmos_decode_field(raw.minutes, binary, 0, 59, fault));
    t.hour = TRY(cmos_decode_hour(raw.hours, status_b, fault));
    t.day = TRY(cmos_decode_field(raw.day, binary, 1, 31, fault));
    t.month = TRY(cmos_decode_field(raw.month, binary, 1, 12, fault));
    u8 year = TRY(cmos_decode_field(raw.year, binary, 0, 99, fault));
    // Without a century register the two digits are taken as 20xx (the
    // accepted range is 2000..2099 anyway).
    u8 century = raw.has_century ? TRY(cmos_decode_field(raw.century, binary, 0, 99, fault)) : 20;
    u32 full_year = u32(century) * 100 + year;
    // A century byte of 19 or less: before the accepted range, and before
    // 1970 a CivilTime cannot say it at all.
    if (full_year < kCivilFirstYear) return rtc_fail(fault, RtcFault::NotSet);
    t.year = full_year;
    if (t.day > days_in_month(t.year, t.month)) return rtc_fail(fault, RtcFault::BadField);
    if (fault) *fault = RtcFault::None;
    return t;
}

Result<i64> cmos_decode_unix(const CmosTimeRegisters& raw, u8 status_b, RtcFault* fault) {
    CivilTime t = TRY(cmos_decode_time(raw, status_b, fault));
    // Every field was checked above, so this cannot fail; if it did, the
    // reading is still one no clock should give.
    auto seconds = unix_from_civil(t);
    if (seconds.is_error()) return rtc_fail(fault, RtcFault::BadField);
    return rtc_check_range(seconds.value(), fault);
}

CmosRtc::CmosRtc(ReadRegister read, void* context, u8 century_index) : m_read(read), m_context(context) {
    if (century_index >= cmos::kFirstRamByte && century_index < 0x80) m_century = century_index;
}

bool CmosRtc::wait_for_update() {
    for (u32 i = 0; i < kUpdateWaitReads; ++i)
        if (!(reg(cmos::kStatusA) & cmos::kUpdateInProgress)) return true;
    return false;
}

CmosTimeRegisters CmosRtc::read_pass() {
    CmosTimeRegisters r;
    r.seconds = reg(cmos::kSeconds);
    r.minutes = reg(cmos::kMinutes);
    r.hours = reg(cmos::kHours);
    r.day = reg(cmos::kDayOfMonth);
    r.month = reg(cmos::kMonth);
    r.year = reg(cmos::kYear);
    if (m_century) {
        r.century = reg(m_century);
        r.has_century = true;
    }
    return r;
}

Result<i64> CmosRtc::read_settled(u8 status_b, RtcFault* fault) {
    // The update can start between the flag check and the last field; a
    // pass that matches the one before it was not torn.
    CmosTimeRegisters previous;
    bool have_previous = false;
    for (u32 pass = 0; pass < kMaxPasses; ++pass) {
        if (!wait_for_update()) break;
        CmosTimeRegisters now = read_pass();
        if (have_previous && now == previous) {
            auto seconds = cmos_decode_unix(now, status_b, fault);
            if (seconds.is_error())
                log_warn("rtc", "CMOS RTC reads nonsense: {} (time {:02x}:{:02x}:{:02x} date {:02x}/{:02x}/{:02x} "
                         "century {:02x}, status B {:#04x})",
                         rtc_fault_name(*fault), now.hours, now.minutes, now.seconds, now.day, now.month, now.year,
                         now.century, status_b);
            return seconds;
        }
        previous = now;
        have_previous = true;
    }
    log_warn("rtc", "CMOS RTC: the time never held still for two reads ({})", rtc_fault_name(RtcFault::NeverSettled));
    return rtc_fail(fault, RtcFault::NeverSettled);
}

Result<i64> CmosRtc::read(RtcFault* fault) {
    RtcFault local = RtcFault::None;
    if (!fault) fault = &local;
    u8 a = reg(cmos::kStatusA), b = reg(cmos::kStatusB), d = reg(cmos::kStatusD);
    // An I/O port with nothing behind it reads as all ones.
    if (a == 0xff && b == 0xff && d == 0xff) {
        log_info("rtc", "no CMOS RTC at the ports (status registers read 0xff)");
        return rtc_fail(fault, RtcFault::NotPresent);
    }
    if (!(d & cmos::kValidTime)) {
        log_warn("rtc", "CMOS RTC says its time is not valid (status D {:#04x}: {})", d,
                 rtc_fault_name(RtcFault::InvalidTime));
        return rtc_fail(fault, RtcFault::InvalidTime);
    }
    return read_settled(b, fault);
}

}  // namespace mote
