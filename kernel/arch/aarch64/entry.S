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

// The vector table (ARM ARM D1.10.2): 16 entries of 0x80 bytes. Mote runs
// only at EL1 on SP_EL1, so only "current EL with SPx" entries are
// expected; the others report as unexpected. Each entry stashes x0/x1 and
// jumps to the common path with the kind in x1.
.macro VECTOR kind
    .balign 0x80
    msr tpidr_el1, x0
    msr tpidrro_el0, x1
    mov x1, #\kind
    b trap_common
.endm

    .balign 2048
    .globl vectors
vectors:
    VECTOR 4   // current EL, SP0: sync
    VECTOR 4   // irq
    VECTOR 4   // fiq
    VECTOR 4   // serror
    VECTOR 0   // current EL, SPx: sync
    VECTOR 1   // irq
    VECTOR 2   // fiq
    VECTOR 3   // serror
    VECTOR 4   // lower EL, AArch64
    VECTOR 4
    VECTOR 4
    VECTOR 4
    VECTOR 4   // lower EL, AArch32
    VECTOR 4
    VECTOR 4
    VECTOR 4

// Saves a TrapFrame, calls trap_handler(frame, kind), restores the frame
// (which the handler may have edited) and returns. A trap whose sp is in or
// just above the stack guard page switches to the emergency stack first, or
// saving the frame would fault forever.
trap_common:
    mov x0, sp
    msr sp_el0, x0               // the interrupted sp
    adrp x0, __stack_guard
    add x0, x0, :lo12:__stack_guard
    sub x0, sp, x0
    lsr x0, x0, #10
    cmp x0, #6
    b.hs 1f
    adrp x0, __emergency_stack_top
    add x0, x0, :lo12:__emergency_stack_top
    mov sp, x0
1:  sub sp, sp, #FRAME_SIZE
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x19, [sp, #144]
    stp x20, x21, [sp, #160]
    stp x22, x23, [sp, #176]
    stp x24, x25, [sp, #192]
    stp x26, x27, [sp, #208]
    stp x28, x29, [sp, #224]
    str x30, [sp, #240]
    mrs x0, tpidr_el1
    mrs x2, tpidrro_el0
    stp x0, x2, [sp, #0]
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
