// ACPI tables (ACPI Specification 6.5, chapter 5.2), as far as a small
// kernel needs them: find the tables from the RSDP, validate each one, and
// decode the MADT (interrupt controllers), the MCFG (PCI ECAM), the FADT
// (power off, reset, the PM timer), the HPET table, and the \_S5 sleep type
// from the DSDT's AML.
//
// Everything here is untrusted input and is decoded before use: every table
// is checked for a sane length and a zero checksum before any field is
// read, every sub-structure for fitting inside its table. A bad table is
// skipped with a named AcpiFault (Tables::skipped() lists them for the boot
// log); a decoder given bad bytes returns Error::Malformed. Nothing reads
// outside the bytes it was given, so a malformed table can never crash.
//
// The parser never touches physical memory itself: it asks a Memory for
// bytes at a physical address, which the kernel maps and the host tests
// fake with a buffer.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::acpi {

enum class AcpiFault : u8 {
    None,
    TruncatedRsdp,         // fewer bytes than the RSDP needs
    BadRsdpSignature,      // not "RSD PTR "
    BadRsdpChecksum,       // the first 20 bytes do not sum to zero
    BadRsdpLength,         // revision >= 2 with a length below 36
    BadRsdpExtendedChecksum,  // the whole (revision >= 2) RSDP does not sum to zero
    NoRootTable,           // neither an XSDT nor an RSDT address
    Unreadable,            // a table's address cannot be read (or wraps)
    TruncatedTable,        // the header's length is below 36 or past the readable bytes
    TooLarge,              // a table claims more than kMaxTableBytes
    BadChecksum,           // the table's bytes do not sum to zero
    BadSignature,          // the root table is not an XSDT/RSDT
    BadRootLength,         // the root table's entries are not whole pointers
    TooManyTables,         // more tables than Tables can hold
    BadStructure,          // a decoder found a field or sub-structure that does not fit
};
inline constexpr usize kAcpiFaultCount = 15;
static_assert(usize(AcpiFault::BadStructure) + 1 == kAcpiFaultCount, "update kAcpiFaultCount and acpi_fault_name");
const char* acpi_fault_name(AcpiFault fault);

inline constexpr usize kHeaderSize = 36;
inline constexpr u32 kMaxTableBytes = 4 << 20;

// Physical memory as the parser sees it: `length` bytes at `phys`, or an
// empty span if they cannot all be read.
class Memory {
public:
    virtual ReadonlyBytes read(u64 phys, usize length) = 0;

protected:
    ~Memory() = default;
};

struct Rsdp {
    u8 revision = 0;
    u32 rsdt = 0;
    u64 xsdt = 0;  // only when revision >= 2
    char oem_id[7] = {};
};
// Decodes an RSDP (5.2.5.3): signature, checksum, and for revision >= 2
// the length and extended checksum. `bytes` may be longer than the RSDP.
Result<Rsdp> parse_rsdp(ReadonlyBytes bytes, AcpiFault* fault = nullptr);
// Where in a legacy BIOS area (the EBDA's first KiB, 0xe0000..0xfffff) a
// valid RSDP starts, on a 16-byte boundary (5.2.5.1); NotFound if nowhere.
Result<usize> scan_for_rsdp(ReadonlyBytes area);

// Checks a whole table in place: the header's length fits `bytes` and is at
// least a header, and the checksum is zero. Returns the table's bytes.
Result<ReadonlyBytes> validate_table(ReadonlyBytes bytes, AcpiFault* fault = nullptr);

struct Table {
    char signature[5] = {};
    u64 phys = 0;
    ReadonlyBytes bytes;  // the whole validated table
    u8 revision = 0;
};

struct Skipped {
    u64 phys = 0;
    char signature[5] = {};  // "" when the header could not be read
    AcpiFault fault = AcpiFault::None;
};

class Tables {
public:
    static constexpr usize kMaxTables = 32;
    static constexpr usize kMaxSkipped = 8;

