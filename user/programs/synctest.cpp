// synctest [DIR] [COUNT]: a write workload that says what it made durable,
// for power-cut tests (tests/qemu/test_powercut.py): the host kills the
// machine at a random moment, boots it again (the mount replays the
// journal), and checks that everything reported durable is there.
//
// In DIR (default mnt/synctest, created), step i (0 .. COUNT-1, default
// until the disk is full) does, each followed by an fsync:
//   write  fNNNNN, a new file of 1 .. 40000 bytes (content from i)
//   rename fN(i-1) to rN(i-1)        when i % 5 == 4
//   unlink rN(i-8)                   when i % 5 == 1 and i >= 8
// Each operation prints "DO <op> <names>" before it starts and "OK" once
// its fsync returned: an operation with an OK survives any later crash;
// the one in flight may or may not. File content: byte k of fN is
// (N * 131 + k * 7 + k / 251) mod 256, so the host can recompute it.
// Ends with SYNCTEST-DONE, or SYNCTEST-FULL when the disk fills up.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

constexpr usize kMaxFile = 40000;

u8 g_data[kMaxFile];

u32 file_size(u64 n) { return u32(1 + (n * 2654435761u) % kMaxFile); }

// "fNNNNN" (or rNNNNN) into `out`.
StringView file_name(char (&out)[8], char kind, u64 n) {
    out[0] = kind;
    for (int d = 5; d >= 1; --d) {
        out[d] = char('0' + n % 10);
        n /= 10;
    }
    out[6] = 0;
    return StringView(out, 6);
}

SysOr<void> write_file(Handle dir, u64 n) {
    char name[8];
    const u32 size = file_size(n);
    for (u32 k = 0; k < size; ++k) g_data[k] = u8(n * 131 + k * 7 + k / 251);
    print_out("DO write {} {}\n", file_name(name, 'f', n), size);
    Handle file = TRY(sys::open(dir, file_name(name, 'f', n), abi::kOpenWrite | abi::kOpenCreate | abi::kOpenTruncate));
    for (u32 done = 0; done < size;) {
        auto wrote = sys::write(file, g_data + done, size - done, done);
        if (wrote.is_error() || wrote.value() == 0) {
            (void)sys::close(file);
            return wrote.is_error() ? wrote.error() : abi::Err::Io;
        }
        done += u32(wrote.value());
    }
    auto synced = sys::sync(file);
    (void)sys::close(file);
    TRY(synced);
    print_out("OK\n");
    return {};
}

SysOr<void> rename_file(Handle dir, u64 n) {
    char from[8], to[8];
    print_out("DO rename {} {}\n", file_name(from, 'f', n), file_name(to, 'r', n));
    TRY(sys::rename(dir, file_name(from, 'f', n), dir, file_name(to, 'r', n)));
    TRY(sys::sync(dir));
    print_out("OK\n");
    return {};
}

SysOr<void> unlink_file(Handle dir, u64 n) {
    char name[8];
    print_out("DO unlink {}\n", file_name(name, 'r', n));
    TRY(sys::unlink(dir, file_name(name, 'r', n)));
    TRY(sys::sync(dir));
    print_out("OK\n");
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    StringView path = argc > 1 ? StringView(argv[1]) : StringView("mnt/synctest");
    u64 count = ~u64(0);
    if (argc > 2) {
        auto parsed = parse_u64(StringView(argv[2]));
        if (parsed.is_error() || argc > 3) {
            print_err("usage: synctest [DIR] [COUNT]\n");
            return 2;
        }
        count = parsed.value();
    }
    auto made = sys::mkdir(root_dir(), path);
    if (made.is_error() && made.error() != abi::Err::Exists) {
        print_err("synctest: {}: {}\n", path, made.error());
        return 1;
    }
    auto opened = sys::open(root_dir(), path, abi::kOpenRead | abi::kOpenDirectory);
    if (opened.is_error()) {
        print_err("synctest: {}: {}\n", path, opened.error());
        return 1;
    }
    const Handle dir = opened.value();
    for (u64 i = 0; i < count && i < 100000; ++i) {
        SysOr<void> step = write_file(dir, i);
        if (!step.is_error() && i % 5 == 4) step = rename_file(dir, i - 1);
        if (!step.is_error() && i % 5 == 1 && i >= 8) step = unlink_file(dir, i - 8);
        if (step.is_error()) {
            if (step.error() == abi::Err::NoSpace) {
                print_out("SYNCTEST-FULL\n");
                return 0;
            }
            print_out("SYNCTEST-FAILED step {}: {}\n", i, step.error());
            return 1;
        }
    }
    print_out("SYNCTEST-DONE\n");
    return 0;
}
