// fsbench [DIR [FILES [STEP ...]]]: the file benchmark of `./mote bench fs`,
// the same six steps as the Linux peer's peer=fs mode, on the filesystem at
// DIR (default mnt), with FILES small files (default 1000):
//   seq_write     a 16 MiB file in 64 KiB writes, then sync (fsync) it
//   seq_read      caches dropped, the file read back in 64 KiB reads
//   small_create  1000 files of 4 KiB in one new directory, then sync
//   listdir       caches dropped, readdir over that directory (names only)
//   small_read    caches dropped, each file opened and read to its end
//   delete        the 1000 files unlinked, then sync
// Caches are dropped by writing "drop" to sys/storage (the kernel syncs and
// empties its block and node caches), as the peer writes drop_caches. Every
// step checks its work (sizes, the first bytes of each file, the entry
// count) and fails loudly if it is wrong. One line per step:
//   FSBENCH op=seq_write files=1 bytes=16777216 seconds=0.281041 MBps=59.69 ops_per_s=3.55
// then FSBENCH-DONE (or FSBENCH-FAILED), and the exit status. Naming STEPs
// runs only those, in the order above (a profile of one step: seq_read
// reads what seq_write wrote, listdir, small_read and delete the files
// small_create made).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

constexpr u64 kSeqBytes = 16 << 20;
constexpr usize kChunk = 64 << 10;
u32 g_files = 1000;
constexpr usize kSmall = 4096;

u8* g_buffer = nullptr;
char g_dir[128];

// "DIR/name" into `out`.
StringView join(char (&out)[192], StringView name) {
    usize n = 0;
    for (char c : StringView(g_dir)) out[n++] = c;
    out[n++] = '/';
    for (char c : name) out[n++] = c;
    out[n] = 0;
    return StringView(out, n);
}

StringView small_name(char (&out)[192], u32 i) {
    char name[32] = "small/f";
    usize n = 7;
    name[n++] = char('0' + i / 1000 % 10);
    name[n++] = char('0' + i / 100 % 10);
    name[n++] = char('0' + i / 10 % 10);
    name[n++] = char('0' + i % 10);
    name[n] = 0;
    return join(out, StringView(name, n));
}

void report(const char* op, u64 files, u64 bytes, u64 ns) {
    if (ns == 0) ns = 1;
    const u64 us = ns / 1000;
    // MBps = bytes / seconds / 10^6 with two decimals; ops per second the same.
    const u64 mbps100 = bytes * 100000 / ns;
    const u64 ops100 = files * 100000000000ull / ns;
    print_out("FSBENCH op={} files={} bytes={} seconds={}.{:06} MBps={}.{:02} ops_per_s={}.{:02}\n", op, files,
              bytes, us / 1000000, us % 1000000, mbps100 / 100, mbps100 % 100, ops100 / 100, ops100 % 100);
}

SysOr<u64> storage_counter(StringView key) {
    Handle file = TRY(sys::open(root_dir(), "sys/storage", abi::kOpenRead));
    char text[2048];
    usize length = 0;
    for (;;) {
        auto n = sys::read(file, text + length, sizeof(text) - 1 - length, length);
        if (n.is_error()) {
            (void)sys::close(file);
            return n.error();
        }
        if (n.value() == 0 || length + n.value() >= sizeof(text) - 1) break;
        length += n.value();
    }
    (void)sys::close(file);
    StringView all(text, length);
    for (usize at = 0; at + key.length() < all.length(); ++at) {
        if (all.substr(at, key.length()) != key) continue;
        usize end = at + key.length();
        while (end < all.length() && all[end] != '\n') ++end;
        auto value = parse_u64(all.substr(at + key.length(), end - at - key.length()));
        if (value.is_error()) return abi::Err::Malformed;
        return value.value();
    }
    return abi::Err::NotFound;
}

// Asks the kernel to drop its caches and waits until it has.
SysOr<void> drop_caches() {
    const u64 before = TRY(storage_counter("drops: "));
    Handle file = TRY(sys::open(root_dir(), "sys/storage", abi::kOpenWrite));
    auto written = sys::write(file, "drop", 4, 0);
    (void)sys::close(file);
    TRY(written);
    for (int i = 0; i < 10000; ++i) {
        if (TRY(storage_counter("drops: ")) > before) return {};
        TRY(sys::sleep(1000000));
    }
    return abi::Err::Timeout;
}

SysOr<void> seq_write() {
    char path[192];
    for (usize i = 0; i < kChunk; ++i) g_buffer[i] = u8(i * 7 + 3);
    const u64 start = sys::clock();
    Handle file =
        TRY(sys::open(root_dir(), join(path, "seq"), abi::kOpenWrite | abi::kOpenCreate | abi::kOpenTruncate));
    for (u64 done = 0; done < kSeqBytes; done += kChunk) {
        usize n = TRY(sys::write(file, g_buffer, kChunk, done));
        if (n != kChunk) return abi::Err::Io;
    }
    TRY(sys::sync(file));
    TRY(sys::close(file));
    report("seq_write", 1, kSeqBytes, sys::clock() - start);
    return {};
}

SysOr<void> seq_read() {
    char path[192];
    TRY(drop_caches());
    const u64 start = sys::clock();
    Handle file = TRY(sys::open(root_dir(), join(path, "seq"), abi::kOpenRead));
    u64 total = 0;
    for (;;) {
        usize n = TRY(sys::read(file, g_buffer, kChunk, total));
        if (n == 0) break;
        total += n;
    }
    TRY(sys::close(file));
    const u64 ns = sys::clock() - start;
    if (total != kSeqBytes || g_buffer[1] != u8(7 + 3)) {
        print_err("fsbench: seq_read got {} bytes\n", total);
        return abi::Err::Io;
    }
    report("seq_read", 1, kSeqBytes, ns);
    return {};
}

