// ChannelTest: ProcessTest plus the user side of channel calls, so a test
// reads as the program would be written: send(t, end, "bytes", {handles}),
// recv(t, end) and then received(process). Each process gets a scratch area
// of user memory with fixed places for the requests and the buffers, so a
// parked receive's buffer stays put while other processes run.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "process_fixture.hpp"

namespace mote::test {

class ChannelTest : public ProcessTest {
protected:
    // Scratch layout (offsets from the area's start).
    static constexpr u64 kSendRequest = 0x000;
    static constexpr u64 kRecvRequest = 0x040;
    static constexpr u64 kEnds = 0x080;
    static constexpr u64 kPollItems = 0x100;
    static constexpr u64 kSendHandles = 0x200;
    static constexpr u64 kRecvHandles = 0x300;
    static constexpr u64 kSendBytes = 0x1000;
    static constexpr u64 kRecvBytes = kSendBytes + abi::kChannelMaxBytes + kPageSize;
    static constexpr u64 kScratchBytes = kRecvBytes + abi::kChannelMaxBytes + kPageSize;

    static constexpr u64 kForever = kNoDeadline;

    u64 scratch(Process& process) {
        auto found = areas.find(&process);
        if (found != areas.end()) return found->second;
        u64 address = user_map(process, kScratchBytes);
        areas[&process] = address;
        return address;
    }

    // Afterwards the thread's frame has a result exactly when the call
    // finished (at once, or later by a wake).
    i64 call(Thread& t, abi::Sys number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0) {
        clear_result(t);
        return platform.call(t, number, a0, a1, a2, a3).user_value();
    }

    struct Ends {
        abi::Handle a = abi::kNoHandle, b = abi::kNoHandle;
    };
    // channel_create through the syscall.
    Ends create_channel(Thread& t) {
        u64 out = scratch(t.process()) + kEnds;
        EXPECT_EQ(call(t, abi::Sys::ChannelCreate, out), 0);
        abi::Handle ends[2] {};
        peek_into(t.process(), out, ends, sizeof(ends));
        return {ends[0], ends[1]};
    }

    // channel_send of `bytes` and `handles` from t's scratch area.
    i64 send(Thread& t, abi::Handle end, const std::string& bytes, std::vector<abi::Handle> handles = {},
             Nanoseconds timeout = 0) {
        Process& p = t.process();
        u64 base = scratch(p);
        if (!bytes.empty()) poke_string(p, base + kSendBytes, bytes);
        if (!handles.empty()) poke_from(p, base + kSendHandles, handles.data(), handles.size() * sizeof(abi::Handle));
        abi::ChannelMessage request {};
        request.bytes = base + kSendBytes;
        request.byte_count = bytes.size();
        request.handles = base + kSendHandles;
        request.handle_count = u32(handles.size());
        poke(p, base + kSendRequest, request);
        return call(t, abi::Sys::ChannelSend, end, base + kSendRequest, timeout);
    }

    // channel_recv into t's scratch area, with room for `byte_room` bytes
    // and `handle_room` handles.
    i64 recv(Thread& t, abi::Handle end, Nanoseconds timeout = 0, u64 byte_room = abi::kChannelMaxBytes,
             u32 handle_room = abi::kChannelMaxHandles) {
        Process& p = t.process();
        u64 base = scratch(p);
        abi::ChannelMessage request {};
        request.bytes = base + kRecvBytes;
        request.byte_count = byte_room;
        request.handles = base + kRecvHandles;
        request.handle_count = handle_room;
        poke(p, base + kRecvRequest, request);
        // Poison the buffers: what a receive leaves there is its own doing.
        poke_string(p, base + kRecvBytes, std::string(64, '\xee'));
        return call(t, abi::Sys::ChannelRecv, end, base + kRecvRequest, timeout);
    }

