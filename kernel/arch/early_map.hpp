// The first kernel address space of the devicetree ports (riscv64,
// aarch64), which build it the same way, in two steps:
//
//  1. boot_early, with the MMU off at the physical load address: the image
//     at its link address, section by section (map_image), and identity
//     gigapages over the image and over the devicetree blob, so that the
//     code right after the MMU switch can run and kernel_main can read the
//     blob. This step is header only (compiled into each port's boot.cpp,
//     under its rules: PC-relative addressing, no virtual calls, no function
//     pointers, no jump tables) and maps one call per part, not from a table
//     of symbol addresses: such a table would be a constant holding link
//     addresses, which are not valid until the MMU is on. It reads nothing
//     of the blob but its header.
//  2. kernel_main, at the link address: the direct map of every RAM range
//     the devicetree names (map_ram); then the identity pages go. The blob
//     is parsed and validated here, with the MMU on, by the same code the
//     platform uses later: under QEMU's TCG every function that runs once
//     before the MMU is on is translated twice (at its physical and its
//     virtual address), so the MMU-off step is kept to a few page-table
//     writes.
//
// Each port's boot.cpp supplies its page tables and the constants of its
// address-space layout.
#pragma once

#include "arch/arch.hpp"
#include "arch/permission.hpp"
#include "arch/runtime_address.hpp"
#include "base/checked.hpp"
#include "firmware/fdt.hpp"

extern "C" {
extern char __kernel_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __stack_guard[], __stack_bottom[], __stack_top[], __kernel_end[];
}

namespace mote::arch::early {

// A port's layout constants.
struct MapConfig {
    u64 kernel_virt;      // where the image is linked
    u64 direct_map_base;  // virt = phys + this for RAM
};

// Physical before the MMU is on (arch/runtime_address.hpp).
inline u64 addr(const char* symbol) { return runtime_address(symbol); }

// Where the boot code puts things (Arch::boot_layout()); no table pages used yet.
[[gnu::always_inline]] inline BootLayout layout(const MapConfig& c, u64 dtb_phys, usize table_pages_total,
                                                u64 entry_counter) {
    u64 phys_base = addr(__kernel_start);
    auto virt = [&](const char* symbol) { return c.kernel_virt + (addr(symbol) - phys_base); };
    return {
        .text_start = virt(__text_start),
        .text_end = virt(__text_end),
        .rodata_start = virt(__rodata_start),
        .rodata_end = virt(__rodata_end),
        .data_start = virt(__data_start),
        .data_end = virt(__stack_guard),
        .stack_guard = virt(__stack_guard),
        .stack_bottom = virt(__stack_bottom),
        .stack_top = virt(__stack_top),
        .kernel_phys = phys_base,
        .kernel_phys_end = addr(__kernel_end),
        .direct_map_offset = c.direct_map_base,
        .dtb_phys = dtb_phys,
        .table_pages_used = 0,
        .table_pages_total = table_pages_total,
        .entry_counter = entry_counter,
    };
}

// Each step of boot_early; false stops the boot. Inlined into it, so the
// kernel symbol table (.ksyms, fixed size) does not grow by their long
// template names.
template <typename Tables>
[[gnu::always_inline]] inline bool map_part(Tables& tables, const MapConfig& c, u64 phys_base, const char* start, const char* end, u32 permissions) {
    u64 virt = c.kernel_virt + (addr(start) - phys_base);
    return tables.map(virt, addr(start), addr(end) - addr(start), permissions).ok();
}

// text r-x, rodata r--, data/bss rw-, the page below the stack unmapped.
template <typename Tables>
[[gnu::always_inline]] inline bool map_image(Tables& tables, const MapConfig& c, u64 phys_base) {
    return map_part(tables, c, phys_base, __text_start, __text_end, kRead | kExecute) &&
           map_part(tables, c, phys_base, __rodata_start, __rodata_end, kRead) &&
           map_part(tables, c, phys_base, __data_start, __stack_guard, kRead | kWrite) &&
           map_part(tables, c, phys_base, __stack_bottom, __kernel_end, kRead | kWrite);
}

// The identity gigapages over [phys, phys + size) that are not already
// mapped as `already` (the image's). Step 1; false if the pool runs out.
template <typename Tables>
[[gnu::always_inline]] inline bool map_identity(Tables& tables, u64 phys, u64 size, u64 already, u32 permissions) {
    constexpr u64 kGiB = u64(1) << 30;
    for (u64 gib = align_down(phys, kGiB); gib < phys + size; gib += kGiB)
        if (gib != already && tables.map(gib, gib, kGiB, permissions).is_error()) return false;
    return true;
}

// The devicetree blob's size from its header, or 0 if `dtb` is not one.
[[gnu::always_inline]] inline u64 blob_size(u64 dtb) {
    auto size = fdt::Fdt::peek_total_size(ReadonlyBytes(reinterpret_cast<const u8*>(dtb), fdt::kHeaderSize));
    return size.ok() ? size.value() : 0;
}

// The direct map, rw- (never executable), of each RAM range in the
// devicetree at `dtb`, `size` bytes (blob_size; reached through its
// identity pages). Step 2, MMU on; false if the blob does not parse or
// names no memory.
template <typename Tables>
bool map_ram(Tables& tables, const MapConfig& c, u64 dtb, u64 size) {
    auto parsed = fdt::Fdt::parse(ReadonlyBytes(reinterpret_cast<const u8*>(dtb), size));
    if (parsed.is_error()) return false;
    bool ok = true;
    usize ranges = 0;
    parsed.value().for_each_memory([&](fdt::Reg reg) {
        u64 start = align_down(reg.base, u64(4096));
        u64 end = align_up(reg.base + reg.size, u64(4096)).value_or(start);
        if (end <= start) return true;
        ok &= tables.map(c.direct_map_base + start, start, end - start, kRead | kWrite).ok();
        ++ranges;
        return ok;
    });
    return ok && ranges > 0;
}

}  // namespace mote::arch::early