SysOr<void> small_create() {
    char path[192];
    const u64 start = sys::clock();
    TRY(sys::mkdir(root_dir(), join(path, "small")));
    for (u32 i = 0; i < g_files; ++i) {
        for (usize b = 0; b < kSmall; ++b) g_buffer[b] = u8(i + b);
        Handle file = TRY(sys::open(root_dir(), small_name(path, i), abi::kOpenWrite | abi::kOpenCreate));
        usize n = TRY(sys::write(file, g_buffer, kSmall, 0));
        TRY(sys::close(file));
        if (n != kSmall) return abi::Err::Io;
    }
    Handle dir = TRY(sys::open(root_dir(), join(path, "small"), abi::kOpenRead | abi::kOpenDirectory));
    auto synced = sys::sync(dir, abi::kSyncFilesystem);
    (void)sys::close(dir);
    TRY(synced);
    report("small_create", g_files, u64(g_files) * kSmall, sys::clock() - start);
    return {};
}

SysOr<void> listdir() {
    char path[192];
    TRY(drop_caches());
    static abi::DirEntry entries[64];
    const u64 start = sys::clock();
    Handle dir = TRY(sys::open(root_dir(), join(path, "small"), abi::kOpenRead | abi::kOpenDirectory));
    u64 count = 0;
    for (;;) {
        usize n = TRY(sys::readdir(dir, entries, 64, count));
        if (n == 0) break;
        count += n;
    }
    TRY(sys::close(dir));
    const u64 ns = sys::clock() - start;
    if (count != g_files) {
        print_err("fsbench: listdir found {} entries\n", count);
        return abi::Err::Io;
    }
    report("listdir", g_files, 0, ns);
    return {};
}

SysOr<void> small_read() {
    char path[192];
    TRY(drop_caches());
    const u64 start = sys::clock();
    for (u32 i = 0; i < g_files; ++i) {
        Handle file = TRY(sys::open(root_dir(), small_name(path, i), abi::kOpenRead));
        usize total = 0;
        for (;;) {
            usize n = TRY(sys::read(file, g_buffer + total, kChunk - total, total));
            if (n == 0) break;
            total += n;
        }
        TRY(sys::close(file));
        if (total != kSmall || g_buffer[0] != u8(i) || g_buffer[1] != u8(i + 1)) {
            print_err("fsbench: small_read: file {} has {} bytes\n", i, total);
            return abi::Err::Io;
        }
    }
    report("small_read", g_files, u64(g_files) * kSmall, sys::clock() - start);
    return {};
}

SysOr<void> remove_all() {
    char path[192];
    const u64 start = sys::clock();
    for (u32 i = 0; i < g_files; ++i) TRY(sys::unlink(root_dir(), small_name(path, i)));
    Handle dir = TRY(sys::open(root_dir(), join(path, "small"), abi::kOpenRead | abi::kOpenDirectory));
    auto synced = sys::sync(dir, abi::kSyncFilesystem);
    (void)sys::close(dir);
    TRY(synced);
    report("delete", g_files, 0, sys::clock() - start);
    // Not timed: leave the volume as it was.
    TRY(sys::unlink(root_dir(), join(path, "small"), abi::kUnlinkDirectory));
    auto seq = sys::unlink(root_dir(), join(path, "seq"));
    if (seq.is_error() && seq.error() != abi::Err::NotFound) return seq.error();
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    StringView dir = argc > 1 ? StringView(argv[1]) : StringView("mnt");
    constexpr const char* kUsage = "usage: fsbench [DIR [FILES [STEP ...]]] (FILES 1..9999)\n";
    if (dir.length() == 0 || dir.length() >= 100) {
        print_err(kUsage);
        return 2;
    }
    if (argc > 2) {
        auto files = parse_u64(StringView(argv[2]));
        // The names have four digits (small_name).
        if (files.is_error() || files.value() == 0 || files.value() > 9999) {
            print_err(kUsage);
            return 2;
        }
        g_files = u32(files.value());
    }
    for (usize i = 0; i < dir.length(); ++i) g_dir[i] = dir[i];
    auto buffer = sys::map(kChunk, abi::kMapRead | abi::kMapWrite);
    if (buffer.is_error()) {
        print_err("fsbench: no memory\n");
        return 1;
    }
    g_buffer = static_cast<u8*>(buffer.value());
    struct Step {
        const char* name;
        SysOr<void> (*run)();
    };
    const Step steps[] = {{"seq_write", seq_write}, {"seq_read", seq_read},   {"small_create", small_create},
                          {"listdir", listdir},     {"small_read", small_read}, {"delete", remove_all}};
    for (int i = 3; i < argc; ++i) {
        bool known = false;
        for (const Step& step : steps) known = known || StringView(argv[i]) == StringView(step.name);
        if (!known) {
            print_err("fsbench: no step named {}\n{}", argv[i], kUsage);
            return 2;
        }
    }
    for (const Step& step : steps) {
        bool chosen = argc <= 3;
        for (int i = 3; i < argc; ++i) chosen = chosen || StringView(argv[i]) == StringView(step.name);
        if (!chosen) continue;
        auto done = step.run();
        if (done.is_error()) {
            print_out("FSBENCH-FAILED op={} error={}\n", step.name, done.error());
            return 1;
        }
    }
    print_out("FSBENCH-DONE\n");
    return 0;
}
