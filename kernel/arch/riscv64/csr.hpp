// Control and status registers (RISC-V privileged spec, chapter 4: the
// supervisor-level CSRs) and the bits of them the kernel uses.
#pragma once

#include "base/types.hpp"

#define MOTE_CSR_READ(csr)                                  \
    ({                                                      \
        ::mote::u64 _csr_value;                             \
        asm volatile("csrr %0, " #csr : "=r"(_csr_value));  \
        _csr_value;                                         \
    })
#define MOTE_CSR_WRITE(csr, value) asm volatile("csrw " #csr ", %0" ::"r"(::mote::u64(value)) : "memory")
#define MOTE_CSR_SET(csr, bits) asm volatile("csrs " #csr ", %0" ::"r"(::mote::u64(bits)) : "memory")
#define MOTE_CSR_CLEAR(csr, bits) asm volatile("csrc " #csr ", %0" ::"r"(::mote::u64(bits)) : "memory")

namespace mote::riscv {

// sstatus (4.1.1)
inline constexpr u64 kStatusSie = u64(1) << 1;   // interrupts enabled in S-mode
inline constexpr u64 kStatusSpie = u64(1) << 5;  // SIE before the trap
inline constexpr u64 kStatusSpp = u64(1) << 8;   // trapped from S-mode
inline constexpr u64 kStatusFs = u64(3) << 13;   // FPU state (Off = 0)
inline constexpr u64 kStatusFsInitial = u64(1) << 13;
inline constexpr u64 kStatusSum = u64(1) << 18;  // S-mode may touch U pages

// sie / sip bits (4.1.3): software, timer, external interrupts of S-mode.
inline constexpr u64 kIntSoftware = 1;
inline constexpr u64 kIntTimer = 5;
inline constexpr u64 kIntExternal = 9;

// scause (4.1.9): the top bit says interrupt, the rest is the code.
inline constexpr u64 kCauseInterrupt = u64(1) << 63;

enum class Exception : u64 {
    InstructionMisaligned = 0,
    InstructionAccessFault = 1,
    IllegalInstruction = 2,
    Breakpoint = 3,
    LoadMisaligned = 4,
    LoadAccessFault = 5,
    StoreMisaligned = 6,
    StoreAccessFault = 7,
    UserEcall = 8,
    SupervisorEcall = 9,
    InstructionPageFault = 12,
    LoadPageFault = 13,
    StorePageFault = 15,
};

const char* exception_name(u64 code);

}  // namespace mote::riscv
