// Feeds arbitrary bytes to the real-time clock decoders (kernel/dev/rtc/)
// and the calendar arithmetic under them (base/civil_time). Any crash or
// sanitizer report is a bug; beyond that each decoder's promises are
// checked: a reading is accepted exactly when no fault is named, an
// accepted reading lies in the accepted range (rtc_fault.hpp) and names the
// same calendar time the registers spelled, and the CMOS reader over a chip
// whose every register read is the next input byte always ends.
//
// Layout (missing bytes read as zero): [0] CMOS status B, [1..7] seconds,
// minutes, hours, day, month, year, century, [8] bit 0: has a century
// register; [9..16] Goldfish TIME_LOW, TIME_HIGH; [17..24] PL031 RTCDR,
// RTCCR; [25..32] PL031 identification bytes; [33..40] an i64 for
// civil_from_unix; [41] the CMOS reader's century index; the rest: the
// simulated chip's register values, in read order, cycled.
#include <stddef.h>
#include <stdint.h>

#include "base/civil_time.hpp"
#include "base/verify.hpp"
#include "dev/rtc/cmos_rtc.hpp"
#include "dev/rtc/goldfish_rtc.hpp"
#include "dev/rtc/pl031.hpp"

using namespace mote;

namespace {

struct Input {
    const uint8_t* data;
    size_t size;
    u8 at(size_t i) const { return i < size ? data[i] : 0; }
    u32 u32_at(size_t i) const { return at(i) | u32(at(i + 1)) << 8 | u32(at(i + 2)) << 16 | u32(at(i + 3)) << 24; }
};

u8 from_bcd_or_binary(u8 raw, bool binary) { return binary ? raw : u8((raw >> 4) * 10 + (raw & 0x0f)); }

void check_fault(Result<i64> r, RtcFault fault) {
    if (r.ok()) {
        VERIFY(fault == RtcFault::None);
        VERIFY(r.value() >= kRtcEarliest && r.value() <= kRtcLatest);
    } else {
        VERIFY(fault != RtcFault::None && usize(fault) < kRtcFaultCount);
        VERIFY(r.error() == (fault == RtcFault::NotPresent ? Error::NotFound : Error::Malformed));
    }
}

void fuzz_cmos_decode(const Input& in) {
    u8 status_b = in.at(0);
    CmosTimeRegisters r;
    r.seconds = in.at(1), r.minutes = in.at(2), r.hours = in.at(3), r.day = in.at(4), r.month = in.at(5);
    r.year = in.at(6), r.century = in.at(7), r.has_century = in.at(8) & 1;
    RtcFault fault = RtcFault(0xee);
    auto seconds = cmos_decode_unix(r, status_b, &fault);
    check_fault(seconds, fault);
    if (seconds.is_error()) return;
    // What was accepted is what the registers spelled.
    bool binary = status_b & cmos::kBinary;
    CivilTime t = civil_from_unix(seconds.value()).value();
    VERIFY(t.second == from_bcd_or_binary(r.seconds, binary));
    VERIFY(t.minute == from_bcd_or_binary(r.minutes, binary));
    VERIFY(t.day == from_bcd_or_binary(r.day, binary));
    VERIFY(t.month == from_bcd_or_binary(r.month, binary));
    VERIFY(t.year % 100 == from_bcd_or_binary(r.year, binary));
    if (r.has_century) VERIFY(t.year / 100 == from_bcd_or_binary(r.century, binary));
    u8 hour = from_bcd_or_binary(u8(r.hours & 0x7f), binary);
    if (status_b & cmos::kHours24) VERIFY(t.hour == from_bcd_or_binary(r.hours, binary));
    else VERIFY(t.hour == hour % 12 + ((r.hours & 0x80) ? 12 : 0));
}

void fuzz_goldfish_and_pl031(const Input& in) {
    RtcFault fault = RtcFault(0xee);
    u32 low = in.u32_at(9), high = in.u32_at(13);
    auto ns = goldfish_rtc_decode(low, high, &fault);
    if (ns.ok()) {
        VERIFY(fault == RtcFault::None);
        VERIFY(u64(ns.value()) == (u64(high) << 32 | low));
        check_fault(ns.value() / 1000000000, fault);
    } else {
        check_fault(ns.error(), fault);
    }

    fault = RtcFault(0xee);
    auto seconds = pl031_decode(in.u32_at(17), in.u32_at(21), &fault);
    check_fault(seconds, fault);
    if (seconds.ok()) VERIFY(u64(seconds.value()) == in.u32_at(17));
    Pl031Id id;
    for (int i = 0; i < 8; ++i) id.bytes[i] = in.at(25 + i);
    fault = RtcFault(0xee);
    auto checked = pl031_check_id(id, &fault);
    VERIFY(fault == (checked.ok() ? RtcFault::None : RtcFault::NotPresent));
}

void fuzz_civil(const Input& in) {
    i64 seconds = i64(u64(in.u32_at(33)) | u64(in.u32_at(37)) << 32);
    auto civil = civil_from_unix(seconds);
    VERIFY(civil.ok() == (seconds >= 0 && seconds <= kCivilLastSecond));
    if (civil.ok()) VERIFY(unix_from_civil(civil.value()).value() == seconds);
}

struct Chip {
    const uint8_t* script;
    size_t length;
    size_t next = 0;
    u64 reads = 0;
    static u8 read(void* context, u8) {
        auto* self = static_cast<Chip*>(context);
        ++self->reads;
        if (self->length == 0) return 0xff;
        u8 value = self->script[self->next];
        self->next = (self->next + 1) % self->length;
        return value;
    }
};

void fuzz_cmos_reader(const Input& in) {
    constexpr size_t kScript = 42;
    Chip chip {in.data + (in.size > kScript ? kScript : in.size), in.size > kScript ? in.size - kScript : 0};
    CmosRtc rtc(Chip::read, &chip, in.at(41));
    RtcFault fault = RtcFault(0xee);
    check_fault(rtc.read(&fault), fault);
    // Three status registers, then at most kMaxPasses passes of a wait and
    // seven registers.
    VERIFY(chip.reads <= 3 + u64(CmosRtc::kMaxPasses) * (CmosRtc::kUpdateWaitReads + 7));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input in {data, size};
    fuzz_cmos_decode(in);
    fuzz_goldfish_and_pl031(in);
    fuzz_civil(in);
    fuzz_cmos_reader(in);
    return 0;
}
