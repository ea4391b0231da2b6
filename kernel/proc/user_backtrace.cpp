#include "proc/user_backtrace.hpp"

namespace mote {

const char* backtrace_stop_name(BacktraceStop stop) {
    switch (stop) {
    case BacktraceStop::ChainEnd: return "ChainEnd";
    case BacktraceStop::DepthLimit: return "DepthLimit";
    case BacktraceStop::Misaligned: return "Misaligned";
    case BacktraceStop::OffStack: return "OffStack";
    case BacktraceStop::NotAscending: return "NotAscending";
    case BacktraceStop::Unreadable: return "Unreadable";
    }
    return "UnknownBacktraceStop";
}

namespace {

u64 load_u64(const u8* p) {
    u64 value = 0;
    for (usize i = 0; i < 8; ++i) value |= u64(p[i]) << (8 * i);
    return value;
}

}  // namespace

UserBacktrace walk_user_stack(UserMemoryReader read, void* context, u64 pc, u64 fp, u64 stack_low, u64 stack_high,
                              FrameRecordLayout layout) {
    UserBacktrace trace;
    trace.pcs[trace.count++] = pc;
    u64 previous = 0;  // the last record's address
    for (;;) {
        trace.stop_fp = fp;
        if (fp == 0) {
            trace.stop = BacktraceStop::ChainEnd;
            return trace;
        }
        if (trace.count == UserBacktrace::kMaxFrames) {
            trace.stop = BacktraceStop::DepthLimit;
            return trace;
        }
        if (fp % 8 != 0) {
            trace.stop = BacktraceStop::Misaligned;
            return trace;
        }
        // The 16-byte record, wherever the layout puts it, must lie wholly
        // inside the stack (checked without wrapping).
        const bool below = layout == FrameRecordLayout::BelowFp;
        if ((below && (fp < stack_low + 16 || fp > stack_high)) ||
            (!below && (fp < stack_low || fp > stack_high - 16))) {
            trace.stop = BacktraceStop::OffStack;
            return trace;
        }
        const u64 record = below ? fp - 16 : fp;
        if (previous && record <= previous) {
            trace.stop = BacktraceStop::NotAscending;
            return trace;
        }
        u8 bytes[16];
        if (read(context, record, Span<u8>(bytes, sizeof(bytes))).is_error()) {
            trace.stop = BacktraceStop::Unreadable;
            return trace;
        }
        const u64 caller_fp = load_u64(bytes);
        const u64 return_address = load_u64(bytes + 8);
        if (return_address == 0) {
            trace.stop = BacktraceStop::ChainEnd;
            return trace;
        }
        trace.pcs[trace.count++] = return_address;
        previous = record;
        fp = caller_fp;
    }
}

}  // namespace mote
