// The aarch64 null kernel of `./mote bench boot`: the boot-time floor.
//
// It is the smallest image QEMU's virt machine boots with Mote's command
// line (-kernel, an ELF QEMU enters at 0x40080000): it writes one line,
// "FLOOR READY", to the UART and then waits forever. Timing it to that line
// measures everything in a boot that is not Mote's own: QEMU's start-up,
// loading the image, and the host's noise.
//
// The UART address is hard-coded (QEMU virt's PL011 at 0x09000000, data
// register at offset 0) on purpose: this is a measuring instrument, not the
// kernel. Mote itself reads every device address from the devicetree.
// QEMU's PL011 sends a byte written to its data register without set-up.

#define PL011_DR 0x09000000

    .section .text.floor, "ax"
    .globl _start
_start:
    mov x0, #PL011_DR
    adr x1, message
1:  ldrb w2, [x1], #1
    cbz w2, 2f
    strb w2, [x0]
    b 1b
2:  wfi                           // interrupts are masked at entry: sleeps for good
    b 2b

message:
    .asciz "FLOOR READY\r\n"
