// The riscv64 null kernel of `./mote bench boot`: the boot-time floor.
//
// It is the smallest image QEMU's virt machine boots with Mote's command
// line: OpenSBI (-bios default) enters it at 0x80200000 in S-mode, it writes
// one line, "FLOOR READY", to the UART and then waits for interrupts forever.
// Timing it to that line measures everything in a boot that is not Mote's
// own: QEMU's start-up, OpenSBI and its banner, and the host's noise.
//
// The UART address is hard-coded (QEMU virt's ns16550a at 0x10000000) on
// purpose: this is a measuring instrument, not the kernel. Mote itself reads
// every device address from the devicetree. QEMU's 16550 transmits a byte
// stored to THR (offset 0) without any set-up, so none is done.

#define UART_THR 0x10000000

    .section .text.floor, "ax"
    .globl _start
_start:
    li t0, UART_THR
    lla t1, message
1:  lbu t2, 0(t1)
    beqz t2, 2f
    sb t2, 0(t0)
    addi t1, t1, 1
    j 1b
2:  wfi                           // sstatus.SIE is off: nothing ever runs again
    j 2b

message:
    .asciz "FLOOR READY\r\n"
