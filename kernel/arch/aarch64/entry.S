// aarch64 entry points: the arm64 Image header and boot entry, the exception
// vectors, and the fault-catching trampoline.
//
// Boot protocol (Linux Documentation/arch/arm64/booting.rst, which QEMU's
// -kernel follows for images with this header): MMU off, x0 = physical
// address of the devicetree blob, entered at EL2 or EL1. We run at the
// physical load address until the MMU is on, so everything before boot_high
// is position independent (adrp/add are PC-relative).

#define FRAME_SIZE (36 * 8)
#define FRAME_SP 248
#define FRAME_ELR 256
#define FRAME_SPSR 264
#define FRAME_ESR 272
#define FRAME_FAR 280

    .section .text.boot, "ax"
    .globl _start
_start:
    b primary                    // code0
    .word 0                      // code1
    .quad 0                      // text_offset: QEMU loads us 2 MiB into RAM
    .quad __image_size           // image_size, .bss included
    .quad 0xa                    // flags: little-endian, 4 KiB pages, anywhere in RAM
    .quad 0, 0, 0                // res2..res4
    .ascii "ARM\x64"             // magic
    .word 0                      // res5

primary:
    mov x19, x0                  // the devicetree
    mrs x1, CurrentEL
    lsr x1, x1, #2
    cmp x1, #2
    b.ne at_el1
    // EL2 -> EL1 (ARM ARM D1.11, "Exception return"): EL1 is AArch64, may
    // read the counter and use the EL1 timers, and (GICv3) the GIC system
    // registers; then "return" to at_el1 with every exception masked.
    mov x1, #(1 << 31)           // HCR_EL2.RW
    msr hcr_el2, x1
    mrs x1, cnthctl_el2
    orr x1, x1, #3               // EL1PCTEN | EL1PCEN
    msr cnthctl_el2, x1
    msr cntvoff_el2, xzr
    mrs x1, id_aa64pfr0_el1
    ubfx x1, x1, #24, #4         // GIC system register interface present?
    cbz x1, 1f
    mrs x1, S3_4_C12_C9_5        // ICC_SRE_EL2
    mov x2, #9
    orr x1, x1, x2               // SRE | Enable (lower ELs may use SRE)
    msr S3_4_C12_C9_5, x1
    isb
1:  mov x1, #0x3c5               // EL1h, DAIF masked
    msr spsr_el2, x1
    adr x1, at_el1
    msr elr_el2, x1
    eret

at_el1:
    // SCTLR_EL1 with the MMU and caches off and the RES1 bits set.
    mov x1, #0x0800
    movk x1, #0x30d0, lsl #16
    msr sctlr_el1, x1
    isb
    adrp x1, __stack_top
    add x1, x1, :lo12:__stack_top
    mov sp, x1
    adrp x1, __bss_start
    add x1, x1, :lo12:__bss_start
    adrp x2, __bss_end
    add x2, x2, :lo12:__bss_end
    // 64 bytes a step (kernel.ld aligns both ends): ~45,000 word stores
    // would each be a dispatched block under an emulator. Not dc zva: with
    // the MMU off every access is Device memory, where it faults.
