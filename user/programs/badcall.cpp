// badcall: system calls with bad arguments, each checked against the error
// the ABI (abi/syscalls.hpp) gives it:
//   BadAddress       a pointer that is null, in the kernel half, unmapped,
//                    beyond the user half, or read-only where the kernel writes
//   BadHandle        closed, forged, zero or wider-than-32-bit handle values
//   Overflow         a pointer + length that wraps
//   InvalidArgument  unknown flags, W+X maps, unaligned unmap, bad signals,
//                    meaningless open flag combinations, "." as a name to remove
//   Escapes, ReadOnly, Busy  names outside the root, in the initramfs, mount points
//   NoSyscall        unknown system call numbers
//   WrongType, IsDirectory, NotDirectory  a good handle to the wrong object
// One line per case: BADCALL <case> expect=<Err> got=<Err> ok|FAIL, then
// BADCALL done N passed, N failed. Exits 0 only if every case passed.
//
// Every call goes through sys::raw, so the registers are exactly what the
// case says (the typed wrappers would truncate handles to 32 bits).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;
using abi::Err;
using abi::Sys;

namespace {

constexpr u64 kKernelAddresses[] = {0xffffffc000000000, 0xffff800000000000, 0x8000000000000000,
                                    0xfffffffffffff000};
// In the map() region but never handed out: mapping starts at kMapBase and
// grows up; this is near the top of it.
constexpr u64 kUnmapped = abi::kMapLimit - 16 * abi::kPageSize;

u32 g_passed = 0;
u32 g_failed = 0;

// expect == 0 means the call should succeed.
void check(StringView name, Err expect, i64 raw) {
    bool failed = raw_is_error(raw);
    const char* got = failed ? error_name(raw_error(raw)) : "Ok";
    const char* wanted = u64(expect) == 0 ? "Ok" : error_name(expect);
    bool ok = u64(expect) == 0 ? !failed : failed && raw_error(raw) == expect;
    print_out("BADCALL {} expect={} got={} {}\n", name, wanted, got, ok ? "ok" : "FAIL");
    ++(ok ? g_passed : g_failed);
}
constexpr Err kOk = Err(0);

i64 sys_call(Sys number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0, u64 a4 = 0, u64 a5 = 0) {
    return sys::raw(u64(number), a0, a1, a2, a3, a4, a5);
}
u64 ptr(const void* p) { return u64(uptr(p)); }

const char kReadOnly[64] = "rodata: the kernel must not write here";
char g_buffer[512];

void pointers(Handle file, Handle root) {
    check("read_null_buffer", Err::BadAddress, sys_call(Sys::Read, file, 0, 16, 0));
    for (u64 address : kKernelAddresses) {
        FixedString<64> name;
        name.appendf("read_kernel_buffer_{:#x}", address);
        check(name.view(), Err::BadAddress, sys_call(Sys::Read, file, address, 16, 0));
    }
    check("read_unmapped_buffer", Err::BadAddress, sys_call(Sys::Read, file, kUnmapped, 16, 0));
    check("read_across_user_limit", Err::BadAddress, sys_call(Sys::Read, file, abi::kUserLimit - 8, 16, 0));
    check("read_into_rodata", Err::BadAddress, sys_call(Sys::Read, file, ptr(kReadOnly), 16, 0));
    check("write_from_kernel", Err::BadAddress,
          sys_call(Sys::Write, std_out(), kKernelAddresses[0], 16, abi::kCurrentOffset));
    check("write_from_unmapped", Err::BadAddress,
          sys_call(Sys::Write, std_out(), kUnmapped, 16, abi::kCurrentOffset));
    check("stat_null", Err::BadAddress, sys_call(Sys::Stat, file, 0));
    check("stat_kernel", Err::BadAddress, sys_call(Sys::Stat, file, kKernelAddresses[0]));
    check("stat_into_rodata", Err::BadAddress, sys_call(Sys::Stat, file, ptr(kReadOnly)));
    // The kernel copies bytes: an unaligned user structure is fine.
    check("stat_unaligned_ok", kOk, sys_call(Sys::Stat, file, ptr(g_buffer + 1)));
    check("open_null_path", Err::BadAddress, sys_call(Sys::Open, root, 0, 8, abi::kOpenRead));
    check("open_kernel_path", Err::BadAddress, sys_call(Sys::Open, root, kKernelAddresses[0], 8, abi::kOpenRead));
    check("readdir_null", Err::BadAddress, sys_call(Sys::ReadDir, root, 0, 1, 0));
    check("poll_null", Err::BadAddress, sys_call(Sys::Poll, 0, 1, 0));
    check("spawn_null_args", Err::BadAddress, sys_call(Sys::Spawn, 0));
    check("mkdir_null_path", Err::BadAddress, sys_call(Sys::MakeDir, root, 0, 5, 0755));
    check("unlink_kernel_path", Err::BadAddress, sys_call(Sys::Unlink, root, kKernelAddresses[0], 5, 0));
    check("rename_null_pair", Err::BadAddress, sys_call(Sys::Rename, 0));
    check("link_kernel_pair", Err::BadAddress, sys_call(Sys::Link, kKernelAddresses[0]));
    check("symlink_null_target", Err::BadAddress, sys_call(Sys::Symlink, root, ptr("tmp/l"), 5, 0, 3));
    check("statfs_null", Err::BadAddress, sys_call(Sys::StatFs, root, 0));
    check("statfs_into_rodata", Err::BadAddress, sys_call(Sys::StatFs, root, ptr(kReadOnly)));
    check("spawn_kernel_args", Err::BadAddress, sys_call(Sys::Spawn, kKernelAddresses[0]));
}

void lengths(Handle file, Handle root) {
    u64 buffer = ptr(g_buffer);
    check("read_length_wraps", Err::Overflow, sys_call(Sys::Read, file, buffer, ~u64(0) - buffer + 16, 0));
    check("write_length_wraps", Err::Overflow,
          sys_call(Sys::Write, std_out(), buffer, ~u64(0), abi::kCurrentOffset));
    check("open_path_length_wraps", Err::Overflow, sys_call(Sys::Open, root, buffer, ~u64(0), abi::kOpenRead));
    // count * sizeof(DirEntry) and count * sizeof(PollItem) wrap.
    check("readdir_count_wraps", Err::Overflow, sys_call(Sys::ReadDir, root, buffer, ~u64(0) / 8, 0));
    check("poll_count_wraps", Err::Overflow, sys_call(Sys::Poll, buffer, u64(1) << 60, 0));
    check("unmap_length_wraps", Err::Overflow, sys_call(Sys::Unmap, abi::kMapBase, ~u64(0) - abi::kPageSize + 1));
    check("map_huge", Err::Overflow, sys_call(Sys::Map, u64(1) << 62, abi::kMapRead));
}

void flags() {
    check("map_zero_length", Err::InvalidArgument, sys_call(Sys::Map, 0, abi::kMapRead));
    check("map_unknown_flag", Err::InvalidArgument, sys_call(Sys::Map, abi::kPageSize, 0x100));
    check("map_write_execute", Err::InvalidArgument,
          sys_call(Sys::Map, abi::kPageSize, abi::kMapRead | abi::kMapWrite | abi::kMapExecute));
    check("open_unknown_flag", Err::InvalidArgument, sys_call(Sys::Open, root_dir(), ptr("etc/motd"), 8, 0x100));
    check("open_exclusive_without_create", Err::InvalidArgument,
          sys_call(Sys::Open, root_dir(), ptr("etc/motd"), 8, abi::kOpenRead | abi::kOpenExclusive));
    check("open_truncate_without_write", Err::InvalidArgument,
          sys_call(Sys::Open, root_dir(), ptr("etc/motd"), 8, abi::kOpenRead | abi::kOpenTruncate));
    check("open_create_directory", Err::InvalidArgument,
          sys_call(Sys::Open, root_dir(), ptr("tmp/x"), 5, abi::kOpenCreate | abi::kOpenDirectory));
    check("mkdir_mode_too_big", Err::InvalidArgument, sys_call(Sys::MakeDir, root_dir(), ptr("tmp/x"), 5, 010000));
    check("unlink_unknown_flag", Err::InvalidArgument, sys_call(Sys::Unlink, root_dir(), ptr("tmp/x"), 5, 2));
    check("unlink_dot", Err::InvalidArgument, sys_call(Sys::Unlink, root_dir(), ptr("tmp/."), 5, 0));
    check("sync_unknown_flag", Err::InvalidArgument, sys_call(Sys::Sync, root_dir(), 2));
    check("set_times_negative", Err::InvalidArgument, sys_call(Sys::SetTimes, root_dir(), u64(-5), 0));
    i64 region = sys_call(Sys::Map, 2 * abi::kPageSize, abi::kMapRead | abi::kMapWrite);
    check("map_two_pages_ok", kOk, region);
    if (!raw_is_error(region)) {
        check("unmap_unaligned", Err::InvalidArgument, sys_call(Sys::Unmap, u64(region) + 1, abi::kPageSize));
        check("unmap_ok", kOk, sys_call(Sys::Unmap, u64(region), 2 * abi::kPageSize));
    }
}

void handles(Handle root) {
    i64 opened = sys_call(Sys::Open, root, ptr("etc/motd"), 8, abi::kOpenRead);
    check("open_motd_ok", kOk, opened);
    if (!raw_is_error(opened)) {
        u64 handle = u64(opened);
        check("close_ok", kOk, sys_call(Sys::Close, handle));
        check("close_closed", Err::BadHandle, sys_call(Sys::Close, handle));
        check("read_closed", Err::BadHandle, sys_call(Sys::Read, handle, ptr(g_buffer), 16, 0));
        check("stat_closed", Err::BadHandle, sys_call(Sys::Stat, handle, ptr(g_buffer)));
    }
    check("read_no_handle", Err::BadHandle, sys_call(Sys::Read, abi::kNoHandle, ptr(g_buffer), 16, 0));
    check("read_forged_handle", Err::BadHandle, sys_call(Sys::Read, 0x7fffffff, ptr(g_buffer), 16, 0));
    check("read_forged_generation", Err::BadHandle, sys_call(Sys::Read, u64(root) ^ 0x80000000u, ptr(g_buffer), 16, 0));
    check("read_handle_over_32_bits", Err::BadHandle,
          sys_call(Sys::Read, (u64(1) << 32) | root, ptr(g_buffer), 16, 0));
    check("close_forged", Err::BadHandle, sys_call(Sys::Close, 0xdeadbeef));
    check("signal_forged", Err::BadHandle, sys_call(Sys::Signal, 0x7ffffffe, u64(abi::Signal::Terminate)));
    check("read_directory", Err::IsDirectory, sys_call(Sys::Read, root, ptr(g_buffer), 16, 0));
}

void wrong_objects(Handle file, Handle root) {
    check("readdir_on_file", Err::NotDirectory, sys_call(Sys::ReadDir, file, ptr(g_buffer), 1, 0));
    check("signal_a_file", Err::WrongType, sys_call(Sys::Signal, file, u64(abi::Signal::Terminate)));
    abi::ExitInfo info {};
    check("wait_on_file", Err::WrongType, sys_call(Sys::Wait, file, ptr(&info), 0));
    check("open_relative_to_file", Err::NotDirectory, sys_call(Sys::Open, file, ptr("x"), 1, abi::kOpenRead));
    check("truncate_directory", Err::IsDirectory, sys_call(Sys::Truncate, root, 0));
    check("truncate_read_only_handle", Err::AccessDenied, sys_call(Sys::Truncate, file, 0));
    check("set_times_read_only_handle", Err::AccessDenied, sys_call(Sys::SetTimes, file, 0, 0));
    check("statfs_on_stream", Err::WrongType, sys_call(Sys::StatFs, std_out(), ptr(g_buffer)));
    check("mkdir_escapes", Err::Escapes, sys_call(Sys::MakeDir, root, ptr("../x"), 4, 0755));
    check("mkdir_in_initramfs", Err::ReadOnly, sys_call(Sys::MakeDir, root, ptr("etc/x"), 5, 0755));
    check("unlink_mount_point", Err::Busy, sys_call(Sys::Unlink, root, ptr("tmp"), 3, abi::kUnlinkDirectory));
    check("open_motd_as_directory", Err::NotDirectory,
          sys_call(Sys::Open, root, ptr("etc/motd"), 8, abi::kOpenRead | abi::kOpenDirectory));
}

void children(Handle root) {
    abi::SpawnArgs args {};
    const char path[] = "bin/true";
    const char argv[] = "true";
    const Handle handles[abi::kMaxSpawnHandles + 1] = {std_in(), std_out(), std_err(), root, root};
    args.dir = root;
    args.path = ptr(path);
    args.path_length = 8;
    args.argv = ptr(argv);
    args.argv_length = sizeof(argv);
    args.argc = 1;
    args.handles = ptr(handles);
    args.handle_count = abi::kMaxSpawnHandles + 1;
    check("spawn_too_many_handles", Err::InvalidArgument, sys_call(Sys::Spawn, ptr(&args)));
    args.handle_count = 5;
    args.argv_length = abi::kMaxArgvBytes + 1;
    check("spawn_argv_too_long", Err::InvalidArgument, sys_call(Sys::Spawn, ptr(&args)));
    args.argv_length = sizeof(argv);
    args.path = kKernelAddresses[0];
    check("spawn_kernel_path", Err::BadAddress, sys_call(Sys::Spawn, ptr(&args)));
    args.path = ptr(path);
    i64 child = sys_call(Sys::Spawn, ptr(&args));
    check("spawn_true_ok", kOk, child);
    if (raw_is_error(child)) return;
    check("signal_unknown", Err::InvalidArgument, sys_call(Sys::Signal, u64(child), 99));
    // A null ExitInfo* means "not wanted" (abi/syscalls.hpp): it waits and succeeds.
    check("wait_null_info", kOk, sys_call(Sys::Wait, u64(child), 0, ~u64(0)));
    check("wait_kernel_info", Err::BadAddress, sys_call(Sys::Wait, u64(child), kKernelAddresses[0], ~u64(0)));
    abi::ExitInfo info {};
    check("wait_true_ok", kOk, sys_call(Sys::Wait, u64(child), ptr(&info), ~u64(0)));
    (void)sys_call(Sys::Close, u64(child));
}

void numbers() {
    check("syscall_count", Err::NoSyscall, sys_call(Sys::Count));
    check("syscall_1000", Err::NoSyscall, sys::raw(1000));
    check("syscall_max", Err::NoSyscall, sys::raw(~u64(0)));
    check("syscall_huge", Err::NoSyscall, sys::raw(u64(-1) >> 1));
}

}  // namespace

int main(int, char**) {
    Handle root = root_dir();
    if (root == kNoHandle) {
        print_err("badcall: needs the root directory handle\n");
        return 2;
    }
    auto file = sys::open(root, "etc/motd", abi::kOpenRead);
    if (file.is_error()) {
        print_err("badcall: etc/motd: {}\n", file.error());
        return 2;
    }
    pointers(file.value(), root);
    lengths(file.value(), root);
    flags();
    handles(root);
    wrong_objects(file.value(), root);
    children(root);
    numbers();
    print_out("BADCALL done {} passed, {} failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
