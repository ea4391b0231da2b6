// _start: the kernel enters here with a StartInfo* in x0 and sp 16-byte
// aligned just below it (abi/syscalls.hpp). A zero frame pointer (x29) and
// link register (x30) end every backtrace here. runtime_start never
// returns; the brk catches it if it ever did.
    .section .text.start, "ax", %progbits
    .globl _start
    .type _start, %function
    .p2align 2
_start:
    mov x29, #0
    mov x30, #0
    bl runtime_start
    brk #0
    .size _start, . - _start
