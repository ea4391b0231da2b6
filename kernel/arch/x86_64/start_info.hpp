// The PVH start info (Xen public header arch-x86/hvm/start_info.h, the
// "x86/HVM direct boot ABI"): what QEMU's PVH loader leaves for the kernel
// at the physical address in ebx. Version 0 has the command line, the
// module list and the RSDP address; version 1 adds the E820-style memory
// map. QEMU passes -initrd as module 0.
//
// Everything in it is untrusted input: read() copies what it needs out of
// the structure (bounded counts, a NUL-terminated bounded command line,
// checked address arithmetic) and the kernel never looks at it again.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::x86 {

inline constexpr u32 kStartInfoMagic = 0x336ec578;

// E820 types (ACPI 6.5 table 15.4, "Address Range Types").
enum class E820Type : u32 { Ram = 1, Reserved = 2, AcpiReclaimable = 3, AcpiNvs = 4, Unusable = 5, Persistent = 7 };

struct E820Entry {
    u64 base;
    u64 size;
    u32 type;
};

struct BootInfo {
    static constexpr usize kMaxEntries = 32;
    static constexpr usize kMaxCommandLine = 1024;

    u32 version = 0;
    u64 rsdp_phys = 0;
    E820Entry memmap[kMaxEntries] {};
    usize memmap_count = 0;
    usize memmap_dropped = 0;  // entries beyond kMaxEntries
    char command_line[kMaxCommandLine] {};
    bool command_line_truncated = false;
    // Module 0 (struct hvm_modlist_entry): the initramfs. Its bytes are not
    // read here; the platform checks that they lie in RAM.
    u32 module_count = 0;  // as the start info says
    bool has_initramfs = false;
    u64 initramfs_phys = 0;
    u64 initramfs_size = 0;

    StringView command_line_view() const { return StringView(command_line); }
};

// Reads physical memory for read(): `length` bytes at `phys`, or an empty
// span if that range cannot be read.
using PhysReader = ReadonlyBytes (*)(u64 phys, usize length);

// Decodes the start info at `phys` into `out`. Malformed when the magic is
// wrong or a pointer in it cannot be read. A module 0 that is empty or whose
// end wraps is no initramfs (has_initramfs false), not an error.
Result<void> read_start_info(u64 phys, PhysReader reader, BootInfo& out);

}  // namespace mote::x86
