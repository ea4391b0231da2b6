// A user thread's FP/SIMD registers to and from its save area
// (Arch::fp_save, fp_restore): v0..v31, 16 bytes each (four to an ST1/LD1,
// in register order: the same bytes as a STR of each Q register), then
// FPCR and FPSR. The kernel is built with -mgeneral-regs-only and never
// touches them, so these are the only FP/SIMD instructions in it.

.arch_extension fp
.arch_extension simd

.section .text
.global arch_fp_save
arch_fp_save:
    mov x1, x0
    .irp group, "v0.2d-v3.2d", "v4.2d-v7.2d", "v8.2d-v11.2d", "v12.2d-v15.2d", "v16.2d-v19.2d", "v20.2d-v23.2d", "v24.2d-v27.2d", "v28.2d-v31.2d"
    st1 {\group}, [x1], #64
    .endr
    mrs x2, fpcr
    mrs x3, fpsr
    stp x2, x3, [x1]
    ret

.global arch_fp_restore
arch_fp_restore:
    mov x1, x0
    .irp group, "v0.2d-v3.2d", "v4.2d-v7.2d", "v8.2d-v11.2d", "v12.2d-v15.2d", "v16.2d-v19.2d", "v20.2d-v23.2d", "v24.2d-v27.2d", "v28.2d-v31.2d"
    ld1 {\group}, [x1], #64
    .endr
    ldp x2, x3, [x1]
    msr fpcr, x2
    msr fpsr, x3
    ret
