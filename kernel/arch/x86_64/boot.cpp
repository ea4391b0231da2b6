// x86_64 boot: from the 64-bit bootstrap (entry.S) to platform_main.
//
// kernel_main runs at the link address on the bootstrap tables, which map
// physical 0..1 GiB at KERNEL_OFFSET: the start info, the image and the
// page-table pool are all reached there. It copies what it needs out of the
// PVH start info, installs the descriptor tables, and builds the one kernel
// address space:
//
//   0xffffffff80100000  the image (+ physical address): text r-x, rodata
//                       r--, data/bss rw-, the page below the stack unmapped
//   0xffff800000000000  + phys: the direct map of RAM (rw-, never
//                       executable), later also firmware tables (r--) and
//                       device registers (rw-, uncached)
//
// Nothing is identity mapped afterwards: address 0 and all low memory fault.
#include "arch/arch.hpp"
#include "arch/x86_64/page_table.hpp"
#include "arch/x86_64/start_info.hpp"
#include "arch/x86_64/x86.hpp"
#include "base/checked.hpp"

extern "C" {
extern char __kernel_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __stack_guard[], __stack_bottom[], __stack_top[], __kernel_end[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
}

namespace mote {

namespace x86 {
void install_descriptors();
}  // namespace x86

namespace {

using namespace x86;

constexpr u64 kBootstrapWindow = u64(1) << 30;  // what the bootstrap tables map
arch::BootLayout g_layout;
BootInfo g_boot_info;
bool g_nx = false;

u64 addr(const char* symbol) { return reinterpret_cast<u64>(symbol); }

void early_print(const char* text) {
    // COM1 by polling: the console driver does not exist yet.
    for (; *text; ++text) {
        while (!(inb(0x3fd) & 0x20)) {
        }
        outb(0x3f8, u8(*text));
    }
}

[[noreturn]] void early_fail(const char* text) {
    early_print(text);
    for (;;) asm volatile("cli\n hlt");
}

ReadonlyBytes bootstrap_read(u64 phys, usize length) {
    auto end = checked_add(phys, u64(length));
    if (end.is_error() || end.value() > kBootstrapWindow) return {};
    return ReadonlyBytes(reinterpret_cast<const u8*>(phys + kKernelOffset), length);
}

bool map_part(PageTables& tables, const char* start, const char* end, u32 permissions) {
    return tables.map(addr(start), addr(start) - kKernelOffset, addr(end) - addr(start), permissions).ok();
}

bool map_image(PageTables& tables) {
    return map_part(tables, __text_start, __text_end, arch::kRead | arch::kExecute) &&
           map_part(tables, __rodata_start, __rodata_end, arch::kRead) &&
           map_part(tables, __data_start, __stack_guard, arch::kRead | arch::kWrite) &&
           map_part(tables, __stack_bottom, __kernel_end, arch::kRead | arch::kWrite);
}

bool map_ram(PageTables& tables) {
    usize ranges = 0;
    for (usize i = 0; i < g_boot_info.memmap_count; ++i) {
        const E820Entry& e = g_boot_info.memmap[i];
        if (e.type != u32(E820Type::Ram)) continue;
        u64 start = align_up(e.base, u64(4096)).value_or(0);
        u64 end = align_down(checked_add(e.base, e.size).value_or(0), u64(4096));
        // Only what 4-level paging can reach in the direct map (64 TiB).
        if (end <= start || end > (u64(1) << 46)) continue;
        if (tables.map(kDirectMapBase + start, start, end - start, arch::kRead | arch::kWrite).is_error()) return false;
        ++ranges;
    }
    return ranges > 0;
}

}  // namespace

const arch::BootLayout& Arch::boot_layout() { return g_layout; }
bool x86::has_nx() { return g_nx; }
const BootInfo& x86::boot_info() { return g_boot_info; }

extern "C" [[noreturn]] void kernel_main(u64 start_info_phys) {
    u64 entry = Arch::counter();
    if (read_start_info(start_info_phys, bootstrap_read, g_boot_info).is_error())
        early_fail("mote: no PVH start info in ebx (boot with qemu-system-x86_64 -kernel mote.elf)\r\n");
    g_nx = rdmsr(kMsrEfer) & (u64(1) << 11);
    install_descriptors();

    g_layout = {
        .text_start = addr(__text_start),
        .text_end = addr(__text_end),
        .rodata_start = addr(__rodata_start),
        .rodata_end = addr(__rodata_end),
        .data_start = addr(__data_start),
        .data_end = addr(__stack_guard),
        .stack_guard = addr(__stack_guard),
        .stack_bottom = addr(__stack_bottom),
        .stack_top = addr(__stack_top),
        .kernel_phys = addr(__kernel_start) - kKernelOffset,
        .kernel_phys_end = addr(__kernel_end) - kKernelOffset,
        .direct_map_offset = kDirectMapBase,
        .dtb_phys = start_info_phys,
        .table_pages_used = 0,
        .table_pages_total = kPoolPages,
        .entry_counter = entry,
    };
    PageTables& tables = kernel_page_tables();
    // The pool is in the image, reached at its link address before and
    // after the switch.
    arch::TablePool& pool = page_table_pool();
    pool = {.phys = page_table_pool_phys(), .access_offset = kKernelOffset, .capacity = kPoolPages, .used = 0};
    if (tables.init(X86Format {.nx = g_nx}).is_error() || !map_image(tables)) early_fail("mote: cannot map the kernel image\r\n");
    if (!map_ram(tables)) early_fail("mote: no RAM in the PVH memory map\r\n");
    write_cr3(tables.root_phys());
    g_layout.table_pages_used = pool.used;
    init_user_mode();

    for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor) (*ctor)();
    platform_main(start_info_phys);
}

namespace {
Result<void> map_pages(u64 phys, u64 size, u32 permissions) {
    u64 start = align_down(phys, u64(4096));
    u64 last = TRY(checked_add(phys, size));
    u64 end = TRY(align_up(last, u64(4096)));
    if (end > (u64(1) << 46)) return Error::OutOfRange;
    PageTables& tables = kernel_page_tables();
    for (u64 page = start; page < end; page += 4096) {
        u64 va = kDirectMapBase + page;
        // RAM already in the direct map (a table in RAM) stays as it is.
        if (tables.is_mapped(va)) continue;
        TRY(tables.map(va, page, 4096, permissions));
        invlpg(va);
    }
    g_layout.table_pages_used = page_table_pool().used;
    return {};
}
}  // namespace

Result<volatile u8*> Arch::map_device(u64 phys, u64 size) {
    TRY(map_pages(phys, size, arch::kRead | arch::kWrite | arch::kDevice));
    return reinterpret_cast<volatile u8*>(kDirectMapBase + phys);
}

// Firmware tables (ACPI) outside RAM: read-only, cached.
Result<const u8*> x86::map_firmware(u64 phys, u64 size) {
    TRY(map_pages(phys, size, arch::kRead));
    return reinterpret_cast<const u8*>(kDirectMapBase + phys);
}

}  // namespace mote
