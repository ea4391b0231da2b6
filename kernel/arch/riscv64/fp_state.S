// A user thread's FP registers to and from its save area (Arch::fp_save,
// fp_restore): f0..f31 then fcsr, 8 bytes each. The kernel itself is built
// for rv64imac and never touches them, so these are the only FP
// instructions in it; `.option arch` allows them here alone.

.option push
.option arch, +d

.section .text
.global arch_fp_save
arch_fp_save:
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    fsd f\n, (\n * 8)(a0)
    .endr
    frcsr t0
    sd t0, 256(a0)
    ret

.global arch_fp_restore
arch_fp_restore:
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    fld f\n, (\n * 8)(a0)
    .endr
    ld t0, 256(a0)
    fscsr t0
    ret

.option pop
