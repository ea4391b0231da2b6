// mote_syscall(a0..a5, number): see user/runtime/syscall.hpp. SysV passes
// the fourth argument in rcx, which the syscall instruction overwrites with
// the return address, so the ABI takes it in r10; the seventh argument (the
// number) is on the stack above the return address.
    .section .text.mote_syscall, "ax", @progbits
    .globl mote_syscall
    .type mote_syscall, @function
    .p2align 4
mote_syscall:
    mov %rcx, %r10
    mov 8(%rsp), %rax
    syscall
    ret
    .size mote_syscall, . - mote_syscall
