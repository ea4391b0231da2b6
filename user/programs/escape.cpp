// escape: the escape suite (issue 12). Tries, one by one, to reach what
// this program was not given, and checks that each attempt fails with its
// named error:
//
//     escape <attempt> <ErrName>            [ FAIL want <ErrName> ]
//
// The attempts: `..` out of the root and an absolute path (Escapes); a
// forged handle value and a closed handle's value (BadHandle); writing
// through a read-only handle (AccessDenied); the privileged nodes (sys/audit,
// sys/log, sys/power, dev/vda) through a root without kRightPrivileged
// (AccessDenied); dup asking for more rights, sending or spawning with a
// handle that lacks kRightTransfer, signalling a process through a
// wait-only handle (AccessDenied); a full handle table (TooMany); a flooded
// channel (WouldBlock once full); W+X memory (InvalidArgument).
//
// Every attempt but the last is a denial, which the kernel must put in the
// audit ring. Given the audit capability (abi::kAuditCap; init gets it from
// the kernel), the program reads the ring's header before and after and
// prints how many of its denials were counted, and how many of them have a
// `deny` record of their own:
//
//     escape audited <denials counted>/<denials caused>
//     escape audit-records <deny records>/<denials caused>
//     escape done <n> attempts
//
// The root it was started with is what the shell hands out: without the
// privileged right. Run as init it holds every right, so it drops that one
// first (dup with fewer rights) and uses the smaller root throughout.
//
// `escape idle` (spawned by the suite itself) sleeps: a process to signal.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

constexpr u64 kMs = 1'000'000;

struct Tally {
    u32 attempts = 0;
    u32 denials = 0;   // attempts that were denied as they should be
    u32 failures = 0;  // attempts that got the wrong answer
};
Tally g_tally;

// One attempt's verdict. `denial`: the kernel must audit this refusal.
template <typename T>
void expect(StringView name, const SysOr<T>& got, abi::Err want, bool denial = true) {
    ++g_tally.attempts;
    const char* got_name = got.is_error() ? error_name(got.error()) : "ok";
    if (got.is_error() && got.error() == want) {
        if (denial) ++g_tally.denials;
        print_out("escape {} {}\n", name, got_name);
        return;
    }
    ++g_tally.failures;
    print_out("escape {} {} FAIL want {}\n", name, got_name, want);
}

// A step the attempts need; the suite cannot go on without it.
template <typename T>
T must(StringView what, SysOr<T> got) {
    if (got.is_error()) {
        print_out("escape setup {} FAIL {}\n", what, got.error());
        sys::exit(1);
    }
    return got.release_value();
}
void must(StringView what, SysOr<void> got) {
    if (got.is_error()) {
        print_out("escape setup {} FAIL {}\n", what, got.error());
        sys::exit(1);
    }
}

// --- the audit ring ---------------------------------------------------------

struct AuditHeader {
    u64 records = 0;
    u64 denials = 0;
    u64 lost = 0;
};

// The whole of sys/audit through the capability, from offset 0 (the
// handle's own position is not ours alone to move).
SysOr<StringView> read_audit(Handle cap, Span<char> buffer) {
    usize total = 0;
    while (total < buffer.size()) {
        usize n = TRY(sys::read(cap, buffer.data() + total, buffer.size() - total, total));
        if (n == 0) break;
        total += n;
    }
    return StringView(buffer.data(), total);
}

// The decimal number right after `key` in `text` (the first occurrence at
// or after `from`); ~0 if absent. `end` gets the offset past it.
u64 number_after(StringView text, StringView key, usize from = 0, usize* end = nullptr) {
    for (usize i = from; i + key.length() <= text.length(); ++i) {
        if (text.substr(i, key.length()) != key) continue;
        usize j = i + key.length();
        if (j >= text.length() || text[j] < '0' || text[j] > '9') continue;
        u64 value = 0;
        for (; j < text.length() && text[j] >= '0' && text[j] <= '9'; ++j) value = value * 10 + u64(text[j] - '0');
        if (end) *end = j;
        return value;
    }
    return ~u64(0);
}

// "records N denials D lost L" on the first line.
bool parse_header(StringView text, AuditHeader& out) {
    usize line = 0;
    while (line < text.length() && text[line] != '\n') ++line;
    StringView first = text.substr(0, line);
    out.records = number_after(first, "records ");
    out.denials = number_after(first, "denials ");
    out.lost = number_after(first, "lost ");
    return out.records != ~u64(0) && out.denials != ~u64(0) && out.lost != ~u64(0);
}

