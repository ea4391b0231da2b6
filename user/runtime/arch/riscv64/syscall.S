// mote_syscall(a0..a5, number): see user/runtime/syscall.hpp. The number
// arrives in a6 and the kernel wants it in a7; the arguments are in place.
    .section .text.mote_syscall, "ax", @progbits
    .globl mote_syscall
    .type mote_syscall, @function
    .p2align 2
mote_syscall:
    mv a7, a6
    ecall
    ret
    .size mote_syscall, . - mote_syscall
