// mkdir, unlink, rename, link, symlink (names in a directory) and
// truncate, sync, statfs, set_times (an open file).
//
// Each handler decodes every argument first (handles with their rights,
// flags, the paths copied into the FsCall), then runs the filesystem work
// as a task through the FsCall, which parks the thread if a disk must
// answer (memory filesystems finish inside the syscall).
//
// A name change walks to the directory the path's last component is in
// (walk_parent: split_path, then walk() with symlinks followed), then asks
// that directory's filesystem to make the change. Before it does, the
// task looks the names up to give the precise error (IsDirectory,
// NotDirectory, NotFound) the filesystem's interface folds into BadState.
//
// Rights: changing names below a directory needs kRightCreate on the
// directory handle, and kRightRead to walk (as open). link's source needs
// only kRightRead on its directory (nothing there changes). truncate and
// set_times need kRightWrite on the file's handle; sync and statfs need
// none (they change nothing a handle could be denied).
#include "proc/process.hpp"
#include "syscall/fs_args.hpp"

namespace mote {

namespace {

constexpr u32 kNameRights = abi::kRightRead | abi::kRightCreate;

// A name call's directory and path, decoded: the FsCall holds the path.
SysOr<FsCall*> begin_name_call(Thread& thread, FsCallCache& calls, u64 dir_handle, u64 path, u64 length, u32 rights,
                               fs::NodeRef& dir, u32& dir_rights, StringView& path_view) {
    DirectoryArgument directory = SYS_TRY_VALUE(directory_argument(thread, dir_handle, rights));
    FsCall* call = SYS_TRY_VALUE(calls.begin(thread));
    auto copied = path_argument(thread, path, length, Span<char>(call->path, sizeof(call->path)));
    if (copied.is_error()) {
        call->release();
        return copied.error();
    }
    dir = fs::NodeRef(*directory.node);
    dir_rights = directory.rights;
    path_view = copied.release_value();
    return call;
}

// A time argument of set_times: nanoseconds since 1970, kTimeOmit or kTimeNow.
bool valid_time(i64 time) { return time >= 0 || time == abi::kTimeOmit || time == abi::kTimeNow; }

}  // namespace

// co_awaits a ParentWalk into `parent`; the syscall's error if it failed.
#define AWAIT_PARENT(parent, expr)                                                    \
    Result<ParentWalk> parent##_walked = co_await(expr);                              \
    if (parent##_walked.is_error()) co_return sys_error(parent##_walked.error());     \
    ParentWalk parent = parent##_walked.release_value();                              \
    if (parent.error != abi::Err {}) co_return sys_error(parent.error)

Task<Syscalls::ParentWalk> Syscalls::walk_parent(FsCall& call, fs::NodeRef start, u32 rights, StringView path) {
    ParentWalk out;
    fs::PathSplit split;
    fs::WalkFault fault = fs::split_path(path, split);
    if (fault != fs::WalkFault::None) {
        Thread* thread = call.thread();
        out.error = thread ? path_fault_error(*thread, rights, fault) : abi::Err::Cancelled;
        co_return mote::move(out);
    }
    Result<fs::NodeRef> found =
        co_await fs::walk(*start, split.parent, &fault, fs::WalkOptions {.mode = fs::WalkMode::Any, .follow_last = true, .scratch = call.scratch_span()});
    Thread* thread = call.thread();
    if (!thread) {
        out.error = abi::Err::Cancelled;
        co_return mote::move(out);
    }
    auto judged = judge_walk(*thread, rights, found, fault, 0);
    if (judged.is_error()) {
        out.error = judged.error();
        co_return mote::move(out);
    }
    if (!judged.release_value()->is_directory()) {
        out.error = abi::Err::NotDirectory;
        co_return mote::move(out);
    }
    out.dir = found.release_value();
    out.name = split.name;
    out.trailing_slash = split.trailing_slash;
    co_return mote::move(out);
}

// --- mkdir ------------------------------------------------------------------

SysResult Syscalls::sys_make_dir(Thread& thread, const SyscallArgs& args) {
    if (!m_files) return abi::Err::Unsupported;
    u64 mode = args.a[3];
    if (mode > 07777) return abi::Err::InvalidArgument;
    NameCall at;
    FsCall* call = SYS_TRY(begin_name_call(thread, m_files->calls(), args.a[0], args.a[1], args.a[2], kNameRights,
                                           at.dir, at.rights, at.path));
    return sys_result(call->run(make_dir_task(*call, mote::move(at), u32(mode)), "mkdir"));
}

Task<i64> Syscalls::make_dir_task(FsCall& call, NameCall at, u32 mode) {
    AWAIT_PARENT(parent, walk_parent(call, mote::move(at.dir), at.rights, at.path));
    Result<fs::NodeRef> made =
        co_await parent.dir->create(parent.name, fs::CreateSpec {.type = fs::NodeType::Directory, .mode = mode, .target = {}});
    if (made.is_error()) co_return sys_error(made.error());
    co_return 0;
}

// --- unlink -----------------------------------------------------------------

SysResult Syscalls::sys_unlink(Thread& thread, const SyscallArgs& args) {
    if (!m_files) return abi::Err::Unsupported;
    u64 flags = args.a[3];
    if (flags & ~u64(abi::kUnlinkDirectory)) return abi::Err::InvalidArgument;
    NameCall at;
    FsCall* call = SYS_TRY(begin_name_call(thread, m_files->calls(), args.a[0], args.a[1], args.a[2], kNameRights,
                                           at.dir, at.rights, at.path));
    return sys_result(call->run(unlink_task(*call, mote::move(at), flags & abi::kUnlinkDirectory), "unlink"));
}

Task<i64> Syscalls::unlink_task(FsCall& call, NameCall at, bool directory) {
    AWAIT_PARENT(parent, walk_parent(call, mote::move(at.dir), at.rights, at.path));
    // The entry itself (a symlink is removed, not followed).
    Result<fs::NodeRef> child = co_await parent.dir->lookup(parent.name);
    if (child.is_error()) co_return sys_error(child.error());
    bool is_directory = child.value()->is_directory();
    if (is_directory && !directory) co_return sys_error(abi::Err::IsDirectory);
    if (!is_directory && (directory || parent.trailing_slash)) co_return sys_error(abi::Err::NotDirectory);
    Result<void> removed = co_await parent.dir->unlink(parent.name, directory);
    if (removed.is_error()) co_return sys_error(removed.error());
    co_return 0;
}

// --- symlink ----------------------------------------------------------------

SysResult Syscalls::sys_symlink(Thread& thread, const SyscallArgs& args) {
    if (!m_files) return abi::Err::Unsupported;
    NameCall at;
    FsCall* call = SYS_TRY(begin_name_call(thread, m_files->calls(), args.a[0], args.a[1], args.a[2], kNameRights,
                                           at.dir, at.rights, at.path));
    // The target is stored as given (it need not exist); it is checked
    // when a walk follows it. No NUL: it could never be walked.
    auto target = path_argument(thread, args.a[3], args.a[4], Span<char>(call->second, sizeof(call->second)));
    if (target.is_error()) {
        call->release();
        return target.error();
    }
    StringView target_view = target.release_value();
    for (char c : target_view) {
        if (c == '\0') {
            call->release();
            return abi::Err::InvalidArgument;
        }
    }
    return sys_result(call->run(symlink_task(*call, mote::move(at), target_view), "symlink"));
}

Task<i64> Syscalls::symlink_task(FsCall& call, NameCall at, StringView target) {
    AWAIT_PARENT(parent, walk_parent(call, mote::move(at.dir), at.rights, at.path));
    if (parent.trailing_slash) co_return sys_error(abi::Err::NotDirectory);
    Result<fs::NodeRef> made = co_await parent.dir->create(
        parent.name, fs::CreateSpec {.type = fs::NodeType::Symlink, .mode = 0777, .target = target});
    if (made.is_error()) co_return sys_error(made.error());
    co_return 0;
}

// --- rename and link --------------------------------------------------------

SysOr<bool> Syscalls::path_pair(Thread& thread, u64 address, FsCall& call, u32 from_rights, u32 to_rights,
                                NameCall& from, NameCall& to) {
    abi::PathPair pair = SYS_TRY_VALUE(copy_in(thread, UserPtr<abi::PathPair> {address}));
    DirectoryArgument from_dir = SYS_TRY_VALUE(directory_argument(thread, pair.from_dir, from_rights));
    DirectoryArgument to_dir = SYS_TRY_VALUE(directory_argument(thread, pair.to_dir, to_rights));
    from.path = SYS_TRY_VALUE(path_argument(thread, pair.from_path, pair.from_length, Span<char>(call.path, sizeof(call.path))));
    to.path = SYS_TRY_VALUE(path_argument(thread, pair.to_path, pair.to_length, Span<char>(call.second, sizeof(call.second))));
    from.dir = fs::NodeRef(*from_dir.node);
    from.rights = from_dir.rights;
    to.dir = fs::NodeRef(*to_dir.node);
    to.rights = to_dir.rights;
    return true;
}

SysResult Syscalls::sys_rename(Thread& thread, const SyscallArgs& args) {
    if (!m_files) return abi::Err::Unsupported;
    FsCall* call = SYS_TRY(m_files->calls().begin(thread));
    NameCall from, to;
    auto decoded = path_pair(thread, args.a[0], *call, kNameRights, kNameRights, from, to);
    if (decoded.is_error()) {
        call->release();
        return decoded.error();
    }
    return sys_result(call->run(rename_task(*call, mote::move(from), mote::move(to)), "rename"));
}

Task<i64> Syscalls::rename_task(FsCall& call, NameCall from, NameCall to) {
    // Both walks use the FsCall's scratch in turn; the names they return
    // point into the paths themselves, which no walk changes.
    AWAIT_PARENT(source, walk_parent(call, mote::move(from.dir), from.rights, from.path));
    AWAIT_PARENT(target, walk_parent(call, mote::move(to.dir), to.rights, to.path));
    if (source.dir->filesystem() != target.dir->filesystem()) co_return sys_error(abi::Err::CrossDevice);
    Result<fs::NodeRef> moving = co_await source.dir->lookup(source.name);
    if (moving.is_error()) co_return sys_error(moving.error());
    bool is_directory = moving.value()->is_directory();
    if (!is_directory && (source.trailing_slash || target.trailing_slash)) co_return sys_error(abi::Err::NotDirectory);
    Result<fs::NodeRef> replaced = co_await target.dir->lookup(target.name);
    if (replaced.ok() && replaced.value().get() != moving.value().get()) {
        bool replaced_directory = replaced.value()->is_directory();
        if (is_directory && !replaced_directory) co_return sys_error(abi::Err::NotDirectory);
        if (!is_directory && replaced_directory) co_return sys_error(abi::Err::IsDirectory);
    } else if (replaced.is_error() && replaced.error() != Error::NotFound) {
        co_return sys_error(replaced.error());
    }
    Result<void> renamed = co_await source.dir->rename(source.name, *target.dir, target.name);
    // What is left of BadState: a directory moved below itself.
    if (renamed.is_error())
        co_return sys_error(renamed.error() == Error::BadState ? abi::Err::InvalidArgument : to_abi(renamed.error()));
    co_return 0;
}

SysResult Syscalls::sys_link(Thread& thread, const SyscallArgs& args) {
    if (!m_files) return abi::Err::Unsupported;
    FsCall* call = SYS_TRY(m_files->calls().begin(thread));
    NameCall from, to;
    auto decoded = path_pair(thread, args.a[0], *call, abi::kRightRead, kNameRights, from, to);
    if (decoded.is_error()) {
        call->release();
        return decoded.error();
    }
    return sys_result(call->run(link_task(*call, mote::move(from), mote::move(to)), "link"));
}

Task<i64> Syscalls::link_task(FsCall& call, NameCall from, NameCall to) {
    // The source as named: a symlink is linked itself (as Linux's link()).
    fs::WalkFault fault = fs::WalkFault::None;
    Result<fs::NodeRef> found = co_await fs::walk(*from.dir, from.path, &fault,
                                                  fs::WalkOptions {.mode = fs::WalkMode::Any, .follow_last = false, .scratch = call.scratch_span()});
    Thread* thread = call.thread();
    if (!thread) co_return sys_error(abi::Err::Cancelled);
    auto judged = judge_walk(*thread, from.rights, found, fault, 0);
    if (judged.is_error()) co_return sys_error(judged.error());
    fs::NodeRef node = found.release_value();
    if (node->is_directory()) co_return sys_error(abi::Err::IsDirectory);
    AWAIT_PARENT(target, walk_parent(call, mote::move(to.dir), to.rights, to.path));
    if (target.trailing_slash) co_return sys_error(abi::Err::NotDirectory);
    if (node->filesystem() != target.dir->filesystem()) co_return sys_error(abi::Err::CrossDevice);
    Result<void> linked = co_await target.dir->link(target.name, *node);
    if (linked.is_error()) co_return sys_error(linked.error());
    co_return 0;
}

// --- an open file: truncate, sync, set_times, statfs ------------------------

namespace {

// What truncate, set_times and sync come to, as the syscall's value.
i64 node_result(abi::Sys op, const Result<void>& done) {
    if (done.ok()) return 0;
    // truncate's BadState: not a file (a symlink opened itself).
    if (op == abi::Sys::Truncate && done.error() == Error::BadState) return sys_error(abi::Err::InvalidArgument);
    return sys_error(done.error());
}

// The operation's Task on `node` (sync of the whole filesystem: its own).
Task<void> node_operation(fs::FsNode& node, abi::Sys op, i64 a, i64 b) {
    switch (op) {
    case abi::Sys::Truncate: return node.truncate(u64(a));
    case abi::Sys::SetTimes: return node.set_times(a, b);
    case abi::Sys::Sync:
        if (!(a & abi::kSyncFilesystem)) return node.sync();
        // The kernel's own trees (no filesystem) hold nothing to write.
        if (fs::Filesystem* filesystem = node.filesystem()) return filesystem->sync();
        return Result<void> {};
    default: return Error::InvalidArgument;
    }
}

}  // namespace

Task<i64> Syscalls::node_task(FsCall&, fs::NodeRef node, abi::Sys op, i64 a, i64 b) {
    Result<void> done = co_await node_operation(*node, op, a, b);
    co_return node_result(op, done);
}

SysResult Syscalls::run_node_call(Thread& thread, fs::FsNode& node, abi::Sys op, i64 a, i64 b, const char* reason) {
    if (!node.may_wait()) {
        // A memory filesystem answers with a ready Task: no frame, no FsCall.
        i64 value = node_result(op, node_operation(node, op, a, b).finish_now());
        if (value < 0) return abi::Err(-value);
        return Outcome::done(u64(value));
    }
    FsCall* call = SYS_TRY(m_files->calls().begin(thread));
    return sys_result(call->run(node_task(*call, fs::NodeRef(node), op, a, b), reason));
}

SysResult Syscalls::sys_truncate(Thread& thread, const SyscallArgs& args) {
    if (!m_files) return abi::Err::Unsupported;
    OpenNode* file = SYS_TRY(open_node_argument(thread, args.a[0], abi::kRightWrite));
    if (file->type() == ObjectType::Directory) return abi::Err::IsDirectory;
    if (args.a[1] > u64(~u64(0) >> 1)) return abi::Err::Overflow;
    return run_node_call(thread, file->node(), abi::Sys::Truncate, i64(args.a[1]), 0, "truncate");
}

SysResult Syscalls::sys_sync(Thread& thread, const SyscallArgs& args) {
    if (!m_files) return abi::Err::Unsupported;
    u64 flags = args.a[1];
    if (flags & ~u64(abi::kSyncFilesystem)) return abi::Err::InvalidArgument;
    OpenNode* file = SYS_TRY(open_node_argument(thread, args.a[0], 0));
    return run_node_call(thread, file->node(), abi::Sys::Sync, i64(flags), 0, "sync");
}

SysResult Syscalls::sys_set_times(Thread& thread, const SyscallArgs& args) {
    if (!m_files) return abi::Err::Unsupported;
    i64 atime = i64(args.a[1]);
    i64 mtime = i64(args.a[2]);
    if (!valid_time(atime) || !valid_time(mtime)) return abi::Err::InvalidArgument;
    OpenNode* file = SYS_TRY(open_node_argument(thread, args.a[0], abi::kRightWrite));
    i64 now = m_clock.read();
    if (atime == abi::kTimeNow) atime = now;
    if (mtime == abi::kTimeNow) mtime = now;
    return run_node_call(thread, file->node(), abi::Sys::SetTimes, atime, mtime, "set_times");
}

SysResult Syscalls::sys_statfs(Thread& thread, const SyscallArgs& args) {
    OpenNode* file = SYS_TRY(open_node_argument(thread, args.a[0], 0));
    UserPtr<abi::FsStat> out {args.a[1]};
    fs::Filesystem* filesystem = file->node().filesystem();
    if (!filesystem) return abi::Err::Unsupported;
    abi::FsStat stat = filesystem->stats();
    stat.type[sizeof(stat.type) - 1] = '\0';
    SYS_TRY(copy_out(thread, out, stat));
    return Outcome::done(0);
}

}  // namespace mote
