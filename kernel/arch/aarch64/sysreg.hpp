// System register access (Arm Architecture Reference Manual for A-profile,
// "ARM DDI 0487", chapter D19 / D23: the AArch64 system registers).
#pragma once

#include "base/types.hpp"

#define MOTE_SYSREG_READ(name)                                 \
    ({                                                         \
        ::mote::u64 _sysreg_value;                             \
        asm volatile("mrs %0, " #name : "=r"(_sysreg_value));  \
        _sysreg_value;                                         \
    })
#define MOTE_SYSREG_WRITE(name, value) asm volatile("msr " #name ", %0" ::"r"(::mote::u64(value)) : "memory")
#define MOTE_ISB() asm volatile("isb" ::: "memory")

namespace mote::aarch64 {

// DAIF.I: IRQs masked (D1.4 "Process state, PSTATE").
inline constexpr u64 kDaifIrq = u64(1) << 7;

// ESR_EL1.EC values (D19.2.37, "ESR_EL1, Exception Syndrome Register").
const char* exception_class_name(u64 ec);

}  // namespace mote::aarch64