    // What the last receive in `p` wrote back.
    struct Received {
        abi::ChannelMessage request {};
        std::string bytes;
        std::vector<abi::Handle> handles;
    };
    Received received(Process& p) {
        Received out;
        u64 base = scratch(p);
        out.request = peek<abi::ChannelMessage>(p, base + kRecvRequest);
        if (out.request.byte_count <= abi::kChannelMaxBytes)
            out.bytes = peek_string(p, base + kRecvBytes, usize(out.request.byte_count));
        if (out.request.handle_count <= abi::kChannelMaxHandles) {
            out.handles.resize(out.request.handle_count);
            if (!out.handles.empty())
                peek_into(p, base + kRecvHandles, out.handles.data(), out.handles.size() * sizeof(abi::Handle));
        }
        return out;
    }

    // read()/write() on an endpoint: the stream view.
    i64 write(Thread& t, abi::Handle end, const std::string& bytes) {
        u64 base = scratch(t.process());
        if (!bytes.empty()) poke_string(t.process(), base + kSendBytes, bytes);
        return call(t, abi::Sys::Write, end, base + kSendBytes, bytes.size(), abi::kCurrentOffset);
    }
    i64 read(Thread& t, abi::Handle end, u64 length) {
        u64 base = scratch(t.process());
        return call(t, abi::Sys::Read, end, base + kRecvBytes, length, abi::kCurrentOffset);
    }
    std::string read_bytes(Process& p, usize length) { return peek_string(p, scratch(p) + kRecvBytes, length); }

    // stat() through the syscall: the handle's rights and the queue length.
    abi::Stat stat(Thread& t, abi::Handle handle, i64* result = nullptr) {
        u64 out = scratch(t.process()) + kPollItems + 0x80;
        i64 r = call(t, abi::Sys::Stat, handle, out);
        if (result) *result = r;
        return peek<abi::Stat>(t.process(), out);
    }

    // poll() of one handle.
    i64 poll(Thread& t, abi::Handle handle, u32 events, Nanoseconds timeout, u32* ready = nullptr) {
        u64 at = scratch(t.process()) + kPollItems;
        abi::PollItem item {handle, events, 0, 0};
        poke(t.process(), at, item);
        i64 r = call(t, abi::Sys::Poll, at, 1, timeout);
        if (ready) *ready = peek<abi::PollItem>(t.process(), at).ready;
        return r;
    }

    // Moves a handle from one table to another behind the syscalls' back
    // (test setup: giving a second process the other end).
    abi::Handle give(Process& from, abi::Handle handle, Process& to) {
        auto taken = from.handles().take(handle);
        EXPECT_TRUE(taken.ok());
        if (taken.is_error()) return abi::kNoHandle;
        abi::Handle installed = to.handles().install(*taken.value().object, taken.value().rights).value();
        taken.value().object->release();  // the table holds its own reference now
        return installed;
    }

    // Objects in use in the channel table's two slab caches.
    u64 channel_objects_in_use() {
        u64 in_use = 0;
        SlabCache::for_each_cache([&](const SlabCache& cache) {
            if (cache.name() == "channel" || cache.name() == "channel-message") in_use += cache.objects_in_use();
        });
        return in_use;
    }

    // The one channel that exists (tests that make one).
    Channel* only_channel() {
        Channel* found = nullptr;
        usize count = 0;
        channels.for_each([&](Channel& c) {
            found = &c;
            ++count;
        });
        EXPECT_EQ(count, 1u);
        return found;
    }

    std::map<Process*, u64> areas;
};

// A message body nobody could get by accident: position-dependent bytes.
inline std::string pattern(usize length, u8 seed) {
    std::string s(length, '\0');
    for (usize i = 0; i < length; ++i) s[i] = char(u8(seed + i * 7 + (i >> 8)));
    return s;
}

// Two processes, A and B, with a channel between them: A holds `a`, B holds `b`.
class ChannelPair : public ChannelTest {
protected:
    void SetUp() override {
        ChannelTest::SetUp();
        A = spawn_program("alpha", {"alpha"}).value();
        B = spawn_program("beta", {"beta"}).value();
        as(A->thread(), [&](Thread& t) {
            Ends ends = create_channel(t);
            a = ends.a;
            b_in_a = ends.b;
            return RunExit::Loop;
        });
        b = give(*A, b_in_a, *B);
        channel = only_channel();
    }

    Process* A = nullptr;
    Process* B = nullptr;
    abi::Handle a = 0, b = 0, b_in_a = 0;
    Channel* channel = nullptr;
};

}  // namespace mote::test
