// riscv64 entry points: the boot entry from the SBI firmware, the trap
// vector, and the fault-catching trampoline.
//
// Boot protocol (RISC-V SBI spec, and Linux's riscv boot.rst, which OpenSBI
// follows): S-mode, MMU off, a0 = hart id, a1 = physical address of the
// devicetree blob. We run at the physical load address until the MMU is on,
// so everything before `boot_high` must be position independent.

#define FRAME_SIZE (36 * 8)
#define SEPC 256
#define SSTATUS 264
#define SCAUSE 272
#define STVAL 280

// x1 and x3..x31 to/from a TrapFrame at \base (x2, sp, is saved and
// restored by hand: where it goes differs between the paths).
.macro SAVE_GPRS base
    sd x1, 8(\base)
    .irp n, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    sd x\n, (\n * 8)(\base)
    .endr
.endm
.macro LOAD_GPRS base
    ld x1, 8(\base)
    .irp n, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    ld x\n, (\n * 8)(\base)
    .endr
.endm
// x3..x31 but a0 (x10), which holds the frame: it is loaded last.
.macro LOAD_GPRS_FROM_A0
    .irp n, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    ld x\n, (\n * 8)(a0)
    .endr
.endm

    .section .text.boot, "ax"
    .globl _start
_start:
    // Interrupts off until the trap vector exists.
    csrw sie, zero
    csrci sstatus, 2
    mv s0, a0
    mv s1, a1
    lla sp, __stack_top
    // Zero .bss (PC-relative addresses are physical here), 64 bytes a step:
    // it is ~360 KiB, and under an emulator every loop iteration is a
    // dispatched block, so a word-at-a-time loop cost ~45,000 of them.
    // kernel.ld aligns both ends to 64.
    lla t0, __bss_start
    lla t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    sd zero, 8(t0)
    sd zero, 16(t0)
    sd zero, 24(t0)
    sd zero, 32(t0)
    sd zero, 40(t0)
    sd zero, 48(t0)
    sd zero, 56(t0)
    addi t0, t0, 64
    j 1b
2:  mv a0, s0
    mv a1, s1
    call boot_early              // builds the page tables; returns satp or 0
    beqz a0, boot_failed
    sfence.vma
    csrw satp, a0
    sfence.vma
    // Jump to the link (upper-half) address: a literal holds it, since a
    // PC-relative address would still be physical.
    ld t0, .Lhigh
    jr t0
boot_failed:
    wfi
    j boot_failed
    .balign 8
.Lhigh:
    .dword boot_high

    .section .text, "ax"
boot_high:
    lla sp, __stack_top          // now the virtual stack
    li fp, 0                     // the outermost frame ends backtraces
    mv a0, s0
    mv a1, s1
    call kernel_main
3:  wfi
    j 3b

// The trap vector (stvec, direct mode: 4-byte aligned).
//
// sscratch tells where a trap came from: 0 while the kernel runs, the
// running thread's UserFrame while user code runs (arch_enter_user sets
// it). Swapping it with sp is the first instruction, so a trap from user
// mode has its frame in sp at once and never touches the user's stack; a
// trap from the kernel swaps back and takes the kernel path.
//
// Kernel path: saves every register into a TrapFrame on the stack, calls
// trap_handler(frame), and restores every register from the frame, which
// the handler may have edited. A kernel stack overflow lands in the guard
// page; saving the frame there would fault again forever, so a trap whose
// sp is in or just above the guard page switches to the emergency stack
// first. sscratch holds t0 meanwhile, and is 0 again before the handler
// runs.
    .balign 4
    .globl trap_entry
trap_entry:
    csrrw sp, sscratch, sp
    bnez sp, user_trap_entry
    csrrw sp, sscratch, sp
    csrw sscratch, t0
    lla t0, __stack_guard
    sub t0, sp, t0
    srli t0, t0, 10
    sltiu t0, t0, 6              // sp - guard < 6 KiB: in the guard, or nearly
    bnez t0, 1f
    mv t0, sp
    addi sp, sp, -FRAME_SIZE
    j 2f
