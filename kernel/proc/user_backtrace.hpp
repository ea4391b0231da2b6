// A user program's call chain at a fault, from its frame pointers.
//
// User programs are built with frame pointers (-fno-omit-frame-pointer in
// user/CMakeLists.txt), so each function's frame holds a record: the
// caller's frame pointer and the return address. Walking the records from
// the faulting thread's frame pointer gives the return addresses, one per
// caller, which the crash report symbolizes from the program's ELF.
//
// The stack is the program's, so every record is untrusted: it is read
// through a reader (AddressSpace::copy_in: translation, never a
// dereference), and the walk stops, with the reason named, at the first
// record that is not 8-byte aligned, not inside the stack, not above the
// previous one (stacks grow down, so callers' records are higher: this
// also bounds a loop), unreadable, or after kMaxFrames. Pure logic: the
// host tests drive it over fake memory.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {

// Where the record sits relative to the frame pointer.
enum class FrameRecordLayout : u8 {
    AtFp,     // AArch64 (AAPCS64 6.2.3), x86-64 (System V): fp -> {caller's fp, return address}
    BelowFp,  // RISC-V (psABI): fp - 16 -> {caller's fp, return address}
};

// The layout of the ISA this kernel runs programs for (the hosted kernel's
// programs are the host's).
#if defined(__riscv)
inline constexpr FrameRecordLayout kNativeFrameRecordLayout = FrameRecordLayout::BelowFp;
#else
inline constexpr FrameRecordLayout kNativeFrameRecordLayout = FrameRecordLayout::AtFp;
#endif

enum class BacktraceStop : u8 {
    ChainEnd,     // a zero frame pointer or return address: the outermost frame
    DepthLimit,   // kMaxFrames frames found; there may be more
    Misaligned,   // a frame pointer not 8-byte aligned
    OffStack,     // a record outside the stack
    NotAscending, // a record at or below the one before it
    Unreadable,   // the reader refused the record's bytes
};
const char* backtrace_stop_name(BacktraceStop stop);

struct UserBacktrace {
    static constexpr usize kMaxFrames = 16;
    // pcs[0] is the faulting pc; pcs[1..] are return addresses.
    u64 pcs[kMaxFrames] = {};
    usize count = 0;
    BacktraceStop stop = BacktraceStop::ChainEnd;
    u64 stop_fp = 0;  // the frame pointer the walk stopped at

    Span<const u64> frames() const { return Span<const u64>(pcs, count); }
};

// Copies [address, address + out.size()) of user memory into `out`.
using UserMemoryReader = Result<void> (*)(void* context, u64 address, Span<u8> out);

// Walks from the faulting `pc` and frame pointer `fp` through records
// inside [stack_low, stack_high).
UserBacktrace walk_user_stack(UserMemoryReader read, void* context, u64 pc, u64 fp, u64 stack_low, u64 stack_high,
                              FrameRecordLayout layout = kNativeFrameRecordLayout);

}  // namespace mote
