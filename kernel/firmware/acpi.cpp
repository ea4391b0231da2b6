#include "firmware/acpi.hpp"

#include "base/checked.hpp"

namespace mote::acpi {

namespace {

u16 load16(const u8* p) { return u16(p[0] | p[1] << 8); }
u32 load32(const u8* p) { return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24; }
u64 load64(const u8* p) { return u64(load32(p)) | u64(load32(p + 4)) << 32; }

u8 sum(ReadonlyBytes bytes) {
    u8 s = 0;
    for (u8 b : bytes) s = u8(s + b);
    return s;
}

bool same(const u8* bytes, const char* text, usize n) {
    for (usize i = 0; i < n; ++i)
        if (bytes[i] != u8(text[i])) return false;
    return true;
}

template <typename T>
Result<T> fail(AcpiFault* out, AcpiFault fault) {
    if (out) *out = fault;
    return Error::Malformed;
}

void copy_signature(char (&out)[5], const u8* signature) {
    for (usize i = 0; i < 4; ++i) {
        u8 c = signature ? signature[i] : 0;
        // Printable only: the signature ends up in log lines.
        out[i] = signature ? ((c >= 0x20 && c < 0x7f) ? char(c) : '?') : 0;
    }
    out[4] = 0;
}

// A field of `size` bytes at `offset`, if the table is long enough for it.
bool has(const Table& table, usize offset, usize size) { return offset + size <= table.bytes.size(); }

Gas read_gas(const u8* p) { return {p[0], p[1], p[2], p[3], load64(p + 4)}; }

}  // namespace

const char* acpi_fault_name(AcpiFault fault) {
    switch (fault) {
    case AcpiFault::None: return "None";
    case AcpiFault::TruncatedRsdp: return "TruncatedRsdp";
    case AcpiFault::BadRsdpSignature: return "BadRsdpSignature";
    case AcpiFault::BadRsdpChecksum: return "BadRsdpChecksum";
    case AcpiFault::BadRsdpLength: return "BadRsdpLength";
    case AcpiFault::BadRsdpExtendedChecksum: return "BadRsdpExtendedChecksum";
    case AcpiFault::NoRootTable: return "NoRootTable";
    case AcpiFault::Unreadable: return "Unreadable";
    case AcpiFault::TruncatedTable: return "TruncatedTable";
    case AcpiFault::TooLarge: return "TooLarge";
    case AcpiFault::BadChecksum: return "BadChecksum";
    case AcpiFault::BadSignature: return "BadSignature";
    case AcpiFault::BadRootLength: return "BadRootLength";
    case AcpiFault::TooManyTables: return "TooManyTables";
    case AcpiFault::BadStructure: return "BadStructure";
    }
    return "Unknown";
}

// 5.2.5.3: bytes 0-7 "RSD PTR ", 8 checksum (of bytes 0-19), 9-14 OEM ID,
// 15 revision, 16-19 RSDT address; revision >= 2 adds 20-23 length, 24-31
// XSDT address, 32 extended checksum (of the whole length).
Result<Rsdp> parse_rsdp(ReadonlyBytes bytes, AcpiFault* fault) {
    if (bytes.size() < 20) return fail<Rsdp>(fault, AcpiFault::TruncatedRsdp);
    if (!same(bytes.data(), "RSD PTR ", 8)) return fail<Rsdp>(fault, AcpiFault::BadRsdpSignature);
    if (sum(bytes.first(20)) != 0) return fail<Rsdp>(fault, AcpiFault::BadRsdpChecksum);
    Rsdp rsdp;
    rsdp.revision = bytes[15];
    rsdp.rsdt = load32(bytes.data() + 16);
    for (usize i = 0; i < 6; ++i) rsdp.oem_id[i] = (bytes[9 + i] >= 0x20 && bytes[9 + i] < 0x7f) ? char(bytes[9 + i]) : '?';
    if (rsdp.revision >= 2) {
        if (bytes.size() < 36) return fail<Rsdp>(fault, AcpiFault::TruncatedRsdp);
        u32 length = load32(bytes.data() + 20);
        if (length < 36) return fail<Rsdp>(fault, AcpiFault::BadRsdpLength);
        if (length > bytes.size()) return fail<Rsdp>(fault, AcpiFault::TruncatedRsdp);
        if (sum(bytes.first(length)) != 0) return fail<Rsdp>(fault, AcpiFault::BadRsdpExtendedChecksum);
        rsdp.xsdt = load64(bytes.data() + 24);
    }
    if (fault) *fault = AcpiFault::None;
    return rsdp;
}

Result<usize> scan_for_rsdp(ReadonlyBytes area) {
    for (usize at = 0; at + 20 <= area.size(); at += 16) {
        if (!same(area.data() + at, "RSD PTR ", 8)) continue;
        if (parse_rsdp(area.slice(at)).ok()) return at;
    }
    return Error::NotFound;
}

Result<ReadonlyBytes> validate_table(ReadonlyBytes bytes, AcpiFault* fault) {
    if (bytes.size() < kHeaderSize) return fail<ReadonlyBytes>(fault, AcpiFault::TruncatedTable);
    u32 length = load32(bytes.data() + 4);
    if (length < kHeaderSize || length > bytes.size()) return fail<ReadonlyBytes>(fault, AcpiFault::TruncatedTable);
    ReadonlyBytes table = bytes.first(length);
    if (sum(table) != 0) return fail<ReadonlyBytes>(fault, AcpiFault::BadChecksum);
    if (fault) *fault = AcpiFault::None;
    return table;
}

namespace {

// Reads and validates the table at `phys`: header first (for the length),
// then the whole table.
Result<ReadonlyBytes> read_table(Memory& memory, u64 phys, AcpiFault& fault, const u8*& signature) {
    signature = nullptr;
    if (phys == 0 || checked_add(phys, u64(kHeaderSize)).is_error()) return fail<ReadonlyBytes>(&fault, AcpiFault::Unreadable);
    ReadonlyBytes header = memory.read(phys, kHeaderSize);
    if (header.size() < kHeaderSize) return fail<ReadonlyBytes>(&fault, AcpiFault::Unreadable);
    signature = header.data();
    u32 length = load32(header.data() + 4);
    if (length < kHeaderSize) return fail<ReadonlyBytes>(&fault, AcpiFault::TruncatedTable);
    if (length > kMaxTableBytes) return fail<ReadonlyBytes>(&fault, AcpiFault::TooLarge);
    if (checked_add(phys, u64(length)).is_error()) return fail<ReadonlyBytes>(&fault, AcpiFault::Unreadable);
    ReadonlyBytes whole = memory.read(phys, length);
    if (whole.size() < length) return fail<ReadonlyBytes>(&fault, AcpiFault::TruncatedTable);
    signature = whole.data();
    return validate_table(whole, &fault);
}

}  // namespace

void Tables::skip(u64 phys, const u8* signature, AcpiFault fault) {
    ++m_skipped_total;
    if (m_skipped_count == kMaxSkipped) return;
    Skipped& s = m_skipped[m_skipped_count++];
    s.phys = phys;
    copy_signature(s.signature, signature);
    s.fault = fault;
}

void Tables::add(Memory& memory, u64 phys, const char* expected) {
    AcpiFault fault = AcpiFault::None;
    const u8* signature = nullptr;
    auto bytes = read_table(memory, phys, fault, signature);
    if (bytes.is_error()) {
        skip(phys, signature, fault);
        return;
    }
    if (expected && !same(bytes.value().data(), expected, 4)) {
        skip(phys, signature, AcpiFault::BadSignature);
        return;
    }
    for (usize i = 0; i < m_count; ++i)
        if (m_tables[i].phys == phys) return;  // listed twice: once is enough
    if (m_count == kMaxTables) {
        skip(phys, signature, AcpiFault::TooManyTables);
        return;
    }
    Table& t = m_tables[m_count++];
    copy_signature(t.signature, bytes.value().data());
    t.phys = phys;
    t.bytes = bytes.value();
    t.revision = bytes.value()[8];
}

Result<void> Tables::load(Memory& memory, u64 rsdp_phys, AcpiFault* fault) {
    m_count = m_skipped_count = m_skipped_total = 0;
    if (rsdp_phys == 0) return fail<void>(fault, AcpiFault::Unreadable);
    // The v1 part first: a revision-0 RSDP may sit right before unreadable memory.
    ReadonlyBytes head = memory.read(rsdp_phys, 20);
    if (head.size() < 20) return fail<void>(fault, AcpiFault::Unreadable);
    ReadonlyBytes whole = head;
    if (head[15] >= 2) {
        whole = memory.read(rsdp_phys, 36);
        if (whole.size() < 36) return fail<void>(fault, AcpiFault::TruncatedRsdp);
    }
    AcpiFault f = AcpiFault::None;
    auto rsdp = parse_rsdp(whole, &f);
    if (rsdp.is_error()) return fail<void>(fault, f);
    m_rsdp = rsdp.value();

    // 5.2.5.3: "platforms provide the XSDT"; an OS uses it over the RSDT
    // when the revision says it exists.
    m_uses_xsdt = m_rsdp.revision >= 2 && m_rsdp.xsdt != 0;
    u64 root_phys = m_uses_xsdt ? m_rsdp.xsdt : m_rsdp.rsdt;
    if (root_phys == 0) return fail<void>(fault, AcpiFault::NoRootTable);
    const u8* signature = nullptr;
    auto root = read_table(memory, root_phys, f, signature);
    if (root.is_error()) return fail<void>(fault, f);
    if (!same(root.value().data(), m_uses_xsdt ? "XSDT" : "RSDT", 4)) return fail<void>(fault, AcpiFault::BadSignature);
    usize entry_size = m_uses_xsdt ? 8 : 4;
    usize entries_bytes = root.value().size() - kHeaderSize;
    if (entries_bytes % entry_size) return fail<void>(fault, AcpiFault::BadRootLength);
    add(memory, root_phys, nullptr);

    for (usize at = kHeaderSize; at < root.value().size(); at += entry_size) {
        const u8* p = root.value().data() + at;
        add(memory, m_uses_xsdt ? load64(p) : load32(p), nullptr);
    }
    // The DSDT is not in the root table; the FADT points at it.
    if (auto facp = find("FACP"); facp.ok()) {
        if (auto fadt = parse_fadt(facp.value()); fadt.ok() && fadt.value().dsdt) add(memory, fadt.value().dsdt, "DSDT");
    }
    if (fault) *fault = AcpiFault::None;
    return {};
}

Result<Table> Tables::find(StringView signature, usize nth) const {
    if (signature.length() != 4) return Error::InvalidArgument;
    for (usize i = 0; i < m_count; ++i) {
        if (!(StringView(m_tables[i].signature, 4) == signature)) continue;
        if (nth-- == 0) return m_tables[i];
    }
    return Error::NotFound;
}

Madt::Override Madt::isa_irq(u8 irq) const {
    for (usize i = 0; i < override_count; ++i)
        if (overrides[i].source == irq) return overrides[i];
    return {irq, irq, 0};
}

// MPS INTI flags (table 5.26): polarity in bits 1:0 and trigger mode in
// bits 3:2, each 00 = conforms to the bus, 01 = high / edge, 11 = low /
// level, 10 = reserved.
Result<Madt::Route> Madt::pci_irq(u8 line) const {
    if (line > 15) return Error::NotFound;
    Override o = isa_irq(line);
    u16 polarity = o.flags & 3, trigger = (o.flags >> 2) & 3;
    if (polarity == 2 || trigger == 2) return Error::Malformed;
    Route route {o.gsi, true, true};
    if (polarity == 1) route.active_low = false;
    if (trigger == 1) route.level = false;
    return route;
}

// 5.2.12: header, local APIC address (4), flags (4), then entries of
// {type, length, ...}; each entry must fit the table and its type's size.
Result<Madt> parse_madt(const Table& table) {
    ReadonlyBytes b = table.bytes;
    if (b.size() < kHeaderSize + 8) return Error::Malformed;
    Madt madt;
    madt.local_apic = load32(b.data() + 36);
    madt.pcat_compat = load32(b.data() + 40) & 1;
    for (usize at = kHeaderSize + 8; at < b.size();) {
        if (b.size() - at < 2) return Error::Malformed;
        u8 type = b[at];
        u8 length = b[at + 1];
        if (length < 2 || length > b.size() - at) return Error::Malformed;
        const u8* e = b.data() + at;
        switch (type) {
        case 0:  // Processor Local APIC (5.2.12.2)
            if (length < 8) return Error::Malformed;
            if (load32(e + 4) & 3) {  // enabled, or online capable
                if (madt.cpu_count < Madt::kMaxCpus) madt.cpu_apic_ids[madt.cpu_count++] = e[3];
                else ++madt.dropped;
            }
            break;
        case 1:  // I/O APIC (5.2.12.3)
            if (length < 12) return Error::Malformed;
            if (madt.io_apic_count < Madt::kMaxIoApics) madt.io_apics[madt.io_apic_count++] = {e[2], load32(e + 4), load32(e + 8)};
            else ++madt.dropped;
            break;
        case 2:  // Interrupt Source Override (5.2.12.5), bus 0 = ISA
            if (length < 10) return Error::Malformed;
            if (e[2] != 0) break;
            if (madt.override_count < Madt::kMaxOverrides) madt.overrides[madt.override_count++] = {e[3], load32(e + 4), load16(e + 8)};
            else ++madt.dropped;
            break;
        case 5:  // Local APIC Address Override (5.2.12.8)
            if (length < 12) return Error::Malformed;
            madt.local_apic = load64(e + 4);
            break;
        default: break;  // NMI sources, x2APIC, ...: not used
        }
        at += length;
    }
    return madt;
}

// PCI Firmware spec 4.1.2: header, 8 reserved bytes, then 16-byte entries.
Result<Mcfg> parse_mcfg(const Table& table) {
    ReadonlyBytes b = table.bytes;
    if (b.size() < kHeaderSize + 8 || (b.size() - kHeaderSize - 8) % 16) return Error::Malformed;
    Mcfg mcfg;
    for (usize at = kHeaderSize + 8; at < b.size(); at += 16) {
        Mcfg::Region r {load64(b.data() + at), load16(b.data() + at + 8), b[at + 10], b[at + 11]};
        if (r.bus_start > r.bus_end || r.base == 0 || (r.base & 0xfffff)) return Error::Malformed;
        // The window must not wrap: (buses) x 1 MiB from base.
        u64 size = (u64(r.bus_end) + 1) << 20;
        if (checked_add(r.base, size).is_error()) return Error::Malformed;
        if (mcfg.count < Mcfg::kMaxRegions) mcfg.regions[mcfg.count++] = r;
    }
    return mcfg;
}

// 5.2.9, table 5.9: byte offsets of the fields read here.
Result<Fadt> parse_fadt(const Table& table) {
    ReadonlyBytes b = table.bytes;
    // The ACPI 1.0 FADT (116 bytes) is the shortest that has everything
    // up to the flags.
    if (b.size() < 116) return Error::Malformed;
    const u8* p = b.data();
    Fadt f;
    f.dsdt = load32(p + 40);
    f.sci_interrupt = load16(p + 46);
    u32 pm1a = load32(p + 64), pm1b = load32(p + 68), pm_tmr = load32(p + 76);
    u8 pm1_cnt_len = p[89], pm_tmr_len = p[91];
    if (pm1a) f.pm1a_control = {Gas::Io, u8(pm1_cnt_len * 8), 0, 2, pm1a};
    if (pm1b) f.pm1b_control = {Gas::Io, u8(pm1_cnt_len * 8), 0, 2, pm1b};
    if (pm_tmr && pm_tmr_len == 4) f.pm_timer = {Gas::Io, 32, 0, 3, pm_tmr};
    f.century = p[108];
    f.boot_architecture = load16(p + 109);
    u32 flags = load32(p + 112);
    f.pm_timer_32bit = flags & (1u << 8);
    f.reset_supported = flags & (1u << 10);
    f.hardware_reduced = flags & (1u << 20);
    if (has(table, 116, 13)) {
        f.reset_register = read_gas(p + 116);
        f.reset_value = p[128];
    }
    if (has(table, 140, 8) && load64(p + 140)) f.dsdt = load64(p + 140);
    if (has(table, 172, 12) && read_gas(p + 172).present()) f.pm1a_control = read_gas(p + 172);
    if (has(table, 184, 12) && read_gas(p + 184).present()) f.pm1b_control = read_gas(p + 184);
    if (has(table, 208, 12) && read_gas(p + 208).present()) f.pm_timer = read_gas(p + 208);
    if (has(table, 244, 12)) f.sleep_control = read_gas(p + 244);
    if (has(table, 256, 12)) f.sleep_status = read_gas(p + 256);
    if (!f.reset_supported) f.reset_register = {};
    // Only I/O and memory spaces are usable here.
    Gas* all[] = {&f.pm1a_control, &f.pm1b_control, &f.pm_timer, &f.reset_register, &f.sleep_control, &f.sleep_status};
    for (Gas* g : all) {
        if (g->space != Gas::Io && g->space != Gas::Memory) *g = {};
        if (g->space == Gas::Io && g->address > 0xffff) *g = {};
    }
    return f;
}

Result<HpetInfo> parse_hpet(const Table& table) {
    ReadonlyBytes b = table.bytes;
    if (b.size() < 56) return Error::Malformed;
    Gas base = read_gas(b.data() + 40);
    if (base.space != Gas::Memory || base.address == 0 || (base.address & 0x3ff)) return Error::Malformed;
    return HpetInfo {base.address, b[52]};
}

namespace {

// AML integer data objects (ACPI 20.2.3): Zero, One, Ones, or a prefixed
// constant. Advances `at`; false if it is not one or does not fit.
bool read_aml_integer(ReadonlyBytes b, usize& at, usize end, u64& value) {
    if (at >= end) return false;
    u8 op = b[at++];
    usize size = 0;
    switch (op) {
    case 0x00: value = 0; return true;            // ZeroOp
    case 0x01: value = 1; return true;            // OneOp
    case 0xff: value = ~u64(0); return true;      // OnesOp
    case 0x0a: size = 1; break;                   // BytePrefix
    case 0x0b: size = 2; break;                   // WordPrefix
    case 0x0c: size = 4; break;                   // DWordPrefix
    case 0x0e: size = 8; break;                   // QWordPrefix
    default: return false;
    }
    if (end - at < size) return false;
    value = 0;
    for (usize i = 0; i < size; ++i) value |= u64(b[at + i]) << (8 * i);
    at += size;
    return true;
}

}  // namespace

// DefName := NameOp NameString DataRefObject, here with NameString "_S5_"
// (optionally "\_S5_") and DefPackage := PackageOp PkgLength NumElements
// PackageElementList (20.2.5.4). PkgLength (20.2.4): the lead byte's top two
// bits count the bytes that follow; with none, its low six bits are the
// length, else its low four bits are the lowest nibble.
Result<SleepType> find_s5(const Table& dsdt) {
    ReadonlyBytes b = dsdt.bytes;
    if (b.size() < kHeaderSize) return Error::Malformed;
    for (usize i = kHeaderSize; i + 4 <= b.size(); ++i) {
        if (!same(b.data() + i, "_S5_", 4)) continue;
        bool named = (i >= 1 && b[i - 1] == 0x08) || (i >= 2 && b[i - 1] == '\\' && b[i - 2] == 0x08);
        if (!named) continue;
        usize at = i + 4;
        if (at >= b.size() || b[at] != 0x12) return Error::Malformed;  // PackageOp
        usize start = ++at;
        if (at >= b.size()) return Error::Malformed;
        u8 lead = b[at++];
        usize follow = lead >> 6;
        u64 length = follow ? (lead & 0x0f) : (lead & 0x3f);
        if (b.size() - at < follow) return Error::Malformed;
        for (usize k = 0; k < follow; ++k) length |= u64(b[at++]) << (4 + 8 * k);
        // PkgLength counts itself and the package's contents.
        if (length > b.size() - start) return Error::Malformed;
        usize end = start + usize(length);
        if (at >= end) return Error::Malformed;
        u8 elements = b[at++];
        if (elements == 0) return Error::Malformed;
        u64 a = 0, second = 0;
        if (!read_aml_integer(b, at, end, a)) return Error::Malformed;
        // SLP_TYPb is optional in practice; use SLP_TYPa for both if absent.
        second = a;
        if (elements >= 2 && !read_aml_integer(b, at, end, second)) return Error::Malformed;
        return SleepType {u8(a & 7), u8(second & 7)};
    }
    return Error::NotFound;
}

namespace {

// PkgLength at b[at] (20.2.4); the length counts its own bytes. Advances
// `at` past it; false if it does not fit the table.
bool read_pkg_length(ReadonlyBytes b, usize& at, u64& length) {
    if (at >= b.size()) return false;
    u8 lead = b[at++];
    usize follow = lead >> 6;
    length = follow ? (lead & 0x0f) : (lead & 0x3f);
    if (b.size() - at < follow) return false;
    for (usize k = 0; k < follow; ++k) length |= u64(b[at++]) << (4 + 8 * k);
    return true;
}

// Decodes a resource template (6.4): small items have their length in the
// tag's low 3 bits, large items a 16-bit length after the tag; End Tag 0x79.
bool decode_resources(ReadonlyBytes r, MmioDevice& out) {
    bool memory = false, irq = false;
    for (usize at = 0; at < r.size();) {
        u8 tag = r[at];
        if (!(tag & 0x80)) {
            usize length = tag & 7;
            if (((tag >> 3) & 0x0f) == 0x0f) break;  // End Tag
            if (r.size() - at - 1 < length) return false;
            at += 1 + length;
            continue;
        }
        if (r.size() - at < 3) return false;
        usize length = r[at + 1] | r[at + 2] << 8;
        if (r.size() - at - 3 < length) return false;
        const u8* body = r.data() + at + 3;
        if (tag == 0x86 && length >= 9) {  // 32-bit Fixed Memory Range
            out.base = load32(body + 1);
            out.size = load32(body + 5);
            memory = out.size != 0;
        } else if (tag == 0x89 && length >= 6 && body[1] >= 1) {  // Extended Interrupt
            // Flags: bit 1 = edge (else level), bit 2 = active low.
            out.level = !(body[0] & 2);
            out.active_low = body[0] & 4;
            out.gsi = load32(body + 2);
            irq = true;
        }
        at += 3 + length;
    }
    return memory && irq;
}

bool name_at(ReadonlyBytes b, usize i, const char* name) {
    return i >= 1 && b[i - 1] == 0x08 && i + 4 <= b.size() && same(b.data() + i, name, 4);
}

}  // namespace

MmioDevices find_mmio_devices(const Table& dsdt, StringView hid) {
    MmioDevices found;
    ReadonlyBytes b = dsdt.bytes;
    usize i = kHeaderSize;
    while (i + 4 <= b.size()) {
        // Name (_HID, "<hid>"): NameOp "_HID" StringPrefix chars NUL.
        if (!name_at(b, i, "_HID")) {
            ++i;
            continue;
        }
        usize at = i + 4;
        i = at;
        if (at >= b.size() || b[at] != 0x0d || b.size() - at - 1 < hid.length() + 1) continue;
        if (!same(b.data() + at + 1, hid.data(), hid.length()) || b[at + 1 + hid.length()] != 0) continue;
        // The first _CRS before the next _HID.
        usize crs = 0;
        for (usize k = at + 1 + hid.length(); k + 4 <= b.size(); ++k) {
            if (name_at(b, k, "_HID")) break;
            if (name_at(b, k, "_CRS")) {
                crs = k + 4;
                break;
            }
        }
        MmioDevice device;
        bool ok = false;
        // DefBuffer := BufferOp PkgLength BufferSize ByteList (20.2.5.4).
        if (crs && crs < b.size() && b[crs] == 0x11) {
            usize p = crs + 1;
            u64 length = 0, size = 0;
            if (read_pkg_length(b, p, length) && length <= b.size() - (crs + 1)) {
                usize end = crs + 1 + usize(length);
                if (read_aml_integer(b, p, end, size) && size <= end - p)
                    ok = decode_resources(b.slice(p, usize(size)), device);
            }
        }
        if (!ok) {
            ++found.bad;
            continue;
        }
        if (found.count == MmioDevices::kMax) ++found.dropped;
        else found.devices[found.count++] = device;
    }
    return found;
}

PowerControl power_control(const Fadt& fadt, Result<SleepType> s5) {
    PowerControl p;
    p.pm1a_control = fadt.pm1a_control;
    p.pm1b_control = fadt.pm1b_control;
    p.sleep_control = fadt.sleep_control;
    p.s5_known = s5.ok();
    if (s5.ok()) p.s5 = s5.value();
    p.reset_register = fadt.reset_register;
    p.reset_value = fadt.reset_value;
    p.has_8042 = fadt.has_8042();
    return p;
}

}  // namespace mote::acpi
