// aarch64 boot: from QEMU's hand-off to platform_main.
//
// boot_early runs with the MMU off at the physical load address, called from
// entry.S, so it may only use PC-relative addressing (adrp: no tables of
// link addresses, no virtual calls). It builds the first address space
// (arch/early_map.hpp)
//
//   TTBR1  0xffffffff80000000  the image: text r-x, rodata r--, data/bss
//                              rw-, the page below the stack unmapped
//   TTBR0  phys                1 GiB identity blocks over the image, for
//                              the instructions right after the MMU is on,
//                              and over the devicetree blob
//
// and turns the MMU on. kernel_main then runs at the link address: it reads
// the RAM ranges from the devicetree, adds the direct map of RAM at
// 0xffff000000000000 + phys (rw-, never executable; device registers join it
// later), switches TTBR0 walks off (TCR_EL1.EPD0) and hands over to the
// platform. Nothing in the kernel uses a TTBR0 address after that: Arch::init
// turns TTBR0 walks back on over an empty table, and from then on TTBR0
// holds only user address spaces (Arch::switch_address_space).
#include "arch/aarch64/page_table.hpp"
#include "arch/arch.hpp"
#include "arch/early_map.hpp"
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

// The image and the RAM direct map, built by arch/early_map.hpp.
constexpr arch::early::MapConfig kMap {kKernelVirt, kDirectMapBase};

}  // namespace

const arch::BootLayout& Arch::boot_layout() { return g_layout; }

extern "C" u64 boot_early(u64 dtb_phys) {
    u64 entry = Arch::counter();
    u64 phys_base = arch::early::addr(__kernel_start);
    g_layout = arch::early::layout(kMap, dtb_phys, kPoolPages, entry);
    arch::TablePool& pool = page_table_pool();
    pool = {.phys = page_table_pool_address(), .access_offset = 0, .capacity = kPoolPages, .used = 0};
    PageTables& kernel = kernel_page_tables();
    PageTables& identity = identity_page_tables();
    if (kernel.init().is_error() || identity.init().is_error()) return 0;
    if (!arch::early::map_image(kernel, kMap, phys_base)) return 0;
    u64 dtb_size = arch::early::blob_size(dtb_phys);
    if (dtb_size == 0) return 0;
    u64 low = align_down(phys_base, kGiB);
    if (!arch::early::map_identity(identity, phys_base, 1, ~u64(0), arch::kRead | arch::kWrite | arch::kExecute) ||
        !arch::early::map_identity(identity, dtb_phys, dtb_size, low, arch::kRead))
        return 0;

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
    // The table pool is in .bss: reach it through the image mapping. The
    // blob is still reached through its TTBR0 identity block.
    page_table_pool().access_offset = kKernelVirt - g_layout.kernel_phys;
    if (!arch::early::map_ram(kernel_page_tables(), kMap, dtb_phys, arch::early::blob_size(dtb_phys)))
        for (;;) asm volatile("wfe");
    MOTE_SYSREG_WRITE(tcr_el1, MOTE_SYSREG_READ(tcr_el1) | kTcrEpd0);
    asm volatile("dsb ish\n tlbi vmalle1\n dsb ish\n isb" ::: "memory");
    g_layout.table_pages_used = page_table_pool().used;
    for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor) (*ctor)();
    platform_main(dtb_phys);
}

Result<volatile u8*> Arch::map_device(u64 phys, u64 size) {
    u64 start = align_down(phys, u64(4096));
    u64 last = TRY(checked_add(phys, size));
    u64 end = TRY(align_up(last, u64(4096)));
    // One call for the whole window: aligned 2 MiB stretches take blocks.
    TRY(kernel_page_tables().map(kDirectMapBase + start, start, end - start, arch::kRead | arch::kWrite | arch::kDevice));
    asm volatile("dsb ishst\n isb" ::: "memory");
    g_layout.table_pages_used = page_table_pool().used;
    return reinterpret_cast<volatile u8*>(kDirectMapBase + phys);
}

}  // namespace mote
