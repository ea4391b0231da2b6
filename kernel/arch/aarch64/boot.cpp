// aarch64 boot: from QEMU's hand-off to platform_main.
//
// boot_early runs with the MMU off at the physical load address, called from
// entry.S, so it may only use PC-relative addressing (adrp: no tables of
// link addresses, no virtual calls). It reads the RAM ranges from the
// devicetree, builds
//
//   TTBR1  0xffffffff80000000  the image: text r-x, rodata r--, data/bss
//                              rw-, the page below the stack unmapped
//          0xffff000000000000  + phys: the direct map of RAM, rw- (never
//                              executable); device registers join it later
//   TTBR0  phys                a 1 GiB identity block over the image, for
//                              the instructions right after the MMU is on
//
// and turns the MMU on. kernel_main then runs at the link address, switches
// TTBR0 walks off (TCR_EL1.EPD0) and hands over to the platform.
#include "arch/aarch64/page_table.hpp"
#include "arch/arch.hpp"
#include "base/checked.hpp"

extern "C" {
extern char __kernel_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __stack_guard[], __stack_bottom[], __stack_top[], __kernel_end[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
}

namespace mote {

namespace {

using namespace aarch64;

constexpr u64 kGiB = u64(1) << 30;
arch::BootLayout g_layout;

// MAIR_EL1 (D19.2.97): attr0 normal memory, write-back read/write-allocate;
// attr1 Device-nGnRE for registers.
constexpr u64 kMair = 0xff | (0x04 << 8);
// TCR_EL1 (D19.2.139): 48-bit VAs in both halves, 4 KiB granules,
// write-back cacheable inner-shareable walks. IPS is filled in at run time.
constexpr u64 kTcr = 16 | (1 << 8) | (1 << 10) | (3 << 12) | (0 << 14) |   // TTBR0
                     (u64(16) << 16) | (u64(1) << 24) | (u64(1) << 26) | (u64(3) << 28) | (u64(2) << 30);  // TTBR1
constexpr u64 kTcrEpd0 = 1 << 7;

u64 addr(const char* symbol) { return reinterpret_cast<u64>(symbol); }

bool map_part(PageTables& tables, u64 phys_base, const char* start, const char* end, u32 permissions) {
    u64 virt = kKernelVirt + (addr(start) - phys_base);
    return tables.map(virt, addr(start), addr(end) - addr(start), permissions).ok();
}

bool map_image(PageTables& tables, u64 phys_base) {
    return map_part(tables, phys_base, __text_start, __text_end, kRead | kExecute) &&
           map_part(tables, phys_base, __rodata_start, __rodata_end, kRead) &&
           map_part(tables, phys_base, __data_start, __stack_guard, kRead | kWrite) &&
           map_part(tables, phys_base, __stack_bottom, __kernel_end, kRead | kWrite);
}

bool map_ram(PageTables& tables, const u8* dtb) {
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
        ok &= tables.map(kDirectMapBase + start, start, end - start, kRead | kWrite).ok();
        ++ranges;
        return ok;
    });
    return ok && ranges > 0;
}

}  // namespace

const arch::BootLayout& Arch::boot_layout() { return g_layout; }

extern "C" u64 boot_early(u64 dtb_phys) {
    u64 phys_base = addr(__kernel_start);
    auto virt = [&](const char* symbol) { return kKernelVirt + (addr(symbol) - phys_base); };
    g_layout = {
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
        .direct_map_offset = kDirectMapBase,
        .dtb_phys = dtb_phys,
        .table_pages_used = 0,
        .table_pages_total = PageTables::kPoolPages,
    };
    PageTables::init_pool(page_table_pool_address(), 0);
    PageTables& kernel = kernel_page_tables();
    PageTables& identity = identity_page_tables();
    if (kernel.init().is_error() || identity.init().is_error()) return 0;
    if (!map_image(kernel, phys_base)) return 0;
    if (!map_ram(kernel, reinterpret_cast<const u8*>(dtb_phys))) return 0;
    u64 low = align_down(phys_base, kGiB);
    if (identity.map(low, low, kGiB, kRead | kWrite | kExecute).is_error()) return 0;

    // The physical address size the CPU supports, capped at 48 bits
    // (ID_AA64MMFR0_EL1.PARange, D19.2.64; TCR_EL1.IPS takes the same code).
    u64 parange = MOTE_SYSREG_READ(id_aa64mmfr0_el1) & 0xf;
    if (parange > 5) parange = 5;
    MOTE_SYSREG_WRITE(mair_el1, kMair);
    MOTE_SYSREG_WRITE(tcr_el1, kTcr | (parange << 32));
    MOTE_SYSREG_WRITE(ttbr0_el1, identity.root_phys());
    MOTE_SYSREG_WRITE(ttbr1_el1, kernel.root_phys());
    asm volatile("dsb ish\n tlbi vmalle1\n dsb ish\n isb" ::: "memory");
    // SCTLR_EL1: M (MMU), C (data cache), I (instruction cache), with the
    // RES1 bits that entry.S set.
    u64 sctlr = MOTE_SYSREG_READ(sctlr_el1) | (1 << 0) | (1 << 2) | (1 << 12);
    MOTE_SYSREG_WRITE(sctlr_el1, sctlr);
    MOTE_ISB();
    return 1;
}

extern "C" [[noreturn]] void kernel_main(u64, u64 dtb_phys) {
    PageTables::set_access_offset(kDirectMapBase);
    MOTE_SYSREG_WRITE(tcr_el1, MOTE_SYSREG_READ(tcr_el1) | kTcrEpd0);
    asm volatile("dsb ish\n tlbi vmalle1\n dsb ish\n isb" ::: "memory");
    g_layout.table_pages_used = PageTables::pages_used();
    for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor) (*ctor)();
    platform_main(dtb_phys);
}

Result<volatile u8*> Arch::map_device(u64 phys, u64 size) {
    u64 start = align_down(phys, u64(4096));
    u64 last = TRY(checked_add(phys, size));
    u64 end = TRY(align_up(last, u64(4096)));
    for (u64 page = start; page < end; page += 4096)
        TRY(kernel_page_tables().map(kDirectMapBase + page, page, 4096, kRead | kWrite | kDevice));
    asm volatile("dsb ishst\n isb" ::: "memory");
    g_layout.table_pages_used = PageTables::pages_used();
    return reinterpret_cast<volatile u8*>(kDirectMapBase + phys);
}

}  // namespace mote
