// Argument decoding shared by the filesystem calls (io_calls.cpp, fs_calls.cpp):
// paths, directory handles, node handles, and judging what a walk found.
// Internal to the syscall layer.
#pragma once

#include "fs/fs_call.hpp"
#include "fs/open_node.hpp"
#include "fs/walk.hpp"
#include "syscall/syscalls.hpp"

namespace mote {

// A path argument, copied into `storage`: InvalidArgument if empty or
// longer than the storage, Overflow if the range wraps.
SysOr<StringView> path_argument(Thread& thread, u64 address, u64 length, Span<char> storage);

// The filesystem node behind a directory handle that holds `rights`
// (NotDirectory if it is another object; AccessDenied, audited).
struct DirectoryArgument {
    fs::FsNode* node;
    u32 rights;  // all the handle holds: what is opened below inherits from them
};
SysOr<DirectoryArgument> directory_argument(Thread& thread, u64 handle, u32 rights);

// The open file or directory behind a handle that holds `rights`
// (WrongType for anything else: a channel, a process, a device object).
SysOr<OpenNode*> open_node_argument(Thread& thread, u64 handle, u32 rights);

// What a walk found, judged: a path that would leave `dir` is refused as
// Escapes (and audited: it is an attempt to reach what the handle does not
// grant); too many symlinks is SymlinkLoop; a privileged node needs
// kRightPrivileged on the directory handle (audited). `flags` are the
// open flags privileged() is asked about (0 for a name change).
SysOr<fs::FsNode*> judge_walk(Thread& thread, u32 dir_rights, Result<fs::NodeRef>& found, fs::WalkFault fault,
                              u64 flags);
// The ABI error for a refused path that never reached a walk (split_path).
abi::Err path_fault_error(Thread& thread, u32 dir_rights, fs::WalkFault fault);

// A finished or parked FsCall as the syscall's result.
SysResult sys_result(FsCall::Ran ran);

inline i64 sys_error(abi::Err error) { return -i64(error); }
inline i64 sys_error(Error error) { return -i64(to_abi(error)); }

// The user memory of the running thread, for code that finishes inside
// the syscall.
class ThreadAccess final : public fs::UserAccess {
public:
    explicit ThreadAccess(Thread& thread) : m_thread(thread) {}
    Result<void> copy_out(u64 to, ReadonlyBytes bytes) override;
    Result<void> copy_in(Span<u8> to, u64 from) override;

private:
    Thread& m_thread;
};

}  // namespace mote