2:  cmp x1, x2
    b.hs 3f
    stp xzr, xzr, [x1]
    stp xzr, xzr, [x1, #16]
    stp xzr, xzr, [x1, #32]
    stp xzr, xzr, [x1, #48]
    add x1, x1, #64
    b 2b
3:  mov x0, x19
    bl boot_early                // builds the tables and turns the MMU on
    cbz x0, boot_failed
    ldr x1, =boot_high           // the link (upper-half) address
    br x1
boot_failed:
    wfi
    b boot_failed
    .ltorg

    .section .text, "ax"
boot_high:
    adrp x1, __stack_top
    add x1, x1, :lo12:__stack_top
    mov sp, x1
    adrp x1, vectors
    add x1, x1, :lo12:vectors
    msr vbar_el1, x1
    isb
    mov x29, #0
    mov x30, #0
    mov x0, #0
    mov x1, x19
    bl kernel_main
4:  wfi
    b 4b

// The vector table (ARM ARM D1.10.2): 16 entries of 0x80 bytes. The
// kernel runs only at EL1 on SP_EL1, so of the "current EL" entries only
// the SPx ones are expected; user threads run at EL0 in AArch64 state, so
// of the "lower EL" entries only the AArch64 ones are.
//
// Kernel path (KERNEL_VECTOR): saves every register into a TrapFrame on the
// stack, calls trap_handler(frame, kind), restores every register from the
// frame (which the handler may have edited) and returns. A kernel stack
// overflow lands in the guard page, and saving the frame there would fault
// forever, so a trap whose sp is in or just above the guard page switches to
// the emergency stack first. Until the frame exists the path has no memory
// to spill to, so two EL1-only system registers hold its scratch: TPIDR_EL1
// keeps x0, SP_EL0 the interrupted sp. Both are free for that while the
// kernel runs: the user path below reloads them from the thread's frame
// before every return to EL0 (never a register EL0 can read, such as
// TPIDRRO_EL0: that would show kernel values to user code).
.macro KERNEL_VECTOR kind
    .balign 0x80
    msr tpidr_el1, x0
    mov x0, sp
    msr sp_el0, x0               // the interrupted sp
    adrp x0, __stack_guard
    add x0, x0, :lo12:__stack_guard
    sub x0, sp, x0
    lsr x0, x0, #10
    cmp x0, #6                   // sp - guard < 6 KiB: in the guard, or nearly
    b.hs 1f
    adrp x0, __emergency_stack_top
    add x0, x0, :lo12:__emergency_stack_top
    mov sp, x0
1:  sub sp, sp, #FRAME_SIZE
    stp x1, x2, [sp, #8]
    mov x1, #\kind
    b trap_common
.endm

// User path (USER_VECTOR): a trap from EL0. arch_enter_user left SP_EL1 at
// the kernel stack to use and TPIDR_EL1 pointing at the running thread's
// frame (the same TrapFrame layout), so the entry spills x0 to the kernel
// stack, saves the user's registers straight into the thread's frame and
// runs user_trap_handler(frame, kind) on that stack. The user's stack is
// never touched.
.macro USER_VECTOR kind
    .balign 0x80
    str x0, [sp, #-16]!
    mrs x0, tpidr_el1            // the thread's frame
    stp x1, x2, [x0, #8]
    mov x1, #\kind
    b user_trap_common
.endm

    .balign 2048
    .globl vectors
vectors:
    KERNEL_VECTOR 4   // current EL, SP0: sync
    KERNEL_VECTOR 4   // irq
    KERNEL_VECTOR 4   // fiq
    KERNEL_VECTOR 4   // serror
    KERNEL_VECTOR 0   // current EL, SPx: sync
    KERNEL_VECTOR 1   // irq
    KERNEL_VECTOR 2   // fiq
    KERNEL_VECTOR 3   // serror
    USER_VECTOR 0     // lower EL, AArch64: sync
    USER_VECTOR 1     // irq
    USER_VECTOR 2     // fiq
    USER_VECTOR 3     // serror
    KERNEL_VECTOR 4   // lower EL, AArch32: never (EL0 is AArch64 only)
    KERNEL_VECTOR 4
    KERNEL_VECTOR 4
    KERNEL_VECTOR 4

// The rest of the kernel path: sp = the frame, x1, x2 saved, x1 = kind,
// x0 in TPIDR_EL1, the interrupted sp in SP_EL0.
trap_common:
    stp x3, x4, [sp, #24]
    stp x5, x6, [sp, #40]
    stp x7, x8, [sp, #56]
    stp x9, x10, [sp, #72]
    stp x11, x12, [sp, #88]
    stp x13, x14, [sp, #104]
    stp x15, x16, [sp, #120]
    stp x17, x18, [sp, #136]
    stp x19, x20, [sp, #152]
    stp x21, x22, [sp, #168]
    stp x23, x24, [sp, #184]
    stp x25, x26, [sp, #200]
    stp x27, x28, [sp, #216]
    stp x29, x30, [sp, #232]
    mrs x0, tpidr_el1
    str x0, [sp, #0]
    mrs x0, sp_el0
    str x0, [sp, #FRAME_SP]
    mrs x0, elr_el1
    mrs x2, spsr_el1
    stp x0, x2, [sp, #FRAME_ELR]
    mrs x0, esr_el1
    mrs x2, far_el1
    stp x0, x2, [sp, #FRAME_ESR]
    // A frame record so backtraces continue into the interrupted code.
    ldr x0, [sp, #FRAME_ELR]
    stp x29, x0, [sp, #-16]!
    mov x29, sp
    add x0, sp, #16
    bl trap_handler              // (frame, kind)
    add sp, sp, #16
    ldp x0, x2, [sp, #FRAME_ELR]
    msr elr_el1, x0
    msr spsr_el1, x2
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x19, [sp, #144]
    ldp x20, x21, [sp, #160]
    ldp x22, x23, [sp, #176]
    ldp x24, x25, [sp, #192]
    ldp x26, x27, [sp, #208]
    ldp x28, x29, [sp, #224]
    ldr x30, [sp, #240]
    mov x0, sp
    ldr x1, [x0, #FRAME_SP]
    mov sp, x1
    ldp x0, x1, [x0]
    eret

// The rest of the user path: x0 = the thread's frame with x1, x2 saved,
// x1 = kind, the user's x0 on top of the kernel stack, the user's sp in
// SP_EL0. user_trap_handler returns 0 to resume the thread at once (a
// syscall that finished: the fast path, no loop turn) or 1 to leave user
// mode: arch_enter_user then returns to its caller. Interrupts stay masked
// throughout (exception entry set PSTATE.DAIF), as the facade wants.
user_trap_common:
    stp x3, x4, [x0, #24]
    stp x5, x6, [x0, #40]
    stp x7, x8, [x0, #56]
    stp x9, x10, [x0, #72]
    stp x11, x12, [x0, #88]
    stp x13, x14, [x0, #104]
    stp x15, x16, [x0, #120]
    stp x17, x18, [x0, #136]
    stp x19, x20, [x0, #152]
    stp x21, x22, [x0, #168]
    stp x23, x24, [x0, #184]
    stp x25, x26, [x0, #200]
    stp x27, x28, [x0, #216]
    stp x29, x30, [x0, #232]
    ldr x2, [sp], #16            // the user's x0; sp is the kernel sp again
    str x2, [x0, #0]
    mrs x2, sp_el0
    str x2, [x0, #FRAME_SP]
    mrs x2, elr_el1
    mrs x3, spsr_el1
    stp x2, x3, [x0, #FRAME_ELR]
    mrs x2, esr_el1
    mrs x3, far_el1
    stp x2, x3, [x0, #FRAME_ESR]
    mov x19, x0                  // the frame, kept across the call
    mov x29, #0                  // backtraces stop at the user boundary
    mov x30, #0
    bl user_trap_handler         // (frame, kind)
    cbnz x0, leave_user
    mov x0, x19
    b resume_user

// void arch_enter_user(TrapFrame* frame), with interrupts masked: saves the
// kernel's callee-saved registers and sp, then runs the thread until
// user_trap_handler says to leave.
    .globl arch_enter_user
arch_enter_user:
    adrp x9, g_user_kernel_context
    add x9, x9, :lo12:g_user_kernel_context
    stp x19, x20, [x9, #0]
    stp x21, x22, [x9, #16]
    stp x23, x24, [x9, #32]
    stp x25, x26, [x9, #48]
    stp x27, x28, [x9, #64]
    stp x29, x30, [x9, #80]
    mov x10, sp
    str x10, [x9, #96]
    // fall through, x0 = frame
// Returns to EL0 with the registers in the frame at x0. sp stays where it
// is: SP_EL1 is the stack the next trap from EL0 starts on (at the kernel
// sp of arch_enter_user: the frames below it are free). TPIDR_EL1 = the
// frame, for the user vectors. The DSB makes every page-table write the
// kernel made for this thread (a map, a new address space) visible to the
// table walker before user code can need it; the ERET that follows is the
// context synchronization (ARM ARM D8.2.6, "Ordering of translation table
// updates").
resume_user:
    msr tpidr_el1, x0
    ldp x1, x2, [x0, #FRAME_ELR]
    msr elr_el1, x1
    msr spsr_el1, x2
    ldr x1, [x0, #FRAME_SP]
    msr sp_el0, x1
    dsb ishst
    ldp x2, x3, [x0, #16]
    ldp x4, x5, [x0, #32]
    ldp x6, x7, [x0, #48]
    ldp x8, x9, [x0, #64]
    ldp x10, x11, [x0, #80]
    ldp x12, x13, [x0, #96]
    ldp x14, x15, [x0, #112]
    ldp x16, x17, [x0, #128]
    ldp x18, x19, [x0, #144]
    ldp x20, x21, [x0, #160]
    ldp x22, x23, [x0, #176]
    ldp x24, x25, [x0, #192]
    ldp x26, x27, [x0, #208]
    ldp x28, x29, [x0, #224]
    ldr x30, [x0, #240]
    ldp x0, x1, [x0]             // last: x0 itself
    eret

// Back to arch_enter_user's caller, interrupts still masked.
leave_user:
    adrp x9, g_user_kernel_context
    add x9, x9, :lo12:g_user_kernel_context
    ldp x19, x20, [x9, #0]
    ldp x21, x22, [x9, #16]
    ldp x23, x24, [x9, #32]
    ldp x25, x26, [x9, #48]
    ldp x27, x28, [x9, #64]
    ldp x29, x30, [x9, #80]
    ldr x10, [x9, #96]
    mov sp, x10
    ret

    .section .bss
    .balign 16
g_user_kernel_context:
    .zero 13 * 8

    .section .text, "ax"

// int arch_try(void (*body)(void*), void* context, TryContext* saved):
// saves x19..x30 and sp, calls body(context). A fault inside body makes
// trap_handler point the trap frame at arch_try_landing with x0 = 1 and
// x2 = saved, so the exception return lands here as a longjmp would.
    .globl arch_try
    .globl arch_try_landing
arch_try:
    stp x19, x20, [x2, #0]
    stp x21, x22, [x2, #16]
    stp x23, x24, [x2, #32]
    stp x25, x26, [x2, #48]
    stp x27, x28, [x2, #64]
    stp x29, x30, [x2, #80]
    mov x3, sp
    str x3, [x2, #96]
    mov x19, x2
    mov x3, x0
    mov x0, x1
    blr x3
    mov x2, x19
    mov x0, #0
arch_try_landing:
    ldp x19, x20, [x2, #0]
    ldp x21, x22, [x2, #16]
    ldp x23, x24, [x2, #32]
    ldp x25, x26, [x2, #48]
    ldp x27, x28, [x2, #64]
    ldp x29, x30, [x2, #80]
    ldr x3, [x2, #96]
    mov sp, x3
    ret
