// mote_syscall(x0..x5, number): see user/runtime/syscall.hpp. The number
// arrives in x6 and the kernel wants it in x8; the arguments are in place.
    .section .text.mote_syscall, "ax", %progbits
    .globl mote_syscall
    .type mote_syscall, %function
    .p2align 2
mote_syscall:
    mov x8, x6
    svc #0
    ret
    .size mote_syscall, . - mote_syscall
