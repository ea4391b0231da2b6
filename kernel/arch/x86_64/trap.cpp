// x86_64 descriptor tables and trap handling: the GDT with the user
// segments and a TSS (whose rsp0 is the kernel stack a trap from ring 3
// lands on, and whose IST1 gives the double fault and NMI their own stack,
// so a kernel stack overflow into the guard page still gets a report), the
// IDT of 256 stubs, and the C++ handlers they reach. Interrupts go to the
// timer or the platform (which only posts them to the loop); exceptions
// become a crash report unless a catch_fault() is waiting for them, or,
// from ring 3, a fault of the user thread.
#include "arch/arch.hpp"
#include "arch/fault_catch.hpp"
#include "arch/x86_64/x86.hpp"
#include "core/loop.hpp"

namespace mote::x86 {
// The 64-bit TSS (SDM vol. 3A 8.7, figure 8-11): rsp[0] is the stack the
// CPU switches to on a trap from ring 3 (arch_enter_user sets it), ist[0]
// the emergency stack. No I/O permission bitmap: ring 3 has no port I/O.
struct [[gnu::packed]] Tss {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 iomap_base;
};
static_assert(sizeof(Tss) == 104);
static_assert(__builtin_offsetof(Tss, rsp) == 4, "entry.S stores rsp0 at x86_tss + 4");
}  // namespace mote::x86

extern "C" {
extern char isr_stubs[];
extern char __emergency_stack_top[];
// entry.S reaches it by name to set rsp0.
mote::x86::Tss x86_tss;
void arch_enter_user(mote::x86::TrapFrame* frame);
}

namespace mote {

namespace {

using x86::Tss;
constexpr u16 kCodeSelector = x86::kKernelCode;
Tss& g_tss = x86_tss;

struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};

// A 64-bit interrupt gate (SDM vol. 3A 6.14.1, figure 6-8).
struct IdtEntry {
    u16 offset_low;
    u16 selector;
    u8 ist;
    u8 type;  // 0x8e: present, DPL 0, interrupt gate (IF cleared on entry)
    u16 offset_mid;
    u32 offset_high;
    u32 reserved;
};
static_assert(sizeof(IdtEntry) == 16);

alignas(16) u64 g_gdt[8];
alignas(16) IdtEntry g_idt[256];

arch::TrapStats g_stats;

void set_gate(u32 vector, u8 ist) {
    u64 handler = reinterpret_cast<u64>(isr_stubs) + 16 * u64(vector);
    g_idt[vector] = {u16(handler), kCodeSelector, ist, 0x8e, u16(handler >> 16), u32(handler >> 32), 0};
}

void handle_interrupt(x86::TrapFrame& frame, bool from_user) {
    ++interrupt_depth();
    u32 vector = u32(frame.vector);
    if (vector == x86::kVectorTimer) {
        // The timer only wakes the loop, which fires whatever is due on
        // its next turn and re-arms for the next deadline.
        ++g_stats.timer_interrupts;
        x86::timer_fired();
        x86::lapic_eoi();
        platform_timer_interrupt(frame, from_user);
    } else if (vector >= x86::kVectorIrqBase && vector < x86::kVectorIrqBase + x86::kMaxIrqInputs) {
        ++g_stats.external_interrupts;
        // The I/O APIC driver hands this input to the platform's claim().
        x86::io_apic().note_pending(vector - x86::kVectorIrqBase);
        platform_interrupt(frame, from_user);
    } else if (vector == x86::kVectorSpurious || (vector >= x86::kVectorPicBase && vector < x86::kVectorPicBase + 16)) {
        // The APIC's spurious vector takes no EOI (SDM vol. 3A 11.9); the
        // masked PIC's IRQ 7/15 ghosts are spurious too.
        ++g_stats.spurious_interrupts;
    } else {
        ++g_stats.weird_interrupts;
        x86::lapic_eoi();
    }
    --interrupt_depth();
}

}  // namespace

arch::TrapStats& arch::trap_stats() { return g_stats; }

