// _start: the kernel enters here with a StartInfo* in rdi and rsp 16-byte
// aligned just below it (abi/syscalls.hpp). There is no return address, so
// rbp = 0 ends backtraces here; the call pushes one word, leaving rsp
// aligned as the SysV ABI expects at a function's entry (16n + 8).
// runtime_start never returns; ud2 catches it if it ever did.
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
    .p2align 4
_start:
    xor %ebp, %ebp
    call runtime_start
    ud2
    .size _start, . - _start