    // Reads the RSDP at `rsdp_phys`, then the XSDT when the revision is 2
    // or later and it has one (QEMU's microvm gives no RSDT at all), the RSDT
    // otherwise, then every table the root lists. Tables that fail
    // validation are skipped and listed in skipped(); the DSDT (from the
    // FADT) is loaded the same way. Fails only if the RSDP or the root table
    // is unusable (`fault` says why).
    Result<void> load(Memory& memory, u64 rsdp_phys, AcpiFault* fault = nullptr);

    // The nth valid table with this signature ("APIC", "FACP", "DSDT", ...).
    Result<Table> find(StringView signature, usize nth = 0) const;

    const Rsdp& rsdp() const { return m_rsdp; }
    bool uses_xsdt() const { return m_uses_xsdt; }
    Span<const Table> tables() const { return Span<const Table>(m_tables, m_count); }
    Span<const Skipped> skipped() const { return Span<const Skipped>(m_skipped, m_skipped_count); }
    usize skipped_total() const { return m_skipped_total; }

private:
    void add(Memory& memory, u64 phys, const char* expected);
    void skip(u64 phys, const u8* signature, AcpiFault fault);

    Rsdp m_rsdp;
    bool m_uses_xsdt = false;
    Table m_tables[kMaxTables];
    usize m_count = 0;
    Skipped m_skipped[kMaxSkipped];
    usize m_skipped_count = 0;
    usize m_skipped_total = 0;
};

// Generic Address Structure (5.2.3.2).
struct Gas {
    enum Space : u8 { Memory = 0, Io = 1 };
    u8 space = 0;
    u8 bit_width = 0;
    u8 bit_offset = 0;
    u8 access_size = 0;
    u64 address = 0;

    bool present() const { return address != 0; }
};

// MADT (5.2.12): the interrupt controllers.
struct Madt {
    static constexpr usize kMaxIoApics = 4;
    static constexpr usize kMaxOverrides = 16;
    static constexpr usize kMaxCpus = 16;

    struct IoApic {
        u8 id;
        u32 address;
        u32 gsi_base;
    };
    // An ISA IRQ wired to another GSI, or with other polarity/trigger
    // (5.2.12.5). flags: MPS INTI flags (table 5.26).
    struct Override {
        u8 source;
        u32 gsi;
        u16 flags;
        bool active_low() const { return (flags & 3) == 3; }
        bool level() const { return ((flags >> 2) & 3) == 3; }
    };

    u64 local_apic = 0;  // the 32-bit field, or the 64-bit override (type 5)
    bool pcat_compat = false;  // dual 8259s are present (and must be masked)
    u8 cpu_apic_ids[kMaxCpus] = {};
    usize cpu_count = 0;
    IoApic io_apics[kMaxIoApics] = {};
    usize io_apic_count = 0;
    Override overrides[kMaxOverrides] = {};
    usize override_count = 0;
    usize dropped = 0;  // entries beyond the bounds above

    // The GSI and flags for ISA IRQ `irq`: its override, else identity,
    // edge-triggered, active high (ISA defaults).
    Override isa_irq(u8 irq) const;

    // Where a PCI interrupt arrives that PC firmware routed to ISA IRQ
    // `line` (the function's Interrupt Line register): the override's GSI,
    // trigger and polarity; a flag that "conforms to the bus" (00) takes
    // PCI's convention, level-triggered and active low (PCI local bus spec
    // 2.2.6). NotFound for 0xff ("unknown / no connection", PCI 6.2.4) or
    // anything that is not an ISA IRQ (> 15); Malformed for an override
    // with a reserved polarity or trigger encoding (10b).
    struct Route {
        u32 gsi = 0;
        bool level = true;
        bool active_low = true;
    };
    Result<Route> pci_irq(u8 line) const;
};
Result<Madt> parse_madt(const Table& table);

