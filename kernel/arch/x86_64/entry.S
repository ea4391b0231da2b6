// x86_64 entry points: the PVH boot entry, the interrupt stubs, the way
// into and out of ring 3 (arch_enter_user, syscall_entry), and the
// fault-catching trampoline.
//
// Boot protocol (Xen's "x86/HVM direct boot ABI", docs/misc/pvh.pandoc,
// which QEMU implements for -kernel): the loader finds the
// XEN_ELFNOTE_PHYS32_ENTRY note and enters there in 32-bit protected mode
// with paging off, flat 4 GiB CS/DS/ES/SS, interrupts off, and ebx holding
// the physical address of the hvm_start_info structure. The GDT it used
// may be gone: load our own before touching a segment register.
//
// The 32-bit code runs at the physical load address and names everything
// by PHYS(symbol); it builds a bootstrap page table that maps the first
// 1 GiB twice (identity, and at KERNEL_OFFSET where the image is linked),
// enters long mode (SDM vol. 3A 10.8.5, "Initializing IA-32e Mode") and
// jumps to the link address. kernel_main (boot.cpp) then builds the real
// address space and drops the bootstrap one.

#define KERNEL_OFFSET 0xffffffff80000000
#define PHYS(x) ((x) - KERNEL_OFFSET)

#define XEN_ELFNOTE_PHYS32_ENTRY 18

// The TrapFrame (cpu.hpp): 23 quadwords, these at their byte offsets.
#define FRAME_BYTES (23 * 8)
#define FRAME_VECTOR 128
#define FRAME_CS 152
#define USER_DATA 0x23                // x86::kUserData
#define USER_CODE 0x2b                // x86::kUserCode
#define VECTOR_SYSCALL 0x100          // x86::kVectorSyscall

// The general registers in TrapFrame order (cpu.hpp): pushed r9 first, so
// r15 ends up lowest, right above cr2, and the syscall arguments (rdi rsi
// rdx r10 r8 r9) lie in order just below the vector.
.macro PUSH_GPRS
    .irp r, r9, r8, r10, rdx, rsi, rdi, rbp, rax, rbx, rcx, r11, r12, r13, r14, r15
    pushq %\r
    .endr
.endm
.macro POP_GPRS
    .irp r, r15, r14, r13, r12, r11, rcx, rbx, rax, rbp, rdi, rsi, rdx, r10, r8, r9
    popq %\r
    .endr
.endm

    .section .note.pvh, "a", @note
    .balign 4
    .long 4                          // namesz: "Xen\0"
    .long 4                          // descsz
    .long XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .long PHYS(_start32)

    .section .text.boot, "ax"
    .code32
    .globl _start32
_start32:
    cli
    cld
    movl %ebx, %ebp                  // the start info, kept across the set-up
    movl $PHYS(__stack_top), %esp
    // Zero .bss (the bootstrap tables live there).
    movl $PHYS(__bss_start), %edi
    movl $PHYS(__bss_end), %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb
    // Long mode is required (CPUID 0x80000001 EDX.LM, bit 29).
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb no_long_mode
    movl $0x80000001, %eax
    cpuid
    btl $29, %edx
    jnc no_long_mode
    movl %edx, %esi                  // bit 20: NX

    // Bootstrap tables: 512 2 MiB pages for the first 1 GiB, reached from
    // PML4[0] (identity) and PML4[511]/PDPT[510] (KERNEL_OFFSET).
    movl $PHYS(boot_pd), %edi
    movl $0x83, %eax                 // present, writable, 2 MiB page
    xorl %ecx, %ecx
1:  movl %eax, (%edi,%ecx,8)
    addl $0x200000, %eax
    incl %ecx
    cmpl $512, %ecx
    jne 1b
    movl $PHYS(boot_pd), %eax
    orl $0x3, %eax
    movl %eax, PHYS(boot_pdpt_low)
    movl %eax, PHYS(boot_pdpt_high) + 510 * 8
    movl $PHYS(boot_pdpt_low), %eax
    orl $0x3, %eax
    movl %eax, PHYS(boot_pml4)
    movl $PHYS(boot_pdpt_high), %eax
    orl $0x3, %eax
    movl %eax, PHYS(boot_pml4) + 511 * 8

    movl %cr4, %eax
    orl $(1 << 5), %eax              // PAE
    movl %eax, %cr4
    movl $PHYS(boot_pml4), %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx           // EFER
    rdmsr
    orl $(1 << 8), %eax              // LME
    btl $20, %esi
    jnc 2f
    orl $(1 << 11), %eax             // NXE, if the CPU has NX
2:  wrmsr
    movl %cr0, %eax
    orl $((1 << 31) | (1 << 16) | 1), %eax   // PG, WP (supervisor writes obey R/O), PE
    movl %eax, %cr0
    lgdt PHYS(boot_gdt_pointer)
    ljmp $0x08, $PHYS(start64)

no_long_mode:
    // Say so on COM1 (the only output there is yet), then stop.
    movl $PHYS(no_long_mode_text), %esi