1:  mv t0, sp
    lla sp, __emergency_stack_top
    addi sp, sp, -FRAME_SIZE
2:  sd t0, 16(sp)                // the interrupted sp
    csrrw t0, sscratch, zero     // t0 back; sscratch = 0: "in the kernel"
    SAVE_GPRS sp
    csrr t0, sepc
    sd t0, SEPC(sp)
    csrr t0, sstatus
    sd t0, SSTATUS(sp)
    csrr t0, scause
    sd t0, SCAUSE(sp)
    csrr t0, stval
    sd t0, STVAL(sp)
    // A frame record for the backtrace: the interrupted pc as the return
    // address and the interrupted fp as the caller's frame.
    mv a0, sp
    ld t0, SEPC(sp)
    addi sp, sp, -16
    sd t0, 8(sp)
    sd fp, 0(sp)
    addi fp, sp, 16
    call trap_handler
    addi sp, sp, 16
    ld t0, SEPC(sp)
    csrw sepc, t0
    ld t0, SSTATUS(sp)
    csrw sstatus, t0
    LOAD_GPRS sp
    ld x2, 16(sp)                // last: sp itself
    sret

// Trap from user mode: sp = the thread's UserFrame (same layout as the
// TrapFrame), sscratch = the user's sp. A syscall takes the short path
// below; anything else saves the user's registers there, then runs
// user_trap_handler(frame) on the kernel stack that arch_enter_user left.
// Both handlers return 0 to resume the thread at once (a syscall that
// finished: no loop turn) or 1 to leave user mode: arch_enter_user then
// returns to its caller.
    .balign 4
user_trap_entry:
    sd t0, 40(sp)
    csrr t0, scause
    addi t0, t0, -8              // 8: environment call from U-mode
    beqz t0, user_syscall_entry
    ld t0, 40(sp)
    SAVE_GPRS sp
    csrrw t0, sscratch, zero     // the user's sp; sscratch = 0: "in the kernel"
    sd t0, 16(sp)
    csrr t0, sepc
    sd t0, SEPC(sp)
    csrr t0, sstatus
    sd t0, SSTATUS(sp)
    csrr t0, scause
    sd t0, SCAUSE(sp)
    csrr t0, stval
    sd t0, STVAL(sp)
    mv s1, sp                    // the frame, kept across the call
    mv a0, sp
    ld sp, g_user_kernel_sp
    li fp, 0                     // backtraces stop at the user boundary
    call user_trap_handler
    bnez a0, leave_user
    mv a0, s1
    j resume_user

// A syscall (ecall from U-mode; t0 is saved). The C++ handler keeps s0..s11
// as the calling convention says, and the kernel never writes gp or tp
// (no linker relaxation, no thread pointer), so only the registers a call
// may clobber are saved here: ra, t0..t6 and a0..a7 (a0..a5 and a7 are
// the arguments), plus s0 and s1, which this path itself uses. gp, tp and
// s2..s11 stay in their registers and reach the frame only if the thread
// leaves (leave_syscall); until then the frame's copies are stale, which
// no syscall reads. Returning, the same registers come back, a0 with the
// result. This halves the register traffic of a syscall that resumes at
// once, the common case.
user_syscall_entry:
    sd ra, 8(sp)
    sd t1, 48(sp)
    sd t2, 56(sp)
    sd s0, 64(sp)
    sd s1, 72(sp)
    .irp n, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 30, 31
    sd x\n, (\n * 8)(sp)
    .endr
    csrrw t0, sscratch, zero     // the user's sp; sscratch = 0: "in the kernel"
    sd t0, 16(sp)
    csrr t0, sepc
    addi t0, t0, 4               // resume after the ecall
    sd t0, SEPC(sp)
    csrr t0, sstatus             // SPP clear and SPIE set: it came from U-mode
    sd t0, SSTATUS(sp)
    mv s1, sp
    mv a0, sp
    ld sp, g_user_kernel_sp
    li fp, 0
    call user_syscall_handler
    bnez a0, leave_syscall
    // Resume: sepc and sstatus from the frame, since a fault caught inside
    // the handler (a copy from user memory) took a trap of its own.
    csrw sscratch, s1
    ld t0, SEPC(s1)
    csrw sepc, t0
    ld t0, SSTATUS(s1)
    csrw sstatus, t0
    ld ra, 8(s1)
    ld sp, 16(s1)
    .irp n, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 30, 31
    ld x\n, (\n * 8)(s1)
    .endr
    ld s1, 72(s1)                // last: the frame itself
    sret