void x86::install_descriptors() {
    g_gdt[0] = 0;
    g_gdt[1] = 0x00af9a000000ffff;  // 64-bit code, DPL 0
    g_gdt[2] = 0x00cf92000000ffff;  // data
    // SYSRET's slots (x86.hpp): 0x18 would be its 32-bit code and stays
    // null (no compatibility mode), then user data and 64-bit user code,
    // DPL 3 (access bytes 0xf2, 0xfa).
    g_gdt[3] = 0;
    g_gdt[4] = 0x00cff2000000ffff;
    g_gdt[5] = 0x00affa000000ffff;
    // The TSS descriptor takes two slots (SDM vol. 3A 8.2.3, figure 8-4).
    u64 base = reinterpret_cast<u64>(&g_tss);
    u64 limit = sizeof(Tss) - 1;
    g_gdt[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (u64(0x89) << 40) | (((limit >> 16) & 0xf) << 48) |
               (((base >> 24) & 0xff) << 56);
    g_gdt[7] = base >> 32;
    g_tss.ist[0] = reinterpret_cast<u64>(__emergency_stack_top);
    g_tss.iomap_base = sizeof(Tss);

    DescriptorPointer gdtr {sizeof(g_gdt) - 1, reinterpret_cast<u64>(g_gdt)};
    asm volatile("lgdt %0" ::"m"(gdtr) : "memory");
    // Reload CS through a far return, then the data segments and TR.
    asm volatile(
        "pushq %[code]\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"
        "1:\n"
        "movw $0x10, %%ax\n"
        "movw %%ax, %%ds\n"
        "movw %%ax, %%es\n"
        "movw %%ax, %%ss\n"
        "ltr %w[tss]\n"
        :
        : [code] "i"(u64(kCodeSelector)), [tss] "r"(x86::kTssSelector)
        : "rax", "memory");

    // #DF, NMI and #MC on IST1: they may arrive where rsp is not a kernel
    // stack (the guard page, or between SYSCALL and the stack switch, or
    // just before SYSRET, where it is the user's).
    for (u32 v = 0; v < 256; ++v) set_gate(v, (v == 2 || v == 8 || v == 18) ? 1 : 0);
    DescriptorPointer idtr {sizeof(g_idt) - 1, reinterpret_cast<u64>(g_idt)};
    asm volatile("lidt %0" ::"m"(idtr) : "memory");
}

void Arch::user_frame_init(TrapFrame& frame, u64 entry, u64 sp, u64 argument) {
    frame = {};
    frame.rip = entry;
    frame.rsp = sp;
    frame.rdi = argument;
    frame.cs = x86::kUserCode;
    frame.ss = x86::kUserData;
    frame.rflags = x86::kFlagsIf | x86::kFlagsReserved1;
}

void Arch::enter_user(TrapFrame& frame) {
    // Whatever happened to the frame, the thread runs in ring 3 with
    // interrupts on and nothing privileged in RFLAGS.
    frame.cs = x86::kUserCode;
    frame.ss = x86::kUserData;
    frame.rflags = (frame.rflags & x86::kUserFlags) | x86::kFlagsIf | x86::kFlagsReserved1;
    // IRETQ to a non-canonical RIP raises #GP before it leaves ring 0 (SDM
    // vol. 2A, IRET), which would be a kernel crash: make it the thread's.
    if (!x86::user_canonical(frame.rip)) {
        platform_user_trap(frame, arch::UserTrapKind::Fault, {13, 0, frame.rip, x86::exception_name(13)});
        return;
    }
    arch_enter_user(&frame);
}

// The trap path of a user thread (entry.S: syscall_entry, and isr_common
// for a trap from ring 3), on the kernel stack with interrupts off; the
// thread's registers are in `frame`. Returns 0 to resume it at once with
// SYSRET, 1 to return from arch_enter_user to the loop.
extern "C" u64 user_trap_handler(x86::TrapFrame& frame) {
    if (frame.vector == x86::kVectorSyscall) [[likely]] {
        bool resume = platform_user_syscall(frame) == arch::UserTrapAction::Resume;
        // SYSRET loads RFLAGS from r11 and RIP from rcx; a non-canonical
        // RCX would fault in ring 0 on Intel CPUs (the SYSRET erratum), so
        // such a thread leaves and enter_user makes it a fault.
        frame.rflags = (frame.rflags & x86::kUserFlags) | x86::kFlagsIf | x86::kFlagsReserved1;
        return resume && x86::user_canonical(frame.rip) ? 0 : 1;
    }
    if (frame.vector >= 32) {
        handle_interrupt(frame, true);
        platform_user_trap(frame, arch::UserTrapKind::Interrupt, {});
        return 1;
    }
    // A double fault, NMI or machine check is the machine's problem, not
    // the thread's.
    if (frame.vector == 2 || frame.vector == 8 || frame.vector == 18) platform_crash(frame, nullptr);
    arch::FaultInfo fault {frame.vector, uptr(frame.vector == 14 ? frame.cr2 : 0), frame.rip,
                           x86::exception_name(frame.vector)};
    // Resume: the platform brought in a lazy page (first touch of the stack).
    return platform_user_trap(frame, arch::UserTrapKind::Fault, fault) == arch::UserTrapAction::Resume ? 0 : 1;
}

extern "C" void trap_handler(x86::TrapFrame& frame) {
    if (frame.vector >= 32) {
        handle_interrupt(frame, false);
        return;
    }
    // A double fault is never recoverable: its saved state is undefined
    // (SDM vol. 3A 6.15, interrupt 8).
    if (frame.vector != 8 && arch::catch_pending_fault(frame, {frame.vector, uptr(frame.vector == 14 ? frame.cr2 : 0),
                                                              frame.rip, x86::exception_name(frame.vector)}))
        return;
    const char* message = nullptr;
    if (frame.vector == 3) message = arch::panic_message();
    platform_crash(frame, message);
}

}  // namespace mote