3:  lodsb
    testb %al, %al
    jz 4f
    movw $0x3f8, %dx
    outb %al, %dx
    jmp 3b
4:  hlt
    jmp 4b

    .code64
start64:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movl %ebp, %edi                  // start info phys: kernel_main's argument
    movabsq $boot_high, %rax
    jmp *%rax

    .section .rodata
no_long_mode_text:
    .asciz "mote: this CPU has no long mode\r\n"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff         // 0x08: 64-bit code, DPL 0
    .quad 0x00cf92000000ffff         // 0x10: data
boot_gdt_end:
boot_gdt_pointer:
    .word boot_gdt_end - boot_gdt - 1
    .long PHYS(boot_gdt)

    .section .bss
    .balign 4096
    .globl boot_pml4
boot_pml4:
    .skip 4096
boot_pdpt_low:
    .skip 4096
boot_pdpt_high:
    .skip 4096
boot_pd:
    .skip 4096

    .section .text
boot_high:
    leaq __stack_top(%rip), %rsp     // the stack at its link address
    xorl %ebp, %ebp                  // the outermost frame ends backtraces
    call kernel_main
5:  hlt
    jmp 5b

// The interrupt stubs: one 16-byte stub per vector, in vector order, so
// trap.cpp finds stub n at isr_stubs + 16 * n. Vectors for which the CPU
// pushes no error code push a zero, so every frame has the same layout
// (SDM vol. 3A 6.13: 8, 10-14, 17, 21, 29 and 30 have one).
    .balign 16
    .globl isr_stubs
isr_stubs:
    .set vector, 0
    .rept 256
    .balign 16
    .if (vector == 8) || (vector >= 10 && vector <= 14) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
    .else
    pushq $0
    .endif
    pushq $vector
    jmp isr_common
    .set vector, vector + 1
    .endr

// Saves the general registers and CR2 into a TrapFrame (cpu.hpp), calls
// trap_handler(frame) and restores everything from the frame, which the
// handler may have edited. The CPU aligned rsp to 16 before its pushes
// (6.14.2), so after 6 + 16 + 1 quadwords and the 2-quadword frame record
// one more 8-byte pad aligns the call.
isr_common:
    PUSH_GPRS
    movq %cr2, %rax
    pushq %rax
    // From ring 3 (the CPU switched to TSS.rsp0): the user thread's path.
    testb $3, FRAME_CS(%rsp)
    jnz user_trap_from_idt
    movq %rsp, %rdi
    // A frame record for backtraces through the handler: the interrupted
    // rip as return address, the interrupted rbp as the caller's frame.
    pushq 144(%rdi)
    pushq %rbp
    movq %rsp, %rbp
    subq $8, %rsp
    cld
    call trap_handler
    addq $(8 + 16 + 8), %rsp         // pad, frame record, cr2
    POP_GPRS
    addq $16, %rsp                   // vector, error code
    iretq

// User mode. One CPU, so no per-CPU area and no swapgs: these globals,
// reached RIP-relative, say where the running thread's frame is and which
// kernel stack its traps run on. GS is never used by the kernel, so
// whatever ring 3 leaves in it does not matter.
//
// void arch_enter_user(TrapFrame* frame), interrupts off: saves the kernel's
// callee-saved registers and rsp, makes the stack below this call the
// kernel stack of every trap from the thread (g_user_kernel_sp, TSS.rsp0),
// and IRETQs into the thread from its frame (the frame's layout is what
// IRETQ pops, after the general registers). It returns only through
// leave_user, once user_trap_handler says so.
    .globl arch_enter_user
arch_enter_user:
    movq %rbx, g_user_kernel_context + 0(%rip)
    movq %rbp, g_user_kernel_context + 8(%rip)
    movq %r12, g_user_kernel_context + 16(%rip)
    movq %r13, g_user_kernel_context + 24(%rip)
    movq %r14, g_user_kernel_context + 32(%rip)
    movq %r15, g_user_kernel_context + 40(%rip)
    movq %rsp, g_user_kernel_context + 48(%rip)
    leaq -8(%rsp), %rax              // the call left rsp at 16n + 8: 16-aligned
    andq $-16, %rax
    movq %rax, g_user_kernel_sp(%rip)
    movq %rax, x86_tss + 4(%rip)     // TSS.rsp0
    movq %rdi, g_user_frame(%rip)
    leaq FRAME_BYTES(%rdi), %rax
    movq %rax, g_user_frame_end(%rip)
    movq %rdi, %rsp
    addq $8, %rsp                    // cr2
    POP_GPRS
    addq $16, %rsp                   // vector, error code
    iretq                            // rip, cs, rflags, rsp, ss

// SYSCALL from ring 3 (IA32_LSTAR): rcx = the user's rip, r11 = its rflags,
// IF, DF, TF and AC cleared by IA32_FMASK, and rsp still the user's (the
// CPU switches no stack, SDM vol. 2B, SYSCALL). The user's rsp goes to a
// scratch word, then rsp points at the end of the thread's frame and the
// registers are pushed straight into it in TrapFrame order, as if an
// interrupt had arrived: no copy. An NMI in the window where rsp is not a
// kernel stack runs on IST1.
    .balign 16
    .globl syscall_entry
