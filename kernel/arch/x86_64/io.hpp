// x86 port I/O, model-specific registers, CPUID and the time-stamp counter
// (Intel SDM vol. 2: IN/OUT, RDMSR/WRMSR, CPUID, RDTSC).
#pragma once

#include "base/types.hpp"

namespace mote::x86 {

inline u8 inb(u16 port) {
    u8 v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}
inline u16 inw(u16 port) {
    u16 v;
    asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}
inline u32 inl(u16 port) {
    u32 v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}
inline void outb(u16 port, u8 v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port) : "memory"); }
inline void outw(u16 port, u16 v) { asm volatile("outw %0, %1" ::"a"(v), "Nd"(port) : "memory"); }
inline void outl(u16 port, u32 v) { asm volatile("outl %0, %1" ::"a"(v), "Nd"(port) : "memory"); }

inline u64 rdmsr(u32 msr) {
    u32 lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return u64(hi) << 32 | lo;
}
inline void wrmsr(u32 msr, u64 v) { asm volatile("wrmsr" ::"c"(msr), "a"(u32(v)), "d"(u32(v >> 32)) : "memory"); }

struct CpuidResult {
    u32 eax, ebx, ecx, edx;
};
inline CpuidResult cpuid(u32 leaf, u32 subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

// RDTSC is not ordered against earlier loads; LFENCE before it is Intel's
// recommended way to read a time stamp after them (SDM vol. 2B, RDTSC).
inline u64 rdtsc() {
    u32 lo, hi;
    asm volatile("lfence\n rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return u64(hi) << 32 | lo;
}

inline u64 read_cr2() {
    u64 v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline u64 read_cr3() {
    u64 v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline void write_cr3(u64 v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
inline u64 read_cr0() {
    u64 v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
inline void write_cr0(u64 v) { asm volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
inline u64 read_cr4() {
    u64 v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr4(u64 v) { asm volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }
// INVPCID (SDM vol. 2A): type 0 drops one address of one PCID, type 1
// every non-global translation of one PCID.
inline void invpcid(u64 type, u64 pcid, u64 va) {
    struct {
        u64 pcid, va;
    } descriptor {pcid, va};
    asm volatile("invpcid %0, %1" ::"m"(descriptor), "r"(type) : "memory");
}
inline void invlpg(u64 va) { asm volatile("invlpg (%0)" ::"r"(va) : "memory"); }

// MSRs used by the port (SDM vol. 4).
inline constexpr u32 kMsrApicBase = 0x1b;
inline constexpr u32 kMsrTscDeadline = 0x6e0;
inline constexpr u32 kMsrEfer = 0xc0000080;
inline constexpr u32 kMsrStar = 0xc0000081;   // SYSCALL/SYSRET segments
inline constexpr u32 kMsrLstar = 0xc0000082;  // the 64-bit SYSCALL entry
inline constexpr u32 kMsrFmask = 0xc0000084;  // RFLAGS bits SYSCALL clears

}  // namespace mote::x86