// MCFG (PCI Firmware Specification 3.2, 4.1.2): ECAM windows.
struct Mcfg {
    static constexpr usize kMaxRegions = 4;
    struct Region {
        u64 base;
        u16 segment;
        u8 bus_start;
        u8 bus_end;
    };
    Region regions[kMaxRegions] = {};
    usize count = 0;
};
Result<Mcfg> parse_mcfg(const Table& table);

// FADT (5.2.9), the fields Mote uses. The 64-bit X_ fields win over the
// 32-bit ones when both are present (5.2.9, table 5.9 notes).
struct Fadt {
    u64 dsdt = 0;
    u16 sci_interrupt = 0;
    Gas pm1a_control;
    Gas pm1b_control;
    Gas pm_timer;
    bool pm_timer_32bit = false;  // TMR_VAL_EXT
    Gas reset_register;
    u8 reset_value = 0;
    bool reset_supported = false;  // RESET_REG_SUP
    bool hardware_reduced = false; // HW_REDUCED_ACPI: no PM1 blocks, sleep registers instead
    Gas sleep_control;             // ACPI 5.0+, for hardware-reduced platforms
    Gas sleep_status;
    u16 boot_architecture = 0;     // IAPC_BOOT_ARCH
    u8 century = 0;                // CENTURY: the CMOS RAM index of the RTC's century byte; 0 if none
    bool has_8042() const { return boot_architecture & 2; }
    // IAPC_BOOT_ARCH bit 5 (ACPI 5.0+): "CMOS RTC not present".
    bool has_cmos_rtc() const { return !(boot_architecture & (1u << 5)); }
};
Result<Fadt> parse_fadt(const Table& table);

// HPET description table (IA-PC HPET specification 1.0a, 3.2.4).
struct HpetInfo {
    u64 base = 0;
    u8 number = 0;
};
Result<HpetInfo> parse_hpet(const Table& table);

// The \_S5 sleep type values (7.4.2, "\_Sx System States") from the DSDT's
// AML: the package `Name (_S5, Package () { SLP_TYPa, SLP_TYPb, ... })`.
// Only that one object is decoded, by finding its NameOp and reading the
// package that follows; NotFound if the DSDT has no such object, Malformed
// if it is not a package of integers.
struct SleepType {
    u8 a = 0;
    u8 b = 0;
};
Result<SleepType> find_s5(const Table& dsdt);

// Memory-mapped devices the DSDT names by _HID, each with a _CRS holding a
// Memory32Fixed range and an Extended Interrupt (6.4.3.4 and 6.4.3.6): how
// QEMU's microvm describes its virtio-mmio slots (_HID "LNRO0005"). Only
// `Name (_HID, "...")` followed, before the next _HID, by `Name (_CRS,
// Buffer)` is understood; that is all QEMU emits. Devices whose resources
// do not decode are counted in `bad`, not returned.
struct MmioDevice {
    u64 base = 0;
    u32 size = 0;
    u32 gsi = 0;
    bool level = false;
    bool active_low = false;
};
struct MmioDevices {
    static constexpr usize kMax = 32;
    MmioDevice devices[kMax] = {};
    usize count = 0;
    usize bad = 0;
    usize dropped = 0;  // beyond kMax
};
MmioDevices find_mmio_devices(const Table& dsdt, StringView hid);

// What the kernel needs to power off and reset, assembled from the FADT
// and \_S5 (ACPI 7.4.2 and 4.8.3.2.1 for PM1 control; 4.8.3.7 and 4.8.3.8
// for the hardware-reduced sleep registers; 4.8.3.6 for the reset register).
struct PowerControl {
    Gas pm1a_control;
    Gas pm1b_control;
    Gas sleep_control;
    SleepType s5;
    bool s5_known = false;
    Gas reset_register;
    u8 reset_value = 0;
    bool has_8042 = false;
};
PowerControl power_control(const Fadt& fadt, Result<SleepType> s5);

}  // namespace mote::acpi
