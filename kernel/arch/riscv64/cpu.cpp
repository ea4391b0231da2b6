// riscv64 CPU services: timer, power, register dumps and frame walking.
#include "arch/arch.hpp"
#include "arch/riscv64/page_table.hpp"
#include "arch/riscv64/sbi.hpp"
#include "arch/timer_shadow.hpp"
#include "base/format.hpp"
#include "base/memory.hpp"

extern "C" char __emergency_stack_bottom[], __emergency_stack_top[];

namespace mote {

namespace {
bool g_sstc = false;
arch::TimerShadow g_timer;
bool g_srst = false;
u32 g_asid_count = 1;

// Whether the ISA string ("rv64imafdch_zicsr_..._sstc") names extension
// `name` as one of its '_'-separated multi-letter parts.
bool isa_has(StringView isa, StringView name) {
    usize i = 0;
    while (i < isa.length()) {
        usize start = i;
        while (i < isa.length() && isa[i] != '_') ++i;
        if (isa.substr(start, i - start) == name) return true;
        ++i;
    }
    return false;
}
}  // namespace

void Arch::fp_init(void* state) { mem_set(state, 0, kFpStateBytes); }

Result<u64> Arch::init(const fdt::Fdt& fdt) {
    // The counter ("time") runs at /cpus/timebase-frequency (devicetree
    // bindings for RISC-V cpus).
    fdt::Node cpus = TRY(fdt.find_node("/cpus"));
    fdt::Property timebase = TRY(cpus.property("timebase-frequency"));
    u64 frequency = TRY(timebase.as_number());
    if (frequency == 0) return Error::Malformed;
    // Sstc puts the compare register (stimecmp, CSR 0x14d) in S-mode, so
    // arming the timer needs no firmware call. OpenSBI enables it for S-mode
    // (menvcfg.STCE) when the hart has it; the ISA string says whether it does.
    for (fdt::Node cpu : cpus.children()) {
        auto isa = cpu.property("riscv,isa");
        if (isa.ok() && isa.value().as_string().ok()) {
            g_sstc = isa_has(isa.value().as_string().value(), "sstc");
            break;
        }
    }
    g_srst = sbi::has_extension(sbi::kSrst);
    // FP (4.1.1.6): sstatus.FS = Initial, and never Off again, so user
    // programs may use F and D; each thread's registers are saved when
    // another one runs (fp_state.S). The kernel, built rv64imac, uses none.
    // On a hart without F the field stays 0 and FP instructions trap.
    MOTE_CSR_SET(sstatus, riscv::kStatusFsInitial);
    // ASIDLEN (4.1.11): write all ones to satp.ASID and see what stays.
    u64 satp = MOTE_CSR_READ(satp);
    MOTE_CSR_WRITE(satp, satp | (u64(0xffff) << 44));
    u64 asid_bits = (MOTE_CSR_READ(satp) >> 44) & 0xffff;
    MOTE_CSR_WRITE(satp, satp);
    asm volatile("sfence.vma" ::: "memory");
    g_asid_count = u32(asid_bits) + 1;
    set_timer(kTimerNever);
    MOTE_CSR_SET(sie, (u64(1) << riscv::kIntTimer) | (u64(1) << riscv::kIntExternal) |
                          (u64(1) << riscv::kIntSoftware));
    return frequency;
}

bool riscv_uses_sstc() { return g_sstc; }

u32 Arch::asid_count() { return g_asid_count; }

void Arch::switch_address_space(u64 root_phys, u16 asid) {
    // Sv39 (mode 8) with this address space's ASID: translations of other
    // ASIDs stay cached, so a switch needs no flush. ASID 0 is "none": the
    // platform uses it when the CPU has too few ASIDs, and then every switch
    // flushes. root_phys 0 is the kernel's own tables.
    if (root_phys == 0) root_phys = riscv::kernel_page_tables().root_phys();
    MOTE_CSR_WRITE(satp, (u64(8) << 60) | (u64(asid) << 44) | (root_phys >> 12));
    if (asid == 0) asm volatile("sfence.vma" ::: "memory");
}

void Arch::set_timer(u64 deadline) {
    if (!g_timer.changes(deadline)) return;
    if (g_sstc) asm volatile("csrw 0x14d, %0" ::"r"(deadline) : "memory");
    else sbi::set_timer(deadline);
}

arch::Frame Arch::caller_frame(arch::Frame frame) {
    // The RISC-V frame record (psABI, "Frame pointer convention"): fp points
    // just above the saved ra (fp - 8) and the caller's fp (fp - 16). Only
    // follow records inside a kernel stack, so a corrupt chain ends the walk
    // instead of faulting inside the crash report.
    const arch::BootLayout& layout = boot_layout();
    auto on_stack = [&](uptr fp) {
        bool kernel = fp >= layout.stack_bottom + 16 && fp <= layout.stack_top;
        bool emergency = fp >= uptr(__emergency_stack_bottom) + 16 && fp <= uptr(__emergency_stack_top);
        return (kernel || emergency) && fp % 8 == 0;
    };
    if (!on_stack(frame.fp)) return {};
    auto* record = reinterpret_cast<const uptr*>(frame.fp);
    arch::Frame next {record[-2], record[-1]};
    if (!on_stack(next.fp) || next.fp == frame.fp) next.fp = 0;
    return next;
}

void Arch::write_registers(const TrapFrame& trap, arch::LineSink sink, void* context) {
    static const char* const kNames[32] = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
                                           "a1",   "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
                                           "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
    for (u32 row = 0; row < 8; ++row) {
        FixedString<128> line;
        line.append(" ");
        for (u32 col = 0; col < 4; ++col) {
            u32 r = row * 4 + col;
            line.appendf(" {:>4} {:016x}", kNames[r], r == 0 ? u64(0) : trap.x[r]);
        }
        sink(line.view(), context);
    }
    FixedString<128> line;
    line.appendf("  sepc {:016x} sstatus {:016x} scause {:016x} stval {:016x}", trap.sepc, trap.sstatus, trap.scause,
                 trap.stval);
    sink(line.view(), context);
}

const char* Arch::trap_cause(const TrapFrame& trap) {
    if (trap.scause & riscv::kCauseInterrupt) return "unexpected interrupt";
    return riscv::exception_name(trap.scause);
}

const char* riscv::exception_name(u64 code) {
    switch (Exception(code)) {
    case Exception::InstructionMisaligned: return "instruction address misaligned";
    case Exception::InstructionAccessFault: return "instruction access fault";
    case Exception::IllegalInstruction: return "illegal instruction";
    case Exception::Breakpoint: return "breakpoint";
    case Exception::LoadMisaligned: return "load address misaligned";
    case Exception::LoadAccessFault: return "load access fault";
    case Exception::StoreMisaligned: return "store/AMO address misaligned";
    case Exception::StoreAccessFault: return "store/AMO access fault";
    case Exception::UserEcall: return "environment call from U-mode";
    case Exception::SupervisorEcall: return "environment call from S-mode";
    case Exception::InstructionPageFault: return "instruction page fault";
    case Exception::LoadPageFault: return "load page fault";
    case Exception::StorePageFault: return "store/AMO page fault";
    }
    return "unknown exception";
}

void Arch::power_off(bool failure) {
    disable_interrupts();
    // SBI 10.1: type 0 = shutdown; reason 0 = none, 1 = system failure.
    // OpenSBI on QEMU virt passes these to the test device, so QEMU exits
    // with status 0, or 1 for a failure.
    if (g_srst) (void)sbi::system_reset(0, failure ? 1 : 0);
    halt();
}

void Arch::reboot() {
    disable_interrupts();
    if (g_srst) (void)sbi::system_reset(1, 0);
    halt();
}

void Arch::halt() {
    disable_interrupts();
    MOTE_CSR_WRITE(sie, 0);
    for (;;) wait_for_interrupt();
}

}  // namespace mote
