// walk_user_stack over fake user memory: chains of frame records in both
// layouts, and every way a corrupt stack stops the walk (with its reason)
// instead of being followed.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

#include "proc/user_backtrace.hpp"

using namespace mote;

namespace {

constexpr u64 kLow = 0x7ff000;
constexpr u64 kHigh = 0x800000;

// Sparse user memory: 8-byte words; reads of anything absent are refused.
struct FakeStack {
    std::map<u64, u64> words;
    std::vector<u64> reads;  // the addresses read, in order

    void record(u64 at, u64 caller_fp, u64 return_address) {
        words[at] = caller_fp;
        words[at + 8] = return_address;
    }
    static Result<void> read(void* context, u64 address, Span<u8> out) {
        auto* self = static_cast<FakeStack*>(context);
        self->reads.push_back(address);
        for (usize i = 0; i < out.size(); i += 8) {
            auto it = self->words.find(address + i);
            if (it == self->words.end()) return Error::NotFound;
            std::memcpy(out.data() + i, &it->second, 8);
        }
        return {};
    }
    UserBacktrace walk(u64 pc, u64 fp, FrameRecordLayout layout = FrameRecordLayout::AtFp) {
        return walk_user_stack(read, this, pc, fp, kLow, kHigh, layout);
    }
};

std::vector<u64> pcs(const UserBacktrace& trace) { return {trace.pcs, trace.pcs + trace.count}; }

}  // namespace

TEST(UserBacktrace, FollowsTheChainToItsEnd) {
    FakeStack stack;
    // leaf's record at 0x7ffe00 -> main's at 0x7ffe40 -> runtime_start's at 0x7ffe80 (fp 0: the end).
    stack.record(0x7ffe00, 0x7ffe40, 0x401100);
    stack.record(0x7ffe40, 0x7ffe80, 0x401200);
    stack.record(0x7ffe80, 0, 0x401300);
    auto trace = stack.walk(0x401000, 0x7ffe00);
    EXPECT_EQ(pcs(trace), (std::vector<u64> {0x401000, 0x401100, 0x401200, 0x401300}));
    EXPECT_EQ(trace.stop, BacktraceStop::ChainEnd);
    EXPECT_EQ(trace.stop_fp, 0u);
}

TEST(UserBacktrace, RiscvRecordsSitBelowTheFramePointer) {
    FakeStack stack;
    stack.record(0x7ffe00 - 16, 0x7ffe40, 0x401100);
    stack.record(0x7ffe40 - 16, 0x7fff00, 0x401200);
    stack.record(0x7fff00 - 16, 0, 0);  // _start zeroed ra and fp
    auto trace = stack.walk(0x401000, 0x7ffe00, FrameRecordLayout::BelowFp);
    EXPECT_EQ(pcs(trace), (std::vector<u64> {0x401000, 0x401100, 0x401200}));
    EXPECT_EQ(trace.stop, BacktraceStop::ChainEnd);
    // A frame pointer at the very top of the stack is fine below it.
    FakeStack top;
    top.record(kHigh - 16, 0, 0x401100);
    EXPECT_EQ(top.walk(0x401000, kHigh, FrameRecordLayout::BelowFp).count, 2u);
}

TEST(UserBacktrace, NoFramePointerIsJustThePc) {
    FakeStack stack;
    auto trace = stack.walk(0x401000, 0);
    EXPECT_EQ(pcs(trace), (std::vector<u64> {0x401000}));
    EXPECT_EQ(trace.stop, BacktraceStop::ChainEnd);
    EXPECT_TRUE(stack.reads.empty());
}

TEST(UserBacktrace, ACorruptStackStopsTheWalkWithItsReason) {
    {
        FakeStack stack;
        stack.record(0x7ffe00, 0x7ffe43, 0x401100);
        auto trace = stack.walk(0x401000, 0x7ffe00);
        EXPECT_EQ(trace.count, 2u);
        EXPECT_EQ(trace.stop, BacktraceStop::Misaligned);
        EXPECT_EQ(trace.stop_fp, 0x7ffe43u);
    }
    for (u64 off_stack : {u64(0x1000), kLow - 8, kHigh - 8, kHigh, ~u64(0) - 7, u64(8)}) {
        FakeStack stack;
        stack.words[off_stack] = 0x7ffe40;  // never read
        stack.words[off_stack + 8] = 0x401100;
        auto trace = stack.walk(0x401000, off_stack);
        EXPECT_EQ(trace.stop, BacktraceStop::OffStack) << std::hex << off_stack;
        EXPECT_TRUE(stack.reads.empty()) << std::hex << off_stack;
    }
    {
        // Below the lowest record the BelowFp layout allows.
        FakeStack stack;
        EXPECT_EQ(stack.walk(0x401000, kLow + 8, FrameRecordLayout::BelowFp).stop, BacktraceStop::OffStack);
        EXPECT_EQ(stack.walk(0x401000, kHigh + 8, FrameRecordLayout::BelowFp).stop, BacktraceStop::OffStack);
    }
    {
        // A loop: a record pointing at itself, or back down the stack.
        FakeStack stack;
        stack.record(0x7ffe00, 0x7ffe00, 0x401100);
        auto trace = stack.walk(0x401000, 0x7ffe00);
        EXPECT_EQ(trace.stop, BacktraceStop::NotAscending);
        EXPECT_EQ(trace.count, 2u);
        FakeStack down;
        down.record(0x7ffe00, 0x7ffe40, 0x401100);
        down.record(0x7ffe40, 0x7ffd00, 0x401200);
        EXPECT_EQ(down.walk(0x401000, 0x7ffe00).stop, BacktraceStop::NotAscending);
    }
    {
        // Inside the stack but not mapped (the reader refuses it).
        FakeStack stack;
        stack.record(0x7ffe00, 0x7ffe40, 0x401100);
        auto trace = stack.walk(0x401000, 0x7ffe00);
        EXPECT_EQ(trace.stop, BacktraceStop::Unreadable);
        EXPECT_EQ(trace.stop_fp, 0x7ffe40u);
        EXPECT_EQ(trace.count, 2u);
    }
}

TEST(UserBacktrace, DepthIsBounded) {
    FakeStack stack;
    // A chain longer than kMaxFrames, every record valid.
    for (u64 i = 0; i < 40; ++i) stack.record(kLow + 64 * i, kLow + 64 * (i + 1), 0x401000 + i);
    auto trace = stack.walk(0x400000, kLow);
    EXPECT_EQ(trace.count, UserBacktrace::kMaxFrames);
    EXPECT_EQ(trace.stop, BacktraceStop::DepthLimit);
    EXPECT_EQ(stack.reads.size(), UserBacktrace::kMaxFrames - 1);
    for (int i = 0; i <= int(BacktraceStop::Unreadable); ++i)
        EXPECT_STRNE(backtrace_stop_name(BacktraceStop(i)), "UnknownBacktraceStop");
}
