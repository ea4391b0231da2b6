// chantest: channel semantics between processes (issue 12), one verdict
// line per case and a last line:
//
//     chantest <case> ok|FAIL <why>
//     chantest done <passed> passed, <failed> failed
//
// Cases: order (messages of many sizes echoed by a child come back whole
// and in order), whole (a too-small buffer gets Overflow and the message
// stays), bounded (kChannelQueueDepth messages, then WouldBlock; a send
// with a timeout gets Timeout), timeout (a receive on an empty channel),
// call (channel_call both ways, each byte answered plus one), cancel
// (Signal::Cancel ends a child's parked receive with Cancelled and
// the child goes on), the peer closed while the other side has messages
// queued, is parked receiving, or is parked sending (PeerClosed), transfer
// (a file handle moves to a child, which reads it; a send with one bad
// handle moves none; a receiver without room gets TooMany and the message
// stays), and deadlock (two children each waiting on a channel whose other
// end the other holds: sys/waits must show a `cycle:` through both).
//
// The children are this program: `chantest child <mode>`, their channel end
// at start position kChild (after the standard ones and the capabilities).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

constexpr u64 kMs = 1'000'000;
constexpr u32 kChild = abi::kStartHandleCount;  // the child's channel end
constexpr u32 kChildExtra = kChild + 1;         // a second one (deadlock)

// The byte at `index` of test message `message`: every message differs.
u8 pattern(u32 message, u32 index) { return u8(message * 31 + index * 7 + 1); }

static u8 g_send[abi::kChannelMaxBytes];
static u8 g_recv[abi::kChannelMaxBytes];

// --- children -------------------------------------------------------------------

// Exit statuses: 0 when the child saw what it should; otherwise where it
// went wrong (tens) plus the error it got.
int status_of(int step, abi::Err error) { return step * 30 + int(error); }

int child_echo(Handle end) {
    // Everything back, until the parent closes its end.
    for (;;) {
        auto n = sys::channel_recv(end, g_recv, sizeof(g_recv));
        if (n.is_error()) return n.error() == abi::Err::PeerClosed ? 0 : status_of(1, n.error());
        auto sent = sys::channel_send(end, g_recv, n.value());
        if (sent.is_error()) return status_of(2, sent.error());
    }
}

int child_cancel(Handle end) {
    if (auto r = sys::channel_send(end, "ready", 5); r.is_error()) return status_of(1, r.error());
    auto first = sys::channel_recv(end, g_recv, sizeof(g_recv));
    if (!first.is_error()) return 2;
    if (first.error() != abi::Err::Cancelled) return status_of(3, first.error());
    // Cancelled is the end of one wait, not of the process or the channel.
    auto second = sys::channel_recv(end, g_recv, sizeof(g_recv));
    if (second.is_error()) return status_of(4, second.error());
    return StringView(reinterpret_cast<char*>(g_recv), second.value()) == "bye" ? 0 : 5;
}

int child_bye(Handle end) {
    if (auto r = sys::channel_send(end, "bye", 3); r.is_error()) return status_of(1, r.error());
    return 0;
}

int child_late(Handle) {
    (void)sys::sleep(100 * kMs);
    return 0;
}

int child_flood(Handle end) {
    for (u32 i = 0; i < abi::kChannelQueueDepth; ++i)
        if (auto r = sys::channel_send(end, "m", 1); r.is_error()) return status_of(1, r.error());
    // The queue is full: this one parks until the parent closes its end.
    auto last = sys::channel_send(end, "m", 1);
    if (!last.is_error()) return 2;
    return last.error() == abi::Err::PeerClosed ? 0 : status_of(3, last.error());
}

int child_file(Handle end) {
    Handle file = kNoHandle;
    usize count = 1;
    auto n = sys::channel_recv(end, g_recv, sizeof(g_recv), &file, &count);
    if (n.is_error()) return status_of(1, n.error());
    if (count != 1 || file == kNoHandle) return 2;
    auto got = sys::read(file, g_send, 4096, 0);
    if (got.is_error()) return status_of(3, got.error());
    if (auto r = sys::channel_send(end, g_send, got.value()); r.is_error()) return status_of(4, r.error());
    return 0;
}

