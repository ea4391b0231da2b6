// regcheck: checks that a syscall keeps the caller's registers, as the
// syscall ABI promises (user/runtime/syscall.hpp: only the result register
// changes, and on x86_64 the rcx and r11 that the syscall instruction
// itself takes).
//
// Each check fills every general register it may with a pattern (seed +
// the register's number), traps with one syscall, and compares them all
// afterwards. Two syscalls, because the kernel has two ways back:
//   yield        nothing else runnable: the thread resumes at once (the
//                short path, which saves only what a call may clobber)
//   sleep 1 ms   the thread parks and leaves user mode, and later resumes
//                from its saved frame
// On x86_64 a third check fills every register, rcx and r11 too, and
// touches a stack page never touched before: the fault the kernel
// resolves in place must give them all back (`fault=ok`).
// Prints `REGCHECK yield=ok sleep=ok` (tests/qemu/test_user.py), or for a
// check that failed the mask of the registers that changed (bit n:
// register n: x<n> on riscv64 and aarch64; rax=0 rcx=1 rdx=2 rbx=3 rbp=5
// rsi=6 rdi=7 r8..r15 on x86_64), and exits 1.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

#if MOTE_USER_TRAP_INLINE && defined(__riscv)
// u64 trap_and_check(u64 number, u64 argument, u64 seed): the mask of
// changed registers. Not a0 (the result) nor sp (checked by returning).
[[gnu::naked]] u64 trap_and_check(u64, u64, u64) {
    asm volatile(R"(
        addi sp, sp, -128
        sd ra, 0(sp)
        sd s0, 8(sp)
        sd s1, 16(sp)
        .irp n, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27
        sd x\n, ((\n - 15) * 8)(sp)
        .endr
        sd gp, 104(sp)
        sd tp, 112(sp)
        sd a0, 120(sp)
        mv a7, a0
        mv a0, a1
        mv t0, a2
        .irp n, 1, 3, 4, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
        addi x\n, t0, \n
        .endr
        addi t0, t0, 5
        ecall
        addi t0, t0, -5
        li a0, 0
        .irp n, 1, 3, 4, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
        addi x\n, x\n, -\n
        xor x\n, x\n, t0
        snez x\n, x\n
        slli x\n, x\n, \n
        or a0, a0, x\n
        .endr
        ld t1, 120(sp)
        xor t1, t1, a7
        snez t1, t1
        slli t1, t1, 17
        or a0, a0, t1
        ld ra, 0(sp)
        ld s0, 8(sp)
        ld s1, 16(sp)
        .irp n, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27
        ld x\n, ((\n - 15) * 8)(sp)
        .endr
        ld gp, 104(sp)
        ld tp, 112(sp)
        addi sp, sp, 128
        ret
    )");
}
// t0 holds the seed for the comparison, so a changed t0 shows as (nearly)
// every bit set.
#elif MOTE_USER_TRAP_INLINE && defined(__aarch64__)
// The same with svc: x8 the number, x0 the argument and result; x17 holds
// the seed for the comparison.
[[gnu::naked]] u64 trap_and_check(u64, u64, u64) {
    asm volatile(R"(
        stp x29, x30, [sp, #-112]!
        stp x19, x20, [sp, #16]
        stp x21, x22, [sp, #32]
        stp x23, x24, [sp, #48]
        stp x25, x26, [sp, #64]
        stp x27, x28, [sp, #80]
        stp x0, x18, [sp, #96]
        mov x8, x0
        mov x0, x1
        mov x17, x2
        .irp n, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
        add x\n, x17, #\n
        .endr
        add x17, x17, #17
        svc #0
        sub x17, x17, #17
        mov x0, #0
        .irp n, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
        sub x\n, x\n, #\n
        cmp x\n, x17
        cset x\n, ne
        orr x0, x0, x\n, lsl #\n
        .endr
        ldr x9, [sp, #96]
        cmp x8, x9
        cset x9, ne
        orr x0, x0, x9, lsl #8
        ldr x18, [sp, #104]
        ldp x19, x20, [sp, #16]
        ldp x21, x22, [sp, #32]
        ldp x23, x24, [sp, #48]
        ldp x25, x26, [sp, #64]
        ldp x27, x28, [sp, #80]
        ldp x29, x30, [sp], #112
        ret
    )");
}
#elif MOTE_USER_TRAP_INLINE && defined(__x86_64__)
// rax the number and result, rdi the argument; rcx and r11 are the syscall
// instruction's. rdx holds the seed for the comparison (its own check is
// against the copy on the stack), rdi the argument (checked against its
// copy), r11 gathers the mask.
[[gnu::naked]] u64 trap_and_check(u64, u64, u64) {
    asm volatile(R"(
        push %rbx
        push %rbp
        push %r12
        push %r13
        push %r14
        push %r15
        push %rdx
        push %rdi
        mov %rdi, %rax
        mov %rsi, %rdi
        lea 3(%rdx), %rbx
        lea 5(%rdx), %rbp
        lea 6(%rdx), %rsi
        lea 8(%rdx), %r8
        lea 9(%rdx), %r9
        lea 10(%rdx), %r10
        lea 12(%rdx), %r12
        lea 13(%rdx), %r13
        lea 14(%rdx), %r14
        lea 15(%rdx), %r15
        push %rdi
        syscall
        xor %r11d, %r11d
        cmp (%rsp), %rdi
        setne %cl
        movzbq %cl, %rcx
        shl $7, %rcx
        or %rcx, %r11
        add $8, %rsp
        .macro CHECK reg, n
        sub $\n, \reg
        cmp %rdx, \reg
        setne %cl
        movzbq %cl, %rcx
        shl $\n, %rcx
        or %rcx, %r11
        .endm
        CHECK %rbx, 3
        CHECK %rbp, 5
        CHECK %rsi, 6
        CHECK %r8, 8
        CHECK %r9, 9
        CHECK %r10, 10
        CHECK %r12, 12
        CHECK %r13, 13
        CHECK %r14, 14
        CHECK %r15, 15
        .purgem CHECK
        pop %rax
        pop %rcx
        cmp %rcx, %rdx
        setne %cl
        movzbq %cl, %rcx
        shl $2, %rcx
        or %rcx, %r11
        mov %r11, %rax
        pop %r15
        pop %r14
        pop %r13
        pop %r12
        pop %rbp
        pop %rbx
        ret
    )");
}

// void fault_and_save(u64* out, u64 seed): fills every general register but
// rsp with seed + its number, touches the stack 128 KiB below: a page of
// the stack region never touched before, so a fault the kernel resolves
// in place (a lazy page) and resumes from. Then stores all sixteen in
// out[0..15] (out[4], rsp's, untouched) for the caller to compare. Unlike
// a syscall, a fault may take no register, rcx and r11 included.
[[gnu::naked]] void fault_and_save(u64*, u64) {
    asm volatile(R"(
        push %rbx
        push %rbp
        push %r12
        push %r13
        push %r14
        push %r15
        push %rdi
        mov %rsi, %rax
        lea 1(%rax), %rcx
        lea 2(%rax), %rdx
        lea 3(%rax), %rbx
        lea 5(%rax), %rbp
        lea 6(%rax), %rsi
        lea 7(%rax), %rdi
        lea 8(%rax), %r8
        lea 9(%rax), %r9
        lea 10(%rax), %r10
        lea 11(%rax), %r11
        lea 12(%rax), %r12
        lea 13(%rax), %r13
        lea 14(%rax), %r14
        lea 15(%rax), %r15
        movb $0, -131072(%rsp)
        push %rax
        mov 8(%rsp), %rax
        mov %rcx, 8(%rax)
        mov %rdx, 16(%rax)
        mov %rbx, 24(%rax)
        mov %rbp, 40(%rax)
        mov %rsi, 48(%rax)
        mov %rdi, 56(%rax)
        mov %r8, 64(%rax)
        mov %r9, 72(%rax)
        mov %r10, 80(%rax)
        mov %r11, 88(%rax)
        mov %r12, 96(%rax)
        mov %r13, 104(%rax)
        mov %r14, 112(%rax)
        mov %r15, 120(%rax)
        pop %rcx
        mov %rcx, 0(%rax)
        add $8, %rsp
        pop %r15
        pop %r14
        pop %r13
        pop %r12
        pop %rbp
        pop %rbx
        ret
    )");
}
#endif

}  // namespace

int main(int, char**) {
#if MOTE_USER_TRAP_INLINE && (defined(__riscv) || defined(__aarch64__) || defined(__x86_64__))
    struct Check {
        const char* name;
        abi::Sys number;
        u64 argument;
    };
    const Check checks[] = {
        {"yield", abi::Sys::Yield, 0},
        {"sleep", abi::Sys::Sleep, 1000000},
    };
    int status = 0;
    print_out("REGCHECK");
    for (const Check& check : checks) {
        // A different seed for each round, so a register left over from an
        // earlier round cannot pass by chance.
        u64 seed = 0x5a5a000000000000ull + (u64(check.number) << 32) + sys::clock();
        u64 changed = trap_and_check(u64(check.number), check.argument, seed);
        if (changed == 0) {
            print_out(" {}=ok", check.name);
        } else {
            print_out(" {}=changed:{:#x}", check.name, changed);
            status = 1;
        }
    }
#if defined(__x86_64__)
    // A fault resumed in place must give every register back: x86_64 has
    // two ways back to user mode, and SYSRET takes rcx and r11.
    {
        u64 saved[16] = {};
        const u64 seed = 0x3c3c000000000000ull + sys::clock();
        fault_and_save(saved, seed);
        u64 changed = 0;
        for (u64 n = 0; n < 16; ++n)
            if (n != 4 && saved[n] != seed + n) changed |= u64(1) << n;
        if (changed == 0) {
            print_out(" fault=ok");
        } else {
            print_out(" fault=changed:{:#x}", changed);
            status = 1;
        }
    }
#endif
    print_out("\n");
    return status;
#else
    // The hosted kernel runs programs as Linux processes: there is no trap
    // of Mote's to check.
    print_err("regcheck: this build has no syscall trap to check\n");
    return 2;
#endif
}
