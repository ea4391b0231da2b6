// The first kernel address space of the devicetree ports (riscv64,
// aarch64), which build it the same way: the image at its link address,
// section by section, and the direct map of every RAM range the devicetree
// names. Each port's boot_early supplies its page tables and the constants
// of its address-space layout.
//
// This runs with the MMU off at the physical load address, so it is header
// only (compiled into each port's boot.cpp, under its rules: PC-relative
// addressing, no virtual calls, no function pointers, no jump tables), and
// it maps one call per part, not from a table of symbol addresses: such a
// table would be a constant holding link addresses, which are not valid
// until the MMU is on.
#pragma once

#include "arch/arch.hpp"
#include "base/checked.hpp"
#include "base/fdt.hpp"

extern "C" {
extern char __kernel_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __stack_guard[], __stack_bottom[], __stack_top[], __kernel_end[];
}

namespace mote::arch::early {

// A port's layout constants and page permission bits.
struct MapConfig {
    u64 kernel_virt;      // where the image is linked
    u64 direct_map_base;  // virt = phys + this for RAM
    u32 read, write, execute;
};

inline u64 addr(const char* symbol) { return reinterpret_cast<u64>(symbol); }

// Where the boot code puts things (Arch::boot_layout()); no table pages used yet.
[[gnu::always_inline]] inline BootLayout layout(const MapConfig& c, u64 dtb_phys, usize table_pages_total) {
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
    return map_part(tables, c, phys_base, __text_start, __text_end, c.read | c.execute) &&
           map_part(tables, c, phys_base, __rodata_start, __rodata_end, c.read) &&
           map_part(tables, c, phys_base, __data_start, __stack_guard, c.read | c.write) &&
           map_part(tables, c, phys_base, __stack_bottom, __kernel_end, c.read | c.write);
}

// The direct map, rw- (never executable), of each RAM range in the
// devicetree at `dtb`; false if it has none or does not parse.
template <typename Tables>
[[gnu::always_inline]] inline bool map_ram(Tables& tables, const MapConfig& c, const u8* dtb) {
    auto size = fdt::Fdt::peek_total_size(ReadonlyBytes(dtb, fdt::kHeaderSize));
    if (size.is_error()) return false;
    auto parsed = fdt::Fdt::parse(ReadonlyBytes(dtb, size.value()));
    if (parsed.is_error()) return false;
    bool ok = true;
    usize ranges = 0;
    parsed.value().for_each_memory([&](fdt::Reg reg) {
        u64 start = align_down(reg.base, u64(4096));
        u64 end = align_up(reg.base + reg.size, u64(4096)).value_or(start);
        if (end <= start) return true;
        ok &= tables.map(c.direct_map_base + start, start, end - start, c.read | c.write).ok();
        ++ranges;
        return ok;
    });
    return ok && ranges > 0;
}

}  // namespace mote::arch::early
