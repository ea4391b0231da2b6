// riscv64 boot: from the firmware's hand-off to platform_main.
//
// boot_early runs with the MMU off at the physical load address, called from
// entry.S. It may only use PC-relative addressing: no virtual calls, no
// function pointers, no jump tables (the riscv64 build passes
// -fno-jump-tables for this reason). It reads the RAM ranges from the
// devicetree and builds the one kernel address space:
//
//   0xffffffff80000000  the image: text r-x, rodata r--, data/bss rw-,
//                       with the page below the stack left unmapped
//   0xffffffc000000000  + phys: the direct map of RAM, rw- (never executable)
//   phys (temporary)    a 1 GiB identity page over the image, so the
//                       instruction after `csrw satp` can still be fetched
//
// kernel_main then runs at the link address, drops the identity page and
// hands over to the platform.
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
arch::BootLayout g_layout;

void early_print(const char* text) {
    while (*text) sbi::legacy_putchar(*text++);
}

// The image and the RAM direct map, built by arch/early_map.hpp.
constexpr arch::early::MapConfig kMap {kKernelVirt, kDirectMapBase, kRead, kWrite, kExecute};

}  // namespace

const arch::BootLayout& Arch::boot_layout() { return g_layout; }

extern "C" u64 boot_early(u64, u64 dtb_phys) {
    u64 phys_base = arch::early::addr(__kernel_start);
    g_layout = arch::early::layout(kMap, dtb_phys, PageTables::kPoolPages);
    PageTables& tables = kernel_page_tables();
    tables.init(page_table_pool_address(), 0);
    if (!arch::early::map_image(tables, kMap, phys_base)) {
        early_print("mote: cannot map the kernel image\n");
        return 0;
    }
    if (!arch::early::map_ram(tables, kMap, reinterpret_cast<const u8*>(dtb_phys))) {
        early_print("mote: no usable devicetree (a1) or no memory node in it\n");
        return 0;
    }
    u64 identity = align_down(phys_base, kGiB);
    if (tables.map(identity, identity, kGiB, kRead | kExecute).is_error()) {
        early_print("mote: cannot map the boot identity page\n");
        return 0;
    }
    return tables.satp();
}

extern "C" [[noreturn]] void kernel_main(u64, u64 dtb_phys) {
    PageTables& tables = kernel_page_tables();
    tables.set_access_offset(kDirectMapBase);
    tables.clear_root_entry(align_down(g_layout.kernel_phys, kGiB));
    asm volatile("sfence.vma" ::: "memory");
    g_layout.table_pages_used = tables.pages_used();

    MOTE_CSR_WRITE(stvec, reinterpret_cast<u64>(trap_entry));
    for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor) (*ctor)();
    platform_main(dtb_phys);
}

Result<volatile u8*> Arch::map_device(u64 phys, u64 size) {
    u64 start = align_down(phys, u64(4096));
    u64 last = TRY(checked_add(phys, size));
    u64 end = TRY(align_up(last, u64(4096)));
    // Device registers live in the direct-map window at their physical
    // address; RAM never overlaps them, so the two cannot collide.
    for (u64 page = start; page < end; page += 4096)
        TRY(kernel_page_tables().map(kDirectMapBase + page, page, 4096, kRead | kWrite));
    asm volatile("sfence.vma" ::: "memory");
    g_layout.table_pages_used = kernel_page_tables().pages_used();
    return reinterpret_cast<volatile u8*>(kDirectMapBase + phys);
}

}  // namespace mote
