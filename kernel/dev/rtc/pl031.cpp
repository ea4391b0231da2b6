#include "dev/rtc/pl031.hpp"

#include "core/log.hpp"

namespace mote {

namespace {
u32 load(volatile u8* base, u32 offset) { return *reinterpret_cast<volatile u32*>(base + offset); }
}  // namespace

Result<void> pl031_check_id(const Pl031Id& id, RtcFault* fault) {
    const u8* b = id.bytes;
    // PeriphID: part number in bits 11:0, designer in bits 19:12 (PL031
    // TRM 3.3.10); the revision (bits 23:20) and configuration may vary.
    u32 part = b[0] | u32(b[1] & 0x0f) << 8;
    u32 designer = u32(b[1] >> 4) | u32(b[2] & 0x0f) << 4;
    bool cell = b[4] == 0x0d && b[5] == 0xf0 && b[6] == 0x05 && b[7] == 0xb1;
    if (part != 0x031 || designer != 0x41 || !cell) return rtc_fail(fault, RtcFault::NotPresent);
    if (fault) *fault = RtcFault::None;
    return {};
}

Result<i64> pl031_decode(u32 data, u32 control, RtcFault* fault) {
    if (!(control & pl031::kControlStart)) return rtc_fail(fault, RtcFault::InvalidTime);
    // Every 32-bit count is a time; whether it is a believable one is the
    // range check's to say.
    return rtc_check_range(i64(data), fault);
}

Result<i64> pl031_read(volatile u8* base, RtcFault* fault) {
    RtcFault local = RtcFault::None;
    if (!fault) fault = &local;
    Pl031Id id;
    for (u32 i = 0; i < 8; ++i) id.bytes[i] = u8(load(base, pl031::kPeriphId0 + 4 * i));
    if (auto r = pl031_check_id(id, fault); r.is_error()) {
        log_warn("rtc", "not a PL031: identification {:02x} {:02x} {:02x} {:02x} / {:02x} {:02x} {:02x} {:02x} ({})",
                 id.bytes[0], id.bytes[1], id.bytes[2], id.bytes[3], id.bytes[4], id.bytes[5], id.bytes[6],
                 id.bytes[7], rtc_fault_name(*fault));
        return r.error();
    }
    u32 control = load(base, pl031::kControl);
    u32 data = load(base, pl031::kData);
    auto seconds = pl031_decode(data, control, fault);
    if (seconds.is_error())
        log_warn("rtc", "PL031 reads nonsense: {} (RTCDR {:#010x}, RTCCR {:#x})", rtc_fault_name(*fault), data, control);
    return seconds;
}

}  // namespace mote
