// The real-time clock decoders and readers (kernel/dev/rtc/) and the wall
// clock built on them (kernel/core/wall_clock.hpp).
//
// Expected Unix times come from GNU `date -u -d DATE +%s`; the register
// encodings from the MC146818A datasheet (BCD/binary, 12/24-hour with PM in
// bit 7 of the hour), the PL031's identification bytes from QEMU's
// hw/rtc/pl031.c (pl031_id), the devicetree nodes from QEMU 7.2's own trees
// (tests/data/dtb, `dtc -I dtb -O dts`).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/log.hpp"
#include "core/wall_clock.hpp"
#include "dev/rtc/cmos_rtc.hpp"
#include "dev/rtc/devicetree_rtc.hpp"
#include "dev/rtc/goldfish_rtc.hpp"
#include "dev/rtc/pl031.hpp"
#include "support/fdt_helpers.hpp"

using namespace mote;

namespace {

constexpr i64 k20261205_101112 = 1796465472;  // 2026-12-05 10:11:12 UTC
constexpr i64 k20261205_221112 = 1796508672;  // 2026-12-05 22:11:12 UTC
constexpr i64 k20261205_001112 = 1796429472;  // 2026-12-05 00:11:12 UTC
constexpr i64 k20261205_121112 = 1796472672;  // 2026-12-05 12:11:12 UTC
constexpr u8 kBcd24 = cmos::kHours24;         // status B: BCD, 24-hour (QEMU's default, 0x02)
constexpr u8 kBin24 = cmos::kHours24 | cmos::kBinary;
constexpr u8 kBcd12 = 0;
constexpr u8 kBin12 = cmos::kBinary;

CmosTimeRegisters regs(u8 h, u8 mi, u8 s, u8 d, u8 mo, u8 y) {
    CmosTimeRegisters r;
    r.hours = h, r.minutes = mi, r.seconds = s, r.day = d, r.month = mo, r.year = y;
    return r;
}

CmosTimeRegisters with_century(CmosTimeRegisters r, u8 century) {
    r.century = century;
    r.has_century = true;
    return r;
}

RtcFault cmos_fault(const CmosTimeRegisters& r, u8 status_b) {
    RtcFault fault = RtcFault::None;
    auto got = cmos_decode_unix(r, status_b, &fault);
    EXPECT_TRUE(got.is_error());
    return fault;
}

}  // namespace

// ---------------------------------------------------------------------------
// CMOS fields

