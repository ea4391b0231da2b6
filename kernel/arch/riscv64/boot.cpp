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

u64 addr(const char* symbol) { return reinterpret_cast<u64>(symbol); }

void early_print(const char* text) {
    while (*text) sbi::legacy_putchar(*text++);
}

// Each step of boot_early; false stops the boot. (One call per part, not a
// table of symbol addresses: such a table would be a constant holding link
// addresses, which are not valid until the MMU is on.)
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

extern "C" u64 boot_early(u64, u64 dtb_phys) {
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
    PageTables& tables = kernel_page_tables();
    tables.init(page_table_pool_address(), 0);
    if (!map_image(tables, phys_base)) {
        early_print("mote: cannot map the kernel image\n");
        return 0;
    }
    if (!map_ram(tables, reinterpret_cast<const u8*>(dtb_phys))) {
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
