// _start: the kernel enters here with a StartInfo* in a0 and sp 16-byte
// aligned just below it (abi/syscalls.hpp). A zero frame pointer and return
// address end every backtrace here. runtime_start never returns; the
// ebreak catches it if it ever did.
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
    .p2align 2
_start:
    li fp, 0
    li ra, 0
    call runtime_start
    ebreak
    .size _start, . - _start
