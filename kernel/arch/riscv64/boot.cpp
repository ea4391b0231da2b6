// riscv64 boot: from the firmware's hand-off to platform_main.
//
// boot_early runs with the MMU off at the physical load address, called from
// entry.S. It may only use PC-relative addressing: no virtual calls, no
// function pointers, no jump tables (the riscv64 build passes
// -fno-jump-tables for this reason). It builds the first address space
// (arch/early_map.hpp):
//
//   0xffffffff80000000  the image: text r-x, rodata r--, data/bss rw-,
//                       with the page below the stack left unmapped
//   phys (temporary)    1 GiB identity pages over the image, so the
//                       instruction after `csrw satp` can still be fetched,
//                       and over the devicetree blob (r--)
//
// kernel_main then runs at the link address: it reads the RAM ranges from
// the devicetree and adds the direct map of RAM, rw- (never executable), at
// 0xffffffc000000000 + phys, drops the identity pages and hands over to the
// platform.
#include "arch/arch.hpp"
#include "arch/riscv64/page_table.hpp"
#include "arch/riscv64/sbi.hpp"
#include "arch/early_map.hpp"
#include "base/checked.hpp"

extern "C" {
extern char __kernel_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __stack_guard[], __stack_bottom[], __stack_top[], __kernel_end[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
extern char trap_entry[];
}

namespace mote {

namespace {

using namespace riscv;

constexpr u64 kGiB = u64(1) << 30;
constexpr u64 kIdentityLimit = u64(1) << 38;
arch::BootLayout g_layout;

void early_print(const char* text) {
    while (*text) sbi::legacy_putchar(*text++);
}

// The image and the RAM direct map, built by arch/early_map.hpp.
constexpr arch::early::MapConfig kMap {kKernelVirt, kDirectMapBase};

}  // namespace

const arch::BootLayout& Arch::boot_layout() { return g_layout; }

extern "C" u64 boot_early(u64, u64 dtb_phys) {
    u64 entry = Arch::counter();
    u64 phys_base = arch::early::addr(__kernel_start);
    g_layout = arch::early::layout(kMap, dtb_phys, kPoolPages, entry);
    PageTables& tables = kernel_page_tables();
    page_table_pool() = {.phys = page_table_pool_address(), .access_offset = 0, .capacity = kPoolPages, .used = 0};
    if (tables.init().is_error() || !arch::early::map_image(tables, kMap, phys_base)) {
        early_print("mote: cannot map the kernel image\n");
        return 0;
    }
    u64 dtb_size = arch::early::blob_size(dtb_phys);
    // Identity pages are lower-half Sv39 addresses: below 2^38.
    if (dtb_size == 0 || dtb_phys + dtb_size > kIdentityLimit) {
        early_print("mote: no usable devicetree (a1)\n");
        return 0;
    }
    u64 image_gib = align_down(phys_base, kGiB);
    if (!arch::early::map_identity(tables, phys_base, 1, ~u64(0), arch::kRead | arch::kExecute) ||
        !arch::early::map_identity(tables, dtb_phys, dtb_size, image_gib, arch::kRead)) {
        early_print("mote: cannot map the boot identity pages\n");
        return 0;
    }
    return satp_of(tables);
}

extern "C" [[noreturn]] void kernel_main(u64, u64 dtb_phys) {
    PageTables& tables = kernel_page_tables();
    // The table pool is in .bss: reach it through the image mapping.
    page_table_pool().access_offset = kKernelVirt - g_layout.kernel_phys;
    u64 dtb_size = arch::early::blob_size(dtb_phys);
    if (!arch::early::map_ram(tables, kMap, dtb_phys, dtb_size)) {
        early_print("mote: the devicetree (a1) does not parse or names no memory\n");
        for (;;) asm volatile("wfi");
    }
    for (u64 gib = align_down(dtb_phys, kGiB); gib < dtb_phys + dtb_size; gib += kGiB) tables.clear_root_entry(gib);
    tables.clear_root_entry(align_down(g_layout.kernel_phys, kGiB));
    asm volatile("sfence.vma" ::: "memory");
    g_layout.table_pages_used = page_table_pool().used;

    // sscratch = 0 means "trapped from the kernel" (entry.S); firmware may
    // leave anything in it.
    MOTE_CSR_WRITE(sscratch, 0);
    MOTE_CSR_WRITE(stvec, reinterpret_cast<u64>(trap_entry));
    for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor) (*ctor)();
    platform_main(dtb_phys);
}

Result<volatile u8*> Arch::map_device(u64 phys, u64 size) {
    u64 start = align_down(phys, u64(4096));
    u64 last = TRY(checked_add(phys, size));
    u64 end = TRY(align_up(last, u64(4096)));
    // Device registers live in the direct-map window at their physical
    // address; RAM never overlaps them, so the two cannot collide. One call
    // for the whole window: aligned 2 MiB stretches (most of the PLIC's
    // 6 MiB) take megapages instead of 512 table walks each.
    TRY(kernel_page_tables().map(kDirectMapBase + start, start, end - start, arch::kRead | arch::kWrite));
    // The new entries were invalid before; Sv39 still wants an sfence.vma
    // before they are used. Per page for a small window: a full flush would
    // also throw away every other cached translation (under QEMU, its whole
    // software TLB and jump cache, which boot then refills once per device).
    if (end - start <= 16 * 4096) {
        for (u64 page = start; page < end; page += 4096)
            asm volatile("sfence.vma %0" ::"r"(kDirectMapBase + page) : "memory");
    } else {
        asm volatile("sfence.vma" ::: "memory");
    }
    g_layout.table_pages_used = page_table_pool().used;
    return reinterpret_cast<volatile u8*>(kDirectMapBase + phys);
}

}  // namespace mote