int child_serve(Handle end) {
    // A server: each request comes back with every byte plus one, the answer
    // and the wait for the next request one channel_call.
    auto n = sys::channel_recv(end, g_recv, sizeof(g_recv));
    while (n.ok()) {
        for (usize i = 0; i < n.value(); ++i) g_send[i] = u8(g_recv[i] + 1);
        n = sys::channel_call(end, g_send, n.value(), g_recv, sizeof(g_recv));
    }
    return n.error() == abi::Err::PeerClosed ? 0 : status_of(1, n.error());
}

int child_deadlock(Handle end) {
    // Waits for a message the other child will never send.
    auto n = sys::channel_recv(end, g_recv, sizeof(g_recv));
    return n.is_error() ? status_of(1, n.error()) : 0;
}

int child(StringView mode) {
    Handle end = start_handle(abi::StartHandle(kChild));
    if (mode == "echo") return child_echo(end);
    if (mode == "cancel") return child_cancel(end);
    if (mode == "bye") return child_bye(end);
    if (mode == "late") return child_late(end);
    if (mode == "flood") return child_flood(end);
    if (mode == "file") return child_file(end);
    if (mode == "deadlock") return child_deadlock(end);
    if (mode == "serve") return child_serve(end);
    return 99;
}

// --- the parent's cases ---------------------------------------------------------

char g_why_text[256];
usize g_why_length = 0;

// Records why a case failed; returns false for `return why(...)`.
template <typename... Args>
bool why(StringView fmt, const Args&... args) {
    FormatBuffer out(Span<char>(g_why_text, sizeof(g_why_text)));
    format_append(out, fmt, args...);
    g_why_length = out.length();
    return false;
}

// etc/motd under the root, for reading (a handle to send around).
SysOr<Handle> open_motd() { return sys::open(root_dir(), "etc/motd", abi::kOpenRead); }

#define EXPECT_OK(expr, what)                                                     \
    do {                                                                          \
        auto expect_result = (expr);                                              \
        if (expect_result.is_error()) return why("{}: {}", what, expect_result.error()); \
    } while (0)

#define EXPECT_ERR(expr, want, what)                                                        \
    do {                                                                                    \
        auto expect_result = (expr);                                                        \
        if (!expect_result.is_error()) return why("{}: ok, want {}", what, want);           \
        if (expect_result.error() != want)                                                  \
            return why("{}: {}, want {}", what, expect_result.error(), want);               \
    } while (0)

// A child `chantest child <mode>` holding `end` (and `extra`) at kChild
// (kChild + 1), with the standard handles so it can be seen failing.
SysOr<Handle> spawn_child(StringView mode, Handle end, Handle extra = kNoHandle) {
    Handle handles[kChildExtra + 1] = {};
    handles[abi::kStdin] = std_in();
    handles[abi::kStdout] = std_out();
    handles[abi::kStderr] = std_err();
    handles[abi::kWorkingDir] = working_dir();
    handles[abi::kRootDir] = root_dir();
    handles[kChild] = end;
    handles[kChildExtra] = extra;
    const StringView argv[] = {"chantest", "child", mode};
    return spawn(root_dir(), "bin/chantest", argv, handles);
}

