// The x86_64 null kernel of `./mote bench boot`: the boot-time floor.
//
// It is the smallest image QEMU boots the way it boots Mote, through its PVH
// loader (qboot on microvm, SeaBIOS and its PVH option ROM on q35): the Xen
// PHYS32_ENTRY note below names the 32-bit entry, which runs in protected
// mode with paging off and flat segments. It writes one line, "FLOOR READY",
// to COM1 and then halts forever. Timing it to that line measures everything
// in a boot that is not Mote's own: QEMU's start-up, the firmware, and the
// host's noise.
//
// The UART port is hard-coded (COM1, 0x3f8) and used unprobed on purpose:
// this is a measuring instrument, not the kernel. Mote itself discovers its
// devices from the PVH start info and ACPI, and probes even the PC's
// architectural ports before use. QEMU's 16550 transmits a byte written to
// THR without any set-up.

#define COM1 0x3f8
#define XEN_ELFNOTE_PHYS32_ENTRY 18

    // The note QEMU's PVH loader looks for (the same layout as Mote's in
    // kernel/arch/x86_64/entry.S): name "Xen", one 32-bit entry address.
    .section .note.pvh, "a", @note
    .balign 4
    .long 4                           // namesz: "Xen\0"
    .long 4                           // descsz
    .long XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .long _start

    .section .text.floor, "ax"
    .code32
    .globl _start
_start:
    cli
    movw $COM1, %dx
    movl $message, %esi
1:  movb (%esi), %al
    testb %al, %al
    jz 2f
    outb %al, %dx
    incl %esi
    jmp 1b
2:  hlt                               // interrupts are off: halts for good
    jmp 2b

message:
    .asciz "FLOOR READY\r\n"