// Deny records by a process named `program` with a sequence number above
// `after`: the records this run's denials left.
u64 count_denials(StringView text, StringView program, u64 after) {
    u64 count = 0;
    usize at = 0;
    while (at < text.length()) {
        usize end = at;
        while (end < text.length() && text[end] != '\n') ++end;
        StringView line = text.substr(at, end - at);
        at = end + 1;
        if (line.length() < 2 || line[0] != '#') continue;
        u64 sequence = number_after(line, "#");
        if (sequence == ~u64(0) || sequence <= after) continue;
        // "#seq T.TTTs pid P <program> deny syscall ..."
        char needle[48];
        FormatBuffer want(Span<char>(needle, sizeof(needle)));
        format_append(want, " {} deny ", program);
        for (usize i = 0; i + want.length() <= line.length(); ++i)
            if (line.substr(i, want.length()) == want.view()) {
                ++count;
                break;
            }
    }
    return count;
}

// --- the attempts -------------------------------------------------------------

void paths(Handle root) {
    expect("dotdot", sys::open(root, "..", abi::kOpenRead), abi::Err::Escapes);
    expect("dotdot-deep", sys::open(root, "bin/../../etc/motd", abi::kOpenRead), abi::Err::Escapes);
    expect("absolute", sys::open(root, "/etc/motd", abi::kOpenRead), abi::Err::Escapes);
}

void handle_values(Handle root) {
    Handle file = must("open etc/motd", sys::open(root, "etc/motd", abi::kOpenRead));
    char byte;
    // The same slot with another generation, and a slot nobody uses, both
    // under this process's secret: neither names an object.
    Handle forged = file ^ 0x00a5a500u;
    expect("forged", sys::read(forged, &byte, 1, 0), abi::Err::BadHandle);
    Handle empty_slot = (file & ~0xffu) | 128u;
    expect("forged-slot", sys::read(empty_slot, &byte, 1, 0), abi::Err::BadHandle);
    // Closed, then the slot taken again: the old value stays dead.
    must("close", sys::close(file));
    Handle again = must("reopen etc/motd", sys::open(root, "etc/motd", abi::kOpenRead));
    expect("reused", sys::read(file, &byte, 1, 0), abi::Err::BadHandle);
    expect("close-reused", sys::close(file), abi::Err::BadHandle);
    (void)sys::close(again);
}

void read_only(Handle root) {
    Handle file = must("open etc/motd", sys::open(root, "etc/motd", abi::kOpenRead));
    Handle reader = must("dup read-only", sys::dup(file, abi::kRightRead));
    expect("write-dup-ro", sys::write(reader, "x", 1, 0), abi::Err::AccessDenied);
    expect("write-open-ro", sys::write(file, "x", 1, 0), abi::Err::AccessDenied);
    // Rights only shrink.
    Handle small = must("dup read+dup", sys::dup(file, abi::kRightRead | abi::kRightDuplicate));
    expect("dup-more", sys::dup(small, abi::kRightRead | abi::kRightWrite | abi::kRightDuplicate),
           abi::Err::AccessDenied);
    expect("dup-nodup", sys::dup(reader, abi::kRightRead), abi::Err::AccessDenied);
    (void)sys::close(small);
    (void)sys::close(reader);
    (void)sys::close(file);
}

// An attempt that must fail; if it opened something anyway, let it go at
// once (and never write to it: sys/power would power off).
void privileged_open(StringView name, Handle root, StringView path, u64 flags) {
    auto opened = sys::open(root, path, flags);
    expect(name, opened, abi::Err::AccessDenied);
    if (opened.ok()) (void)sys::close(opened.value());
}

void privileged(Handle root) {
    privileged_open("sys-audit", root, "sys/audit", abi::kOpenRead);
    privileged_open("sys-log", root, "sys/log", abi::kOpenRead);
    privileged_open("sys-power", root, "sys/power", abi::kOpenWrite);
    privileged_open("dev-vda", root, "dev/vda", abi::kOpenRead);
}

void transfer(Handle root) {
    Handle file = must("open etc/motd", sys::open(root, "etc/motd", abi::kOpenRead));
    Handle kept = must("dup without transfer", sys::dup(file, abi::kRightRead | abi::kRightDuplicate));
    Handle ends[2];
    must("channel_create", sys::channel_create(ends));
    expect("send-notransfer", sys::channel_send(ends[0], "x", 1, &kept, 1, 0), abi::Err::AccessDenied);
    const StringView argv[] = {"true"};
    const Handle handles[] = {kept};
    auto child = spawn(root, "bin/true", argv, handles);
    expect("spawn-notransfer", child, abi::Err::AccessDenied);
    if (child.ok()) {
        abi::ExitInfo info {};
        (void)sys::wait(child.value(), info);
        (void)sys::close(child.value());
    }
    // The handle was refused, not lost: it still reads.
    char byte;
    if (sys::read(kept, &byte, 1, 0).is_error()) {
        ++g_tally.failures;
        print_out("escape send-notransfer FAIL the sender lost its handle\n");
    }
    (void)sys::close(ends[0]);
    (void)sys::close(ends[1]);
    (void)sys::close(kept);
    (void)sys::close(file);
}