syscall_entry:
    movq %rsp, g_user_rsp(%rip)
    movq g_user_frame_end(%rip), %rsp
    pushq $USER_DATA                 // ss
    pushq g_user_rsp(%rip)           // rsp
    pushq %r11                       // rflags
    pushq $USER_CODE                 // cs
    pushq %rcx                       // rip: the instruction after SYSCALL
    pushq $0                         // error code
    pushq $VECTOR_SYSCALL
    PUSH_GPRS
    pushq $0                         // cr2
    movq %rsp, %rbx                  // the frame, kept across the call
    // fall through

// rbx = the thread's frame, filled in. Runs user_trap_handler on the
// kernel stack arch_enter_user left; 0 resumes the thread with SYSRET, 1
// leaves to the loop.
user_trap_call:
    movq g_user_kernel_sp(%rip), %rsp
    xorl %ebp, %ebp                  // backtraces stop at the user boundary
    cld
    movq %rbx, %rdi
    call user_trap_handler
    testq %rax, %rax
    jnz leave_user
    // A fault resumed in place (a lazy stack page brought in) goes back with
    // IRETQ: SYSRET would overwrite the interrupted code's rcx and r11, which
    // only a syscall gives up.
    cmpq $VECTOR_SYSCALL, FRAME_VECTOR(%rbx)
    jne resume_after_trap
    // SYSRET (SDM vol. 2B): rip = rcx, rflags = r11 (the handler cleaned
    // the frame's copy and checked the rip is canonical), CS and SS from
    // IA32_STAR. Every other register comes from the frame, so nothing of
    // the kernel's leaks. Interrupts stay off until SYSRET sets IF, so the
    // user's stack is never used in ring 0.
    movq %rbx, %rsp
    addq $8, %rsp                    // cr2
    POP_GPRS
    movq 16(%rsp), %rcx              // rip
    movq 32(%rsp), %r11              // rflags
    movq 40(%rsp), %rsp              // the user's rsp
    sysretq

// Every register from the frame, rip, rflags and rsp too, as the trap left
// them.
resume_after_trap:
    movq %rbx, %rsp
    addq $8, %rsp                    // cr2
    POP_GPRS
    addq $16, %rsp                   // vector, error code
    iretq                            // rip, cs, rflags, rsp, ss

// An interrupt or exception from ring 3: isr_common has saved everything
// on the TSS.rsp0 stack; copy that frame into the thread's.
user_trap_from_idt:
    // An interrupt gate clears IF and TF but not AC or DF, which ring 3
    // may set with POPFQ; AC would switch SMAP off in the kernel. Clear
    // every flag (no CLAC: that is #UD without SMAP). SYSCALL's mask
    // already does this on the other path.
    pushq $2
    popfq
    movq %rsp, %rsi
    movq g_user_frame(%rip), %rdi
    movq %rdi, %rbx
    movl $(FRAME_BYTES / 8), %ecx
    rep movsq
    jmp user_trap_call

// Back to arch_enter_user's caller, as if it had returned.
leave_user:
    movq g_user_kernel_context + 0(%rip), %rbx
    movq g_user_kernel_context + 8(%rip), %rbp
    movq g_user_kernel_context + 16(%rip), %r12
    movq g_user_kernel_context + 24(%rip), %r13
    movq g_user_kernel_context + 32(%rip), %r14
    movq g_user_kernel_context + 40(%rip), %r15
    movq g_user_kernel_context + 48(%rip), %rsp
    ret

    .section .bss
    .balign 16
g_user_kernel_context:
    .zero 7 * 8
g_user_kernel_sp:
    .zero 8
g_user_frame:
    .zero 8
g_user_frame_end:
    .zero 8
g_user_rsp:
    .zero 8

    .section .text

// int arch_try(void (*body)(void*), void* context, TryContext* saved)
// Saves the callee-saved registers and rsp in *saved and calls body. If
// body faults, trap_handler rewrites the frame so that IRETQ lands on
// arch_try_landing with rax = 1 and rdx = saved: a longjmp done by the trap
// exit path. Returns 0 if body returned normally.
    .globl arch_try
    .globl arch_try_landing
arch_try:
    movq %rbx, 0(%rdx)
    movq %rbp, 8(%rdx)
    movq %r12, 16(%rdx)
    movq %r13, 24(%rdx)
    movq %r14, 32(%rdx)
    movq %r15, 40(%rdx)
    movq %rsp, 48(%rdx)
    movq %rdx, %rbx
    movq %rdi, %rax
    movq %rsi, %rdi
    subq $8, %rsp
    call *%rax
    movq %rbx, %rdx
    xorl %eax, %eax
arch_try_landing:
    movq 0(%rdx), %rbx
    movq 8(%rdx), %rbp
    movq 16(%rdx), %r12
    movq 24(%rdx), %r13
    movq 32(%rdx), %r14
    movq 40(%rdx), %r15
    movq 48(%rdx), %rsp
    ret
