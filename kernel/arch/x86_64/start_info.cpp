#include "arch/x86_64/start_info.hpp"

#include "base/checked.hpp"

namespace mote::x86 {

namespace {

u32 load32(const u8* p) { return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24; }
u64 load64(const u8* p) { return u64(load32(p)) | u64(load32(p + 4)) << 32; }

// struct hvm_start_info: offsets of the fields we use.
constexpr usize kMagic = 0, kVersion = 4, kModules = 12, kModlist = 16, kCmdline = 24, kRsdp = 32;
constexpr usize kMemmap = 40, kMemmapEntries = 48;
constexpr usize kSizeV0 = 40, kSizeV1 = 56;
constexpr usize kEntrySize = 24;   // struct hvm_memmap_table_entry: addr, size, type, reserved
constexpr usize kModuleSize = 32;  // struct hvm_modlist_entry: paddr, size, cmdline_paddr, reserved

}  // namespace

Result<void> read_start_info(u64 phys, PhysReader reader, BootInfo& out) {
    ReadonlyBytes head = reader(phys, kSizeV0);
    if (head.size() < kSizeV0 || load32(head.data() + kMagic) != kStartInfoMagic) return Error::Malformed;
    out.version = load32(head.data() + kVersion);
    out.rsdp_phys = load64(head.data() + kRsdp);

    u64 cmdline = load64(head.data() + kCmdline);
    out.command_line[0] = 0;
    if (cmdline) {
        // Read byte by byte up to the bound: the string may end right
        // before unreadable memory.
        usize n = 0;
        for (; n + 1 < BootInfo::kMaxCommandLine; ++n) {
            auto at = checked_add(cmdline, u64(n));
            if (at.is_error()) break;
            ReadonlyBytes c = reader(at.value(), 1);
            if (c.size() != 1 || c[0] == 0) break;
            out.command_line[n] = char(c[0]);
        }
        out.command_line[n] = 0;
        out.command_line_truncated = n + 1 == BootInfo::kMaxCommandLine;
    }

    out.module_count = load32(head.data() + kModules);
    out.has_initramfs = false;
    out.initramfs_phys = out.initramfs_size = 0;
    if (out.module_count > 0) {
        ReadonlyBytes module = reader(load64(head.data() + kModlist), kModuleSize);
        if (module.size() < kModuleSize) return Error::Malformed;
        u64 base = load64(module.data());
        u64 size = load64(module.data() + 8);
        if (size > 0 && checked_add(base, size).ok()) {
            out.has_initramfs = true;
            out.initramfs_phys = base;
            out.initramfs_size = size;
        }
    }

    out.memmap_count = 0;
    if (out.version >= 1) {
        ReadonlyBytes v1 = reader(phys, kSizeV1);
        if (v1.size() < kSizeV1) return Error::Malformed;
        u64 table = load64(v1.data() + kMemmap);
        u32 entries = load32(v1.data() + kMemmapEntries);
        for (u32 i = 0; i < entries; ++i) {
            u64 offset = TRY(checked_mul(u64(i), u64(kEntrySize)));
            u64 at = TRY(checked_add(table, offset));
            ReadonlyBytes e = reader(at, kEntrySize);
            if (e.size() < kEntrySize) return Error::Malformed;
            if (load64(e.data() + 8) == 0) continue;  // an empty entry says nothing
            if (out.memmap_count == BootInfo::kMaxEntries) {
                ++out.memmap_dropped;
                continue;
            }
            out.memmap[out.memmap_count++] = {load64(e.data()), load64(e.data() + 8), load32(e.data() + 16)};
        }
    }
    return {};
}

}  // namespace mote::x86