// The child's exit; `reason` is ExitReason::Exited and the status its
// verdict, or the why says otherwise.
bool reap(Handle process, StringView what, i32 want_status = 0) {
    abi::ExitInfo info {};
    auto waited = sys::wait(process, info, 5'000 * kMs);
    (void)sys::close(process);
    if (waited.is_error()) return why("{}: wait: {}", what, waited.error());
    if (info.reason != u32(abi::ExitReason::Exited) || info.status != want_status)
        return why("{}: child ended with reason {} status {}, want exit {}", what, info.reason, info.status, want_status);
    return true;
}

// A channel whose second end went to a new child: returns the first end.
struct Pair {
    Handle mine = kNoHandle;
    Handle child = kNoHandle;
};
SysOr<Pair> with_child(StringView mode) {
    Handle ends[2];
    TRY(sys::channel_create(ends));
    auto child = spawn_child(mode, ends[1]);
    // The child holds its own copy: the parent keeps only its end, so that
    // the child's exit is the peer closing.
    (void)sys::close(ends[1]);
    if (child.is_error()) {
        (void)sys::close(ends[0]);
        return child.error();
    }
    return Pair {ends[0], child.value()};
}

bool case_order() {
    // Sizes around the kernel's inline limit and page boundaries, an empty
    // message and the largest.
    static const u32 sizes[] = {1, 0, 2, 191, 192, 193, 4095, 4096, 4097, 12345, abi::kChannelMaxBytes, 3};
    constexpr u32 count = sizeof(sizes) / sizeof(sizes[0]);
    static_assert(count <= abi::kChannelQueueDepth);
    auto pair = with_child("echo");
    if (pair.is_error()) return why("spawn: {}", pair.error());
    Handle end = pair.value().mine;
    for (u32 m = 0; m < count; ++m) {
        for (u32 i = 0; i < sizes[m]; ++i) g_send[i] = pattern(m, i);
        EXPECT_OK(sys::channel_send(end, g_send, sizes[m]), "send");
    }
    for (u32 m = 0; m < count; ++m) {
        auto n = sys::channel_recv(end, g_recv, sizeof(g_recv), nullptr, nullptr, 5'000 * kMs);
        if (n.is_error()) return why("echo {}: {}", m, n.error());
        if (n.value() != sizes[m]) return why("echo {}: {} bytes, sent {}", m, n.value(), sizes[m]);
        for (u32 i = 0; i < sizes[m]; ++i)
            if (g_recv[i] != pattern(m, i)) return why("echo {}: byte {} differs", m, i);
    }
    // The child is parked receiving: closing this end is its PeerClosed.
    (void)sys::close(end);
    return reap(pair.value().child, "echo");
}

bool case_call() {
    // Requests and replies by channel_call on both sides, across the size a
    // parked receiver takes straight from the sender (256) and the inline
    // and page limits, several times each.
    static const u32 sizes[] = {1, 0, 255, 256, 257, 192, 4097, abi::kChannelMaxBytes, 1};
    auto pair = with_child("serve");
    if (pair.is_error()) return why("spawn: {}", pair.error());
    Handle end = pair.value().mine;
    for (u32 round = 0; round < 3; ++round) {
        for (u32 m = 0; m < sizeof(sizes) / sizeof(sizes[0]); ++m) {
            for (u32 i = 0; i < sizes[m]; ++i) g_send[i] = pattern(m + round, i);
            auto n = sys::channel_call(end, g_send, sizes[m], g_recv, sizeof(g_recv), 5'000 * kMs);
            if (n.is_error()) return why("call {}/{}: {}", round, m, n.error());
            if (n.value() != sizes[m]) return why("call {}: {} bytes back, sent {}", m, n.value(), sizes[m]);
            for (u32 i = 0; i < sizes[m]; ++i)
                if (g_recv[i] != u8(pattern(m + round, i) + 1)) return why("call {}: byte {} is not the answer", m, i);
        }
    }
    // A reply too large for the room: Overflow after the send, the reply
    // stays queued for channel_recv.
    for (u32 i = 0; i < 300; ++i) g_send[i] = pattern(9, i);
    EXPECT_ERR(sys::channel_call(end, g_send, 300, g_recv, 10, 5'000 * kMs), abi::Err::Overflow, "call into 10 bytes");
    auto n = sys::channel_recv(end, g_recv, sizeof(g_recv), nullptr, nullptr, 5'000 * kMs);
    if (n.is_error() || n.value() != 300) return why("the reply after Overflow: {}", n.is_error() ? 0 : n.value());
    // Only an end with both rights may call.
    auto send_only = sys::dup(end, abi::kRightWrite);
    if (send_only.is_error()) return why("dup: {}", send_only.error());
    EXPECT_ERR(sys::channel_call(send_only.value(), g_send, 1, g_recv, 1), abi::Err::AccessDenied, "call without Read");
    (void)sys::close(send_only.value());
    (void)sys::close(end);
    return reap(pair.value().child, "serve");
}

bool case_whole() {
    Handle ends[2];
    EXPECT_OK(sys::channel_create(ends), "channel_create");
    for (u32 i = 0; i < 300; ++i) g_send[i] = pattern(7, i);
    EXPECT_OK(sys::channel_send(ends[0], g_send, 300, nullptr, 0, 0), "send");
    EXPECT_ERR(sys::channel_recv(ends[1], g_recv, 100, nullptr, nullptr, 0), abi::Err::Overflow, "recv into 100");
    auto n = sys::channel_recv(ends[1], g_recv, sizeof(g_recv), nullptr, nullptr, 0);
    if (n.is_error()) return why("recv after Overflow: {}", n.error());
    if (n.value() != 300) return why("recv after Overflow: {} bytes, want 300", n.value());
    for (u32 i = 0; i < 300; ++i)
        if (g_recv[i] != pattern(7, i)) return why("byte {} differs", i);
    EXPECT_ERR(sys::channel_send(ends[0], g_send, abi::kChannelMaxBytes + 1, nullptr, 0, 0), abi::Err::InvalidArgument,
               "send one byte over the limit");
    (void)sys::close(ends[0]);
    (void)sys::close(ends[1]);
    return true;
}

bool case_bounded() {
    Handle ends[2];
    EXPECT_OK(sys::channel_create(ends), "channel_create");
    for (u32 i = 0; i < abi::kChannelQueueDepth; ++i) EXPECT_OK(sys::channel_send(ends[0], &i, sizeof(i), nullptr, 0, 0), "send");
    u32 extra = 99;
    EXPECT_ERR(sys::channel_send(ends[0], &extra, sizeof(extra), nullptr, 0, 0), abi::Err::WouldBlock, "send to a full queue");
    abi::Stat stat {};
    EXPECT_OK(sys::stat(ends[1], stat), "stat");
    if (stat.size != abi::kChannelQueueDepth) return why("stat says {} queued, want {}", stat.size, abi::kChannelQueueDepth);
    u64 start = sys::clock();
    EXPECT_ERR(sys::channel_send(ends[0], &extra, sizeof(extra), nullptr, 0, 20 * kMs), abi::Err::Timeout,
               "send with a timeout to a full queue");
    if (sys::clock() - start < 20 * kMs) return why("the send timed out after {} us, before 20 ms", (sys::clock() - start) / 1000);
    // One taken: room for one more, which arrives last.
    u32 value = 0;
    EXPECT_OK(sys::channel_recv(ends[1], &value, sizeof(value), nullptr, nullptr, 0), "recv");
    if (value != 0) return why("first message {}, want 0", value);
    EXPECT_OK(sys::channel_send(ends[0], &extra, sizeof(extra), nullptr, 0, 0), "send after room");
    for (u32 i = 1; i <= abi::kChannelQueueDepth; ++i) {
        EXPECT_OK(sys::channel_recv(ends[1], &value, sizeof(value), nullptr, nullptr, 0), "drain");
        u32 want = i < abi::kChannelQueueDepth ? i : extra;
        if (value != want) return why("message {} is {}, want {}", i, value, want);
    }
    (void)sys::close(ends[0]);
    (void)sys::close(ends[1]);
    return true;
}

bool case_timeout() {
    Handle ends[2];
    EXPECT_OK(sys::channel_create(ends), "channel_create");
    EXPECT_ERR(sys::channel_recv(ends[1], g_recv, 16, nullptr, nullptr, 0), abi::Err::WouldBlock, "recv, no wait");
    u64 start = sys::clock();
    EXPECT_ERR(sys::channel_recv(ends[1], g_recv, 16, nullptr, nullptr, 30 * kMs), abi::Err::Timeout, "recv 30 ms");
    u64 took = sys::clock() - start;
    if (took < 30 * kMs || took > 2'000 * kMs) return why("the 30 ms receive took {} us", took / 1000);
    (void)sys::close(ends[0]);
    (void)sys::close(ends[1]);
    return true;
}

bool case_cancel() {
    auto pair = with_child("cancel");
    if (pair.is_error()) return why("spawn: {}", pair.error());
    Handle end = pair.value().mine;
    Handle process = pair.value().child;
    auto ready = sys::channel_recv(end, g_recv, sizeof(g_recv), nullptr, nullptr, 5'000 * kMs);
    if (ready.is_error()) return why("ready: {}", ready.error());
    // The child parks in channel_recv right after "ready": until it does,
    // there is no wait to cancel (BadState).
    u64 deadline = sys::clock() + 2'000 * kMs;
    for (;;) {
        auto sent = sys::signal(process, abi::Signal::Cancel);
        if (sent.ok()) break;
        if (sent.error() != abi::Err::BadState || sys::clock() > deadline)
            return why("signal Cancel: {}", sent.error());
        (void)sys::sleep(1 * kMs);
    }
    EXPECT_OK(sys::channel_send(end, "bye", 3), "send bye");
    bool ok = reap(process, "cancel");
    (void)sys::close(end);
    return ok;
}

bool case_closed_queued() {
    auto pair = with_child("bye");
    if (pair.is_error()) return why("spawn: {}", pair.error());
    Handle end = pair.value().mine;
    // Gone before this side reads: its last message is still delivered.
    if (!reap(pair.value().child, "bye")) return false;
    auto n = sys::channel_recv(end, g_recv, sizeof(g_recv), nullptr, nullptr, 0);
    if (n.is_error()) return why("recv the queued message: {}", n.error());
    if (StringView(reinterpret_cast<char*>(g_recv), n.value()) != "bye") return why("the queued message is not bye");
    EXPECT_ERR(sys::channel_recv(end, g_recv, sizeof(g_recv), nullptr, nullptr, 0), abi::Err::PeerClosed, "recv after");
    EXPECT_ERR(sys::channel_send(end, "x", 1, nullptr, 0, 0), abi::Err::PeerClosed, "send after");
    (void)sys::close(end);
    return true;
}

bool case_closed_recv() {
    auto pair = with_child("late");
    if (pair.is_error()) return why("spawn: {}", pair.error());
    Handle end = pair.value().mine;
    // Parked here when the child exits.
    EXPECT_ERR(sys::channel_recv(end, g_recv, sizeof(g_recv), nullptr, nullptr, 5'000 * kMs), abi::Err::PeerClosed,
               "parked recv");
    (void)sys::close(end);
    return reap(pair.value().child, "late");
}

bool case_closed_send() {
    auto pair = with_child("flood");
    if (pair.is_error()) return why("spawn: {}", pair.error());
    Handle end = pair.value().mine;
    // Wait for the child to fill this end's queue, then for its next send
    // to park.
    u64 deadline = sys::clock() + 3'000 * kMs;
    abi::Stat stat {};
    for (;;) {
        EXPECT_OK(sys::stat(end, stat), "stat");
        if (stat.size >= abi::kChannelQueueDepth) break;
        if (sys::clock() > deadline) return why("the child queued only {}", stat.size);
        (void)sys::sleep(1 * kMs);
    }
    (void)sys::sleep(20 * kMs);
    (void)sys::close(end);
    return reap(pair.value().child, "flood");
}

bool case_transfer() {
    auto opened = open_motd();
    if (opened.is_error()) return why("open etc/motd: {}", opened.error());
    Handle file = opened.value();
    static char expected[4096];
    auto length = sys::read(file, expected, sizeof(expected), 0);
    if (length.is_error()) return why("read etc/motd: {}", length.error());
    auto pair = with_child("file");
    if (pair.is_error()) return why("spawn: {}", pair.error());
    Handle end = pair.value().mine;
    EXPECT_OK(sys::channel_send(end, "f", 1, &file, 1), "send the file");
    // Moved, not copied: this process no longer holds it.
    char byte;
    EXPECT_ERR(sys::read(file, &byte, 1, 0), abi::Err::BadHandle, "read the sent handle");
    auto n = sys::channel_recv(end, g_recv, sizeof(g_recv), nullptr, nullptr, 5'000 * kMs);
    if (n.is_error()) return why("the child's copy: {}", n.error());
    if (StringView(reinterpret_cast<char*>(g_recv), n.value()) != StringView(expected, length.value()))
        return why("the child read {} bytes, not etc/motd's {}", n.value(), length.value());
    (void)sys::close(end);
    return reap(pair.value().child, "file");
}

bool case_atomic() {
    Handle ends[2];
    EXPECT_OK(sys::channel_create(ends), "channel_create");
    auto opened = open_motd();
    auto opened_dead = open_motd();
    if (opened.is_error() || opened_dead.is_error()) return why("open etc/motd failed");
    Handle file = opened.value();
    // One good handle and one dead one: neither moves.
    Handle dead = opened_dead.value();
    (void)sys::close(dead);
    Handle both[2] = {file, dead};
    EXPECT_ERR(sys::channel_send(ends[0], "x", 1, both, 2, 0), abi::Err::BadHandle, "send with a dead handle");
    char byte;
    EXPECT_OK(sys::read(file, &byte, 1, 0), "the good handle after the failed send");
    abi::Stat stat {};
    EXPECT_OK(sys::stat(ends[1], stat), "stat");
    if (stat.size != 0) return why("a failed send queued {} messages", stat.size);

    // A receiver without a free slot: TooMany, and the message stays.
    EXPECT_OK(sys::channel_send(ends[0], "h", 1, &file, 1, 0), "send the handle");
    static Handle filler[1024];
    usize filled = 0;
    for (; filled < sizeof(filler) / sizeof(filler[0]); ++filled) {
        auto copy = sys::dup(ends[0], abi::kRightRead | abi::kRightDuplicate);
        if (copy.is_error()) break;
        filler[filled] = copy.value();
    }
    Handle got = kNoHandle;
    usize count = 1;
    auto full = sys::channel_recv(ends[1], g_recv, sizeof(g_recv), &got, &count, 0);
    for (usize i = 0; i < filled; ++i) (void)sys::close(filler[i]);
    if (!full.is_error() || full.error() != abi::Err::TooMany)
        return why("recv into a full table: {}, want TooMany", full.is_error() ? error_name(full.error()) : "ok");
    count = 1;
    auto n = sys::channel_recv(ends[1], g_recv, sizeof(g_recv), &got, &count, 0);
    if (n.is_error()) return why("recv after room: {}", n.error());
    if (count != 1) return why("{} handles arrived, want 1", count);
    EXPECT_OK(sys::read(got, &byte, 1, 0), "the received handle");
    (void)sys::close(got);
    (void)sys::close(ends[0]);
    (void)sys::close(ends[1]);
    return true;
}

bool contains(StringView text, StringView part) {
    for (usize i = 0; i + part.length() <= text.length(); ++i)
        if (text.substr(i, part.length()) == part) return true;
    return false;
}

// Whether `line` (of sys/waits or the log) names `pid`.
bool names_pid(StringView line, u64 pid) {
    char text[32];
    FormatBuffer want(Span<char>(text, sizeof(text)));
    format_append(want, "pid {} ", pid);
    return contains(line, want.view());
}

// As much of `handle`'s text as fits, read from offset 0.
StringView read_from_start(Handle handle, Span<char> buffer) {
    usize total = 0;
    while (total < buffer.size()) {
        auto n = sys::read(handle, buffer.data() + total, buffer.size() - total, total);
        if (n.is_error() || n.value() == 0) break;
        total += n.value();
    }
    return StringView(buffer.data(), total);
}

bool case_deadlock() {
    Handle first[2], second[2];
    EXPECT_OK(sys::channel_create(first), "channel_create");
    EXPECT_OK(sys::channel_create(second), "channel_create");
    // A receives on first[0] and holds second[1]; B receives on second[0]
    // and holds first[1]: each waits for a message only the other could send.
    auto a = spawn_child("deadlock", first[0], second[1]);
    auto b = spawn_child("deadlock", second[0], first[1]);
    const Handle ends[] = {first[0], first[1], second[0], second[1]};
    for (Handle h : ends) (void)sys::close(h);
    if (a.is_error() || b.is_error()) return why("spawn: {}", a.is_error() ? a.error() : b.error());
    abi::Stat sa {}, sb {};
    EXPECT_OK(sys::stat(a.value(), sa), "stat");
    EXPECT_OK(sys::stat(b.value(), sb), "stat");

    static char text[8192];
    StringView cycle;
    u64 deadline = sys::clock() + 3'000 * kMs;
    while (cycle.length() == 0 && sys::clock() < deadline) {
        (void)sys::sleep(20 * kMs);
        auto waits = sys::open(root_dir(), "sys/waits", abi::kOpenRead);
        if (waits.is_error()) return why("open sys/waits: {}", waits.error());
        StringView all = read_from_start(waits.value(), Span<char>(text, sizeof(text)));
        (void)sys::close(waits.value());
        for (usize at = 0; at < all.length();) {
            usize end = at;
            while (end < all.length() && all[end] != '\n') ++end;
            StringView line = all.substr(at, end - at);
            if (line.length() > 6 && line.substr(0, 6) == "cycle:" && names_pid(line, sa.inode) && names_pid(line, sb.inode))
                cycle = line;
            at = end + 1;
        }
    }
    // The kernel logs a cycle once it has stood for a second (checked once
    // a second): with the log capability, look for that line too.
    static char log_text[16384];
    StringView logged;
    Handle log = log_cap();
    deadline = sys::clock() + 4'000 * kMs;
    while (cycle.length() != 0 && log != kNoHandle && logged.length() == 0 && sys::clock() < deadline) {
        (void)sys::sleep(50 * kMs);
        StringView all = read_from_start(log, Span<char>(log_text, sizeof(log_text)));
        for (usize at = 0; at < all.length();) {
            usize end = at;
            while (end < all.length() && all[end] != '\n') ++end;
            StringView line = all.substr(at, end - at);
            if (contains(line, "deadlock: ") && names_pid(line, sa.inode) && names_pid(line, sb.inode)) logged = line;
            at = end + 1;
        }
    }
    const Handle children[] = {a.value(), b.value()};
    for (Handle child : children) {
        (void)sys::signal(child, abi::Signal::Terminate);
        abi::ExitInfo info {};
        (void)sys::wait(child, info, 5'000 * kMs);
        (void)sys::close(child);
    }
    if (cycle.length() == 0) return why("sys/waits shows no cycle through pids {} and {}", sa.inode, sb.inode);
    print_out("chantest deadlock pids {} {} {}\n", sa.inode, sb.inode, cycle);
    if (log == kNoHandle) {
        print_out("chantest deadlock log unchecked (no log capability)\n");
    } else {
        if (logged.length() == 0) return why("the kernel log has no deadlock line through pids {} and {}", sa.inode, sb.inode);
        print_out("chantest deadlock logged\n");
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 3 && StringView(argv[1]) == "child") return child(argv[2]);
    struct Case {
        const char* name;
        bool (*run)();
    };
    static const Case cases[] = {
        {"order", case_order},           {"whole", case_whole},
        {"bounded", case_bounded},       {"timeout", case_timeout},
        {"cancel", case_cancel},         {"closed-queued", case_closed_queued},
        {"closed-recv", case_closed_recv}, {"closed-send", case_closed_send},
        {"transfer", case_transfer},     {"atomic", case_atomic},
        {"deadlock", case_deadlock},     {"call", case_call},
    };
    u32 passed = 0, failed = 0;
    for (const Case& c : cases) {
        if (argc >= 2 && StringView(argv[1]) != c.name) continue;
        g_why_length = 0;
        if (c.run()) {
            ++passed;
            print_out("chantest {} ok\n", c.name);
        } else {
            ++failed;
            print_out("chantest {} FAIL {}\n", c.name, StringView(g_why_text, g_why_length));
        }
    }
    print_out("chantest done {} passed, {} failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
