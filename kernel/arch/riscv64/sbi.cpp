#include "arch/riscv64/sbi.hpp"

namespace mote::sbi {

Ret call(u64 extension, u64 function, u64 a0, u64 a1, u64 a2) {
    register u64 r_a0 asm("a0") = a0;
    register u64 r_a1 asm("a1") = a1;
    register u64 r_a2 asm("a2") = a2;
    register u64 r_a6 asm("a6") = function;
    register u64 r_a7 asm("a7") = extension;
    asm volatile("ecall" : "+r"(r_a0), "+r"(r_a1) : "r"(r_a2), "r"(r_a6), "r"(r_a7) : "memory");
    return {i64(r_a0), i64(r_a1)};
}

bool has_extension(u64 extension) {
    Ret r = call(kBase, 3, extension);
    return r.error == 0 && r.value != 0;
}

void set_timer(u64 time) { (void)call(kTime, 0, time); }

Ret system_reset(u32 type, u32 reason) { return call(kSrst, 0, type, reason); }

void legacy_putchar(char c) { (void)call(0x01, 0, u64(u8(c))); }

}  // namespace mote::sbi