TEST(CmosRtc, BcdAndBinaryFields) {
    RtcFault fault = RtcFault::None;
    EXPECT_EQ(cmos_decode_field(0x59, false, 0, 59, &fault).value(), 59);
    EXPECT_EQ(cmos_decode_field(0x00, false, 0, 59, &fault).value(), 0);
    EXPECT_EQ(cmos_decode_field(59, true, 0, 59, &fault).value(), 59);
    EXPECT_EQ(cmos_decode_field(0x5a, false, 0, 59, &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::BadBcd);
    EXPECT_EQ(cmos_decode_field(0xa0, false, 0, 99, &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::BadBcd);
    EXPECT_EQ(cmos_decode_field(0x60, false, 0, 59, &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::BadField);
    EXPECT_EQ(cmos_decode_field(60, true, 0, 59, &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::BadField);
    EXPECT_EQ(cmos_decode_field(0x00, false, 1, 12, &fault).error(), Error::Malformed);  // month 0
    EXPECT_EQ(fault, RtcFault::BadField);
}

TEST(CmosRtc, TwelveAndTwentyFourHourClocks) {
    RtcFault fault = RtcFault::None;
    // 12-hour BCD: 12 AM is midnight, 12 PM noon, PM in bit 7.
    EXPECT_EQ(cmos_decode_hour(0x12, kBcd12, &fault).value(), 0);
    EXPECT_EQ(cmos_decode_hour(0x01, kBcd12, &fault).value(), 1);
    EXPECT_EQ(cmos_decode_hour(0x11, kBcd12, &fault).value(), 11);
    EXPECT_EQ(cmos_decode_hour(0x92, kBcd12, &fault).value(), 12);
    EXPECT_EQ(cmos_decode_hour(0x81, kBcd12, &fault).value(), 13);
    EXPECT_EQ(cmos_decode_hour(0x91, kBcd12, &fault).value(), 23);
    // 12-hour binary.
    EXPECT_EQ(cmos_decode_hour(12, kBin12, &fault).value(), 0);
    EXPECT_EQ(cmos_decode_hour(0x80 | 12, kBin12, &fault).value(), 12);
    EXPECT_EQ(cmos_decode_hour(0x80 | 10, kBin12, &fault).value(), 22);
    // 24-hour.
    EXPECT_EQ(cmos_decode_hour(0x23, kBcd24, &fault).value(), 23);
    EXPECT_EQ(cmos_decode_hour(0x00, kBcd24, &fault).value(), 0);
    EXPECT_EQ(cmos_decode_hour(23, kBin24, &fault).value(), 23);
    // Nonsense: hour 0 or 13 on a 12-hour clock, 24 on a 24-hour one, PM
    // flag on a 24-hour clock.
    for (auto [raw, b] : {std::pair<u8, u8> {0x00, kBcd12}, {0x13, kBcd12}, {0x80, kBcd12}, {13, kBin12},
                          {0x24, kBcd24}, {24, kBin24}, {0x81, kBcd24}}) {
        EXPECT_EQ(cmos_decode_hour(raw, b, &fault).error(), Error::Malformed) << int(raw) << " " << int(b);
        EXPECT_EQ(fault, RtcFault::BadField);
    }
    EXPECT_EQ(cmos_decode_hour(0x1a, kBcd24, &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::BadBcd);
}

TEST(CmosRtc, WholeTimeInEveryFormat) {
    RtcFault fault = RtcFault::NotSet;
    // 2026-12-05 10:11:12, no century register (20xx assumed).
    EXPECT_EQ(cmos_decode_unix(regs(0x10, 0x11, 0x12, 0x05, 0x12, 0x26), kBcd24, &fault).value(), k20261205_101112);
    EXPECT_EQ(fault, RtcFault::None);
    EXPECT_EQ(cmos_decode_unix(regs(10, 11, 12, 5, 12, 26), kBin24, &fault).value(), k20261205_101112);
    EXPECT_EQ(cmos_decode_unix(regs(0x10, 0x11, 0x12, 0x05, 0x12, 0x26), kBcd12, &fault).value(), k20261205_101112);
    EXPECT_EQ(cmos_decode_unix(regs(0x90, 0x11, 0x12, 0x05, 0x12, 0x26), kBcd12, &fault).value(), k20261205_221112);
    EXPECT_EQ(cmos_decode_unix(regs(0x80 | 10, 11, 12, 5, 12, 26), kBin12, &fault).value(), k20261205_221112);
    EXPECT_EQ(cmos_decode_unix(regs(0x12, 0x11, 0x12, 0x05, 0x12, 0x26), kBcd12, &fault).value(), k20261205_001112);
    EXPECT_EQ(cmos_decode_unix(regs(0x92, 0x11, 0x12, 0x05, 0x12, 0x26), kBcd12, &fault).value(), k20261205_121112);
    // With the century register (QEMU keeps it at 0x32, the FADT says so).
    EXPECT_EQ(cmos_decode_unix(with_century(regs(0x10, 0x11, 0x12, 0x05, 0x12, 0x26), 0x20), kBcd24, &fault).value(),
              k20261205_101112);
    EXPECT_EQ(cmos_decode_unix(with_century(regs(10, 11, 12, 5, 12, 26), 20), kBin24, &fault).value(),
              k20261205_101112);
    auto t = cmos_decode_time(regs(0x23, 0x59, 0x59, 0x29, 0x02, 0x24), kBcd24, &fault);  // leap day
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.value().year, 2024u);
    EXPECT_EQ(t.value().month, 2);
    EXPECT_EQ(t.value().day, 29);
    EXPECT_EQ(unix_from_civil(t.value()).value(), 1709251199);
}

TEST(CmosRtc, NonsenseIsNamed) {
    EXPECT_EQ(cmos_fault(regs(0x10, 0x11, 0x12, 0x31, 0x04, 0x26), kBcd24), RtcFault::BadField);  // April 31
    EXPECT_EQ(cmos_fault(regs(0x10, 0x11, 0x12, 0x29, 0x02, 0x25), kBcd24), RtcFault::BadField);  // 2025-02-29
    EXPECT_EQ(cmos_fault(regs(0x10, 0x11, 0x12, 0x05, 0x13, 0x26), kBcd24), RtcFault::BadField);  // month 13
    EXPECT_EQ(cmos_fault(regs(0x10, 0x11, 0x60, 0x05, 0x12, 0x26), kBcd24), RtcFault::BadField);  // second 60
    EXPECT_EQ(cmos_fault(regs(0x10, 0x1f, 0x12, 0x05, 0x12, 0x26), kBcd24), RtcFault::BadBcd);
    EXPECT_EQ(cmos_fault(regs(0xff, 0xff, 0xff, 0xff, 0xff, 0xff), kBcd24), RtcFault::BadBcd);  // nothing there
    EXPECT_EQ(cmos_fault(regs(10, 11, 12, 5, 12, 100), kBin24), RtcFault::BadField);
    EXPECT_EQ(cmos_fault(with_century(regs(0x10, 0x11, 0x12, 0x05, 0x12, 0x99), 0x19), kBcd24), RtcFault::NotSet);
    EXPECT_EQ(cmos_fault(with_century(regs(0x10, 0x11, 0x12, 0x05, 0x12, 0x26), 0x00), kBcd24), RtcFault::NotSet);
    EXPECT_EQ(cmos_fault(with_century(regs(0x10, 0x11, 0x12, 0x05, 0x12, 0x26), 0x21), kBcd24), RtcFault::TooLate);
    EXPECT_EQ(cmos_fault(with_century(regs(0x10, 0x11, 0x12, 0x05, 0x12, 0x26), 0x2a), kBcd24), RtcFault::BadBcd);
}

// ---------------------------------------------------------------------------
// The CMOS reader over a simulated chip

namespace {

// A chip whose registers tests set; status A reports an update in progress
// for the first `busy_reads` reads of it, and `tick_after` register reads
// into the time, the clock ticks from 10:11:59 to 10:12:00 (once).
struct FakeCmos {
    u8 regs[128] = {};
    u32 busy_reads = 0;
    u32 status_a_reads = 0;
    i32 tick_after = -1;
    u32 time_reads = 0;
    u32 tick_every = 0;  // > 0: tick on every tick_every-th time read (never settles)

    FakeCmos() {
        regs[cmos::kSeconds] = 0x12, regs[cmos::kMinutes] = 0x11, regs[cmos::kHours] = 0x10;
        regs[cmos::kDayOfMonth] = 0x05, regs[cmos::kMonth] = 0x12, regs[cmos::kYear] = 0x26;
        regs[0x32] = 0x20;
        regs[cmos::kStatusA] = 0x26, regs[cmos::kStatusB] = 0x02, regs[cmos::kStatusD] = 0x80;
    }

    static u8 read(void* context, u8 index) {
        auto* self = static_cast<FakeCmos*>(context);
        if (index == cmos::kStatusA) {
            ++self->status_a_reads;
            bool busy = self->status_a_reads <= self->busy_reads;
            return u8(self->regs[index] | (busy ? cmos::kUpdateInProgress : 0));
        }
        if (index <= cmos::kYear || index == 0x32) {
            ++self->time_reads;
            if (i32(self->time_reads) == self->tick_after) {
                self->regs[cmos::kSeconds] = 0x00;
                self->regs[cmos::kMinutes] = 0x12;
            }
            if (self->tick_every && self->time_reads % self->tick_every == 0)
                self->regs[cmos::kSeconds] = u8((self->regs[cmos::kSeconds] + 1) & 0x0f);
        }
        return self->regs[index & 0x7f];
    }
};

}  // namespace

TEST(CmosRtc, ReadsAQuietChip) {
    FakeCmos chip;
    CmosRtc rtc(FakeCmos::read, &chip, 0x32);
    EXPECT_TRUE(rtc.has_century());
    RtcFault fault = RtcFault::NotSet;
    EXPECT_EQ(rtc.read(&fault).value(), k20261205_101112);
    EXPECT_EQ(fault, RtcFault::None);
}

TEST(CmosRtc, WaitsForTheUpdateToEnd) {
    FakeCmos chip;
    chip.busy_reads = 500;
    CmosRtc rtc(FakeCmos::read, &chip, 0x32);
    EXPECT_EQ(rtc.read().value(), k20261205_101112);
    EXPECT_GT(chip.status_a_reads, 500u);
}

TEST(CmosRtc, ATornPassIsReadAgain) {
    // The tick lands in the middle of the first pass: seconds read as 12,
    // minutes as 12. Only passes that agree count: 10:12:00.
    FakeCmos chip;
    chip.regs[cmos::kSeconds] = 0x59;
    chip.tick_after = 2;
    CmosRtc rtc(FakeCmos::read, &chip, 0x32);
    EXPECT_EQ(rtc.read().value(), k20261205_101112 - 12 + 60);
}

TEST(CmosRtc, NeverSettles) {
    FakeCmos chip;
    chip.tick_every = 7;  // once per pass: no two passes agree
    CmosRtc rtc(FakeCmos::read, &chip, 0x32);
    RtcFault fault = RtcFault::None;
    EXPECT_EQ(rtc.read(&fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::NeverSettled);

    FakeCmos stuck;
    stuck.busy_reads = ~u32(0);  // update in progress forever
    CmosRtc stuck_rtc(FakeCmos::read, &stuck, 0);
    EXPECT_EQ(stuck_rtc.read(&fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::NeverSettled);
    EXPECT_LE(stuck.status_a_reads, CmosRtc::kUpdateWaitReads + 1);
}

TEST(CmosRtc, NothingAtThePorts) {
    FakeCmos chip;
    for (u8& r : chip.regs) r = 0xff;
    CmosRtc rtc(FakeCmos::read, &chip, 0x32);
    RtcFault fault = RtcFault::None;
    EXPECT_EQ(rtc.read(&fault).error(), Error::NotFound);
    EXPECT_EQ(fault, RtcFault::NotPresent);
}

TEST(CmosRtc, BatteryLost) {
    FakeCmos chip;
    chip.regs[cmos::kStatusD] = 0x00;
    CmosRtc rtc(FakeCmos::read, &chip, 0x32);
    RtcFault fault = RtcFault::None;
    EXPECT_EQ(rtc.read(&fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::InvalidTime);
}

TEST(CmosRtc, CenturyIndexMustBeRam) {
    // An index inside the clock's own registers (here the hours) or past
    // the 128 bytes is not a century register: 20xx is assumed.
    for (u8 index : {u8(0), u8(cmos::kHours), u8(cmos::kStatusD), u8(0x80), u8(0xff)}) {
        FakeCmos chip;
        CmosRtc rtc(FakeCmos::read, &chip, index);
        EXPECT_FALSE(rtc.has_century()) << int(index);
        EXPECT_EQ(rtc.read().value(), k20261205_101112);
    }
    FakeCmos chip;
    chip.regs[0x32] = 0x19;  // 1926: a clock nobody set
    CmosRtc rtc(FakeCmos::read, &chip, 0x32);
    RtcFault fault = RtcFault::None;
    EXPECT_EQ(rtc.read(&fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::NotSet);
}

TEST(CmosRtc, BinaryTwelveHourChip) {
    FakeCmos chip;
    chip.regs[cmos::kStatusB] = kBin12;
    chip.regs[cmos::kSeconds] = 12, chip.regs[cmos::kMinutes] = 11, chip.regs[cmos::kHours] = 0x80 | 10;
    chip.regs[cmos::kDayOfMonth] = 5, chip.regs[cmos::kMonth] = 12, chip.regs[cmos::kYear] = 26, chip.regs[0x32] = 20;
    CmosRtc rtc(FakeCmos::read, &chip, 0x32);
    EXPECT_EQ(rtc.read().value(), k20261205_221112);
}

// ---------------------------------------------------------------------------
// Goldfish RTC and PL031

TEST(GoldfishRtc, Decodes) {
    u64 ns = u64(k20261205_101112) * 1000000000 + 500000000;
    RtcFault fault = RtcFault::NotSet;
    EXPECT_EQ(goldfish_rtc_decode(u32(ns), u32(ns >> 32), &fault).value(), i64(ns));
    EXPECT_EQ(fault, RtcFault::None);
    EXPECT_EQ(goldfish_rtc_decode(0, 0, &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::NotSet);
    u64 late = u64(kRtcLatest + 1) * 1000000000;
    EXPECT_EQ(goldfish_rtc_decode(u32(late), u32(late >> 32), &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::TooLate);
    EXPECT_EQ(goldfish_rtc_decode(0, 0x80000000, &fault).error(), Error::Malformed);  // past i64
    EXPECT_EQ(fault, RtcFault::TooLate);
    EXPECT_EQ(goldfish_rtc_decode(0xffffffff, 0xffffffff, &fault).error(), Error::NotFound);
    EXPECT_EQ(fault, RtcFault::NotPresent);
}

TEST(GoldfishRtc, ReadsRegisters) {
    u64 ns = u64(k20261205_101112) * 1000000000 + 123;
    alignas(8) u32 window[2] = {u32(ns), u32(ns >> 32)};  // TIME_LOW, TIME_HIGH
    EXPECT_EQ(goldfish_rtc_read(reinterpret_cast<volatile u8*>(window)).value(), i64(ns));
}

namespace {
// hw/rtc/pl031.c: pl031_id[] = PeriphID0..3, PCellID0..3.
constexpr u8 kQemuPl031Id[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
}  // namespace

TEST(Pl031, Identification) {
    Pl031Id id;
    for (int i = 0; i < 8; ++i) id.bytes[i] = kQemuPl031Id[i];
    RtcFault fault = RtcFault::NotSet;
    EXPECT_TRUE(pl031_check_id(id, &fault).ok());
    id.bytes[2] = 0x04;  // revision 0: still a PL031
    EXPECT_TRUE(pl031_check_id(id, &fault).ok());
    for (int i = 0; i < 8; ++i) {
        if (i == 3) continue;  // configuration: free
        Pl031Id bad = id;
        bad.bytes[i] ^= (i == 2 ? 0x01 : 0x10);
        EXPECT_EQ(pl031_check_id(bad, &fault).error(), Error::NotFound) << i;
        EXPECT_EQ(fault, RtcFault::NotPresent);
    }
    Pl031Id zero;  // memory that reads as zeros
    EXPECT_EQ(pl031_check_id(zero, &fault).error(), Error::NotFound);
}

TEST(Pl031, Decodes) {
    RtcFault fault = RtcFault::NotSet;
    EXPECT_EQ(pl031_decode(u32(k20261205_101112), 1, &fault).value(), k20261205_101112);
    EXPECT_EQ(fault, RtcFault::None);
    EXPECT_EQ(pl031_decode(u32(k20261205_101112), 0, &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::InvalidTime);
    EXPECT_EQ(pl031_decode(5, 1, &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::NotSet);
    EXPECT_EQ(pl031_decode(0xffffffff, 1, &fault).error(), Error::Malformed);  // 2106
    EXPECT_EQ(fault, RtcFault::TooLate);
}

TEST(Pl031, ReadsRegisters) {
    std::vector<u32> window(pl031::kRegisterBytes / 4, 0);
    window[pl031::kData / 4] = u32(k20261205_101112);
    window[pl031::kControl / 4] = 1;
    for (int i = 0; i < 8; ++i) window[pl031::kPeriphId0 / 4 + i] = kQemuPl031Id[i];
    auto* base = reinterpret_cast<volatile u8*>(window.data());
    EXPECT_EQ(pl031_read(base).value(), k20261205_101112);
    window[pl031::kPeriphId0 / 4] = 0x11;  // a PL011's part number
    RtcFault fault = RtcFault::None;
    EXPECT_EQ(pl031_read(base, &fault).error(), Error::NotFound);
    EXPECT_EQ(fault, RtcFault::NotPresent);
}

TEST(RtcRange, Bounds) {
    RtcFault fault = RtcFault::None;
    EXPECT_EQ(rtc_check_range(kRtcEarliest, &fault).value(), 946684800);  // 2000-01-01T00:00:00Z
    EXPECT_EQ(rtc_check_range(kRtcLatest, &fault).value(), 4102444799);   // 2099-12-31T23:59:59Z
    EXPECT_EQ(rtc_check_range(kRtcEarliest - 1, &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::NotSet);
    EXPECT_EQ(rtc_check_range(kRtcLatest + 1, &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, RtcFault::TooLate);
    for (usize i = 0; i < kRtcFaultCount; ++i)
        EXPECT_STRNE(rtc_fault_name(RtcFault(i)), "UnknownRtcFault") << i;
}

// ---------------------------------------------------------------------------
// Finding the clock in QEMU's devicetrees

TEST(DevicetreeRtc, QemuVirtTrees) {
    using fdt_test::dtb;
    using fdt_test::parse_ok;
    {
        fdt::Fdt fdt = parse_ok(dtb("qemu-riscv64-virt.dtb"));
        auto rtc = find_devicetree_rtc(fdt);
        ASSERT_TRUE(rtc.ok());
        EXPECT_EQ(rtc.value().kind, RtcKind::Goldfish);
        EXPECT_EQ(rtc.value().reg, (fdt::Reg {0x101000, 0x1000}));  // rtc@101000
        EXPECT_EQ(fdt_test::str(rtc.value().name), "goldfish-rtc");
        EXPECT_EQ(fdt_test::str(rtc.value().node.name()), "rtc@101000");
    }
    for (const char* name : {"qemu-aarch64-virt-gicv3.dtb", "qemu-aarch64-virt-gicv2.dtb"}) {
        fdt::Fdt fdt = parse_ok(dtb(name));
        auto rtc = find_devicetree_rtc(fdt);
        ASSERT_TRUE(rtc.ok()) << name;
        EXPECT_EQ(rtc.value().kind, RtcKind::Pl031);
        EXPECT_EQ(rtc.value().reg, (fdt::Reg {0x9010000, 0x1000}));  // pl031@9010000
        EXPECT_EQ(fdt_test::str(rtc.value().name), "pl031");
    }
    fdt::Fdt handmade = parse_ok(dtb("handmade.dtb"));
    EXPECT_EQ(find_devicetree_rtc(handmade).error(), Error::NotFound);
}

TEST(DevicetreeRtc, ReadsThroughTheRightDecoder) {
    fdt::Fdt fdt = fdt_test::parse_ok(fdt_test::dtb("qemu-aarch64-virt-gicv3.dtb"));
    auto rtc = find_devicetree_rtc(fdt);
    ASSERT_TRUE(rtc.ok());
    std::vector<u32> window(pl031::kRegisterBytes / 4, 0);
    window[pl031::kData / 4] = u32(k20261205_101112);
    window[pl031::kControl / 4] = 1;
    for (int i = 0; i < 8; ++i) window[pl031::kPeriphId0 / 4 + i] = kQemuPl031Id[i];
    EXPECT_EQ(read_devicetree_rtc(rtc.value(), reinterpret_cast<volatile u8*>(window.data())).value(),
              k20261205_101112 * 1000000000);
}

// ---------------------------------------------------------------------------
// The wall clock

namespace {
Nanoseconds g_fake_now = 0;
Nanoseconds fake_now() { return g_fake_now; }

struct WallClockTest : ::testing::Test {
    void SetUp() override { wall_clock_reset(); }
    void TearDown() override { wall_clock_reset(); }
};
}  // namespace

TEST_F(WallClockTest, UnsetReadsZero) {
    EXPECT_EQ(wall_clock_ns(), 0);
    EXPECT_EQ(wall_clock_seconds(), 0u);
    EXPECT_FALSE(wall_clock_known());
    EXPECT_EQ(fdt_test::str(wall_clock_source()), "none");
}

TEST_F(WallClockTest, EpochPlusMonotonicProgress) {
    g_fake_now = 5 * kSecond;
    wall_clock_set(fake_now, k20261205_101112 * i64(kSecond) + 250 * i64(kMillisecond), 3 * kSecond, "test-rtc");
    EXPECT_TRUE(wall_clock_known());
    EXPECT_EQ(fdt_test::str(wall_clock_source()), "test-rtc");
    // Read 2 s after the RTC was: 10:11:14.25.
    EXPECT_EQ(wall_clock_ns(), (k20261205_101112 + 2) * i64(kSecond) + 250 * i64(kMillisecond));
    EXPECT_EQ(wall_clock_seconds(), u32(k20261205_101112 + 2));
    g_fake_now += kSecond - 250 * kMillisecond;
    EXPECT_EQ(wall_clock_seconds(), u32(k20261205_101112 + 3));
    // A time from before the reading counts back from it.
    EXPECT_EQ(wall_clock_at(kSecond), (k20261205_101112 - 2) * i64(kSecond) + 250 * i64(kMillisecond));
    EXPECT_EQ(wall_clock_at(0), (k20261205_101112 - 3) * i64(kSecond) + 250 * i64(kMillisecond));
}

TEST_F(WallClockTest, UnknownCountsFromBoot) {
    g_fake_now = 90 * kSecond + 7;
    wall_clock_set_unknown(fake_now, "no RTC in this test");
    EXPECT_FALSE(wall_clock_known());
    EXPECT_EQ(wall_clock_ns(), i64(90 * kSecond + 7));
    EXPECT_EQ(wall_clock_seconds(), 90u);
    EXPECT_EQ(fdt_test::str(wall_clock_source()), "none");
}

TEST_F(WallClockTest, SecondsClampToThirtyTwoBits) {
    g_fake_now = 0;
    wall_clock_set(fake_now, (i64(~u32(0)) + 10) * i64(kSecond), 0, "test-rtc");
    EXPECT_EQ(wall_clock_seconds(), ~u32(0));
    // Nothing wraps even centuries on.
    g_fake_now = ~Nanoseconds(0);
    EXPECT_GT(wall_clock_ns(), 0);
}

TEST_F(WallClockTest, LogLineSaysWhatSetIt) {
    auto last_line = [] {
        std::string last;
        klog().for_each_line([](StringView line, void* c) { *static_cast<std::string*>(c) = fdt_test::str(line); },
                             &last);
        return last;
    };
    g_fake_now = 0;
    wall_clock_set(fake_now, k20261205_101112 * i64(kSecond), 1500 * kMillisecond, "test-rtc");
    wall_clock_log();
    EXPECT_NE(last_line().find("clock: wall clock 2026-12-05T10:11:12Z from test-rtc, read 1500 ms after kernel entry"),
              std::string::npos)
        << last_line();
    wall_clock_set_unknown(fake_now, "pl031 rejected: NotSet");
    wall_clock_log();
    EXPECT_NE(last_line().find("clock: no real-time clock (pl031 rejected: NotSet): the wall clock counts from "
                               "1970-01-01 at boot"),
              std::string::npos)
        << last_line();
}