void exhaust(Handle root) {
    Handle file = must("open etc/motd", sys::open(root, "etc/motd", abi::kOpenRead));
    abi::Stat stat {};
    must("stat", sys::stat(file, stat));
    // More than any table holds (the kernel's is 128 slots).
    static Handle taken[1024];
    usize count = 0;
    SysOr<Handle> last = abi::Err::InvalidArgument;
    // Same rights as the original: no Dup record per copy, so the only
    // record this leaves is the refusal.
    for (;;) {
        last = sys::dup(file, stat.rights);
        if (last.is_error() || count == sizeof(taken) / sizeof(taken[0])) break;
        taken[count++] = last.value();
    }
    expect("handle-table", last, abi::Err::TooMany);
    if (last.ok()) (void)sys::close(last.value());
    for (usize i = 0; i < count; ++i) (void)sys::close(taken[i]);
    (void)sys::close(file);
}

void flood() {
    Handle ends[2];
    must("channel_create", sys::channel_create(ends));
    SysOr<void> last;
    u32 sent = 0;
    for (; sent <= abi::kChannelQueueDepth; ++sent) {
        last = sys::channel_send(ends[0], "flood", 5, nullptr, 0, 0);
        if (last.is_error()) break;
    }
    expect("flood", last, abi::Err::WouldBlock);
    if (sent != abi::kChannelQueueDepth) {
        ++g_tally.failures;
        print_out("escape flood FAIL refused after {} messages, the queue holds {}\n", sent, abi::kChannelQueueDepth);
    }
    (void)sys::close(ends[0]);
    (void)sys::close(ends[1]);
}

void signal_without_right(Handle root) {
    const StringView argv[] = {"escape", "idle"};
    // No handles at all (an empty list, but a real address: the kernel
    // checks the pointer whatever the count).
    const Handle none[1] = {kNoHandle};
    Handle child = must("spawn escape idle", spawn(root, "bin/escape", argv, Span<const Handle>(none, 0)));
    Handle waiter = must("dup wait-only", sys::dup(child, abi::kRightWait));
    expect("signal-waitonly", sys::signal(waiter, abi::Signal::Terminate), abi::Err::AccessDenied);
    expect("cancel-waitonly", sys::signal(waiter, abi::Signal::Cancel), abi::Err::AccessDenied);
    // The real handle still may: end it and reap it.
    must("signal child", sys::signal(child, abi::Signal::Terminate));
    abi::ExitInfo info {};
    must("wait child", sys::wait(waiter, info));
    (void)sys::close(waiter);
    (void)sys::close(child);
}

void memory() {
    expect("map-wx", sys::map(abi::kPageSize, abi::kMapRead | abi::kMapWrite | abi::kMapExecute),
           abi::Err::InvalidArgument, false);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && StringView(argv[1]) == "idle") {
        (void)sys::sleep(30'000 * kMs);
        return 0;
    }
    // The root as the shell would hand it out: no privileged right.
    Handle root = root_dir();
    abi::Stat stat {};
    must("stat root", sys::stat(root, stat));
    if (stat.rights & abi::kRightPrivileged) {
        root = must("dup root", sys::dup(root, stat.rights & ~u32(abi::kRightPrivileged)));
        print_out("escape root dropped the privileged right\n");
    }

    static char before_text[40 * 1024];
    static char after_text[40 * 1024];
    Handle audit = audit_cap();
    AuditHeader before {};
    bool audited = false;
    if (audit != kNoHandle) {
        auto text = read_audit(audit, Span<char>(before_text, sizeof(before_text)));
        audited = text.ok() && parse_header(text.value(), before);
        if (!audited) print_out("escape audit FAIL cannot read the ring ({})\n", text.is_error() ? text.error() : abi::Err::Malformed);
    }

    paths(root);
    handle_values(root);
    read_only(root);
    privileged(root);
    transfer(root);
    exhaust(root);
    flood();
    signal_without_right(root);
    memory();

    if (audit == kNoHandle) {
        print_out("escape audited none (no audit capability)\n");
    } else if (audited) {
        AuditHeader after {};
        auto text = read_audit(audit, Span<char>(after_text, sizeof(after_text)));
        if (text.is_error() || !parse_header(text.value(), after)) {
            print_out("escape audit FAIL cannot read the ring again\n");
            ++g_tally.failures;
        } else {
            u64 counted = after.denials - before.denials;
            u64 records = count_denials(text.value(), "escape", before.records);
            print_out("escape audited {}/{}\n", counted, g_tally.denials);
            print_out("escape audit-records {}/{} lost {}\n", records, g_tally.denials, after.lost - before.lost);
            if (counted != g_tally.denials || records != g_tally.denials) ++g_tally.failures;
        }
    }
    print_out("escape done {} attempts {} denials {} failures\n", g_tally.attempts, g_tally.denials,
              g_tally.failures);
    return g_tally.failures == 0 ? 0 : 1;
}