// The thread leaves after a syscall: the registers the short path left in
// place (the handler preserved them) complete its frame.
leave_syscall:
    sd gp, 24(s1)
    sd tp, 32(s1)
    .irp n, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27
    sd x\n, (\n * 8)(s1)
    .endr
    li t0, 8
    sd t0, SCAUSE(s1)
    sd zero, STVAL(s1)
    j leave_user

// u64 arch_enter_user(UserFrame* frame), with interrupts off: saves the
// kernel's callee-saved registers, then runs the thread until
// user_trap_handler says to leave; returns that value.
    .globl arch_enter_user
arch_enter_user:
    lla t0, g_user_kernel_context
    sd ra, 0(t0)
    sd sp, 8(t0)
    sd s0, 16(t0)
    sd s1, 24(t0)
    sd s2, 32(t0)
    sd s3, 40(t0)
    sd s4, 48(t0)
    sd s5, 56(t0)
    sd s6, 64(t0)
    sd s7, 72(t0)
    sd s8, 80(t0)
    sd s9, 88(t0)
    sd s10, 96(t0)
    sd s11, 104(t0)
    sd sp, g_user_kernel_sp, t1
    // fall through, a0 = frame
resume_user:
    csrw sscratch, a0
    ld t0, SEPC(a0)
    csrw sepc, t0
    ld t0, SSTATUS(a0)
    csrw sstatus, t0
    ld x1, 8(a0)
    ld x2, 16(a0)
    LOAD_GPRS_FROM_A0
    ld x10, 80(a0)               // last: a0 itself
    sret

leave_user:
    lla t0, g_user_kernel_context
    ld ra, 0(t0)
    ld sp, 8(t0)
    ld s0, 16(t0)
    ld s1, 24(t0)
    ld s2, 32(t0)
    ld s3, 40(t0)
    ld s4, 48(t0)
    ld s5, 56(t0)
    ld s6, 64(t0)
    ld s7, 72(t0)
    ld s8, 80(t0)
    ld s9, 88(t0)
    ld s10, 96(t0)
    ld s11, 104(t0)
    ret

    .section .bss
    .balign 16
g_user_kernel_context:
    .zero 14 * 8
g_user_kernel_sp:
    .zero 8

    .section .text

// int arch_try(void (*body)(void*), void* context, TryContext* saved)
// Saves the callee-saved registers, sp and ra in *saved and calls body. If
// body faults, trap_handler rewrites the trap frame so that sret lands on
// arch_try_landing with a0 = 1 and a2 = saved: a longjmp done by the trap
// exit path. Returns 0 if body returned normally.
    .globl arch_try
    .globl arch_try_landing
arch_try:
    sd ra, 0(a2)
    sd sp, 8(a2)
    sd s0, 16(a2)
    sd s1, 24(a2)
    sd s2, 32(a2)
    sd s3, 40(a2)
    sd s4, 48(a2)
    sd s5, 56(a2)
    sd s6, 64(a2)
    sd s7, 72(a2)
    sd s8, 80(a2)
    sd s9, 88(a2)
    sd s10, 96(a2)
    sd s11, 104(a2)
    mv s1, a2
    mv t0, a0
    mv a0, a1
    jalr t0
    mv a2, s1
    li a0, 0
arch_try_landing:
    ld ra, 0(a2)
    ld sp, 8(a2)
    ld s0, 16(a2)
    ld s1, 24(a2)
    ld s2, 32(a2)
    ld s3, 40(a2)
    ld s4, 48(a2)
    ld s5, 56(a2)
    ld s6, 64(a2)
    ld s7, 72(a2)
    ld s8, 80(a2)
    ld s9, 88(a2)
    ld s10, 96(a2)
    ld s11, 104(a2)
    ret
