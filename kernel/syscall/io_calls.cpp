// open, read, write, readdir, and finding a program for spawn.
#include "proc/process.hpp"
#include "syscall/fs_args.hpp"

namespace mote {

namespace {

// The rights a handle opened below a directory holding `dir` gets: what
// the open asked for, never more than the directory grants.
u32 opened_rights(u32 dir, u64 flags, bool is_directory) {
    u32 rights = dir & (abi::kRightDuplicate | abi::kRightTransfer | abi::kRightWait | abi::kRightMap | abi::kRightExecute);
    if (flags & abi::kOpenRead) rights |= abi::kRightRead;
    if (flags & abi::kOpenWrite) rights |= abi::kRightWrite;
    // A directory handle carries its parent's authority below it.
    if (is_directory) rights |= dir & (abi::kRightRead | abi::kRightWrite | abi::kRightEnumerate | abi::kRightCreate |
                                       abi::kRightPrivileged);
    return rights;
}

// A buffer argument: the range must not wrap (Overflow); whether it is
// mapped is the copy's business (BadAddress).
bool wraps(u64 address, u64 length) { return address + length < address; }

}  // namespace

SysResult Syscalls::sys_open(Thread& thread, const SyscallArgs& args) {
    if (!m_files) return abi::Err::Unsupported;
    u64 flags = args.a[3];
    constexpr u64 kKnown = abi::kOpenRead | abi::kOpenWrite | abi::kOpenDirectory | abi::kOpenCreate |
                           abi::kOpenExclusive | abi::kOpenTruncate | abi::kOpenAppend | abi::kOpenNoFollow;
    if (flags & ~kKnown) return abi::Err::InvalidArgument;
    if (!(flags & (abi::kOpenRead | abi::kOpenWrite))) flags |= abi::kOpenRead;
    // Combinations that mean nothing: exclusive without create, cutting or
    // appending without writing, creating a directory (that is mkdir).
    if ((flags & abi::kOpenExclusive) && !(flags & abi::kOpenCreate)) return abi::Err::InvalidArgument;
    if ((flags & (abi::kOpenTruncate | abi::kOpenAppend)) && !(flags & abi::kOpenWrite)) return abi::Err::InvalidArgument;
    if ((flags & abi::kOpenCreate) && (flags & abi::kOpenDirectory)) return abi::Err::InvalidArgument;
    // Looking a name up needs Read on the directory; opening for writing
    // needs Write there too, and creating a name needs Create.
    u32 needed = abi::kRightRead | ((flags & abi::kOpenWrite) ? abi::kRightWrite : 0) |
                 ((flags & abi::kOpenCreate) ? abi::kRightCreate : 0);
    DirectoryArgument dir = SYS_TRY(directory_argument(thread, args.a[0], needed));
    Process& process = thread.process();
    if (process.handles().used() == HandleTable::kSlots) return deny(thread, abi::Err::TooMany, nullptr, 0, 0);
    // The walk may wait for a disk: it runs as a task, with the path kept
    // in its FsCall.
    FsCall* call = SYS_TRY(m_files->calls().begin(thread));
    auto path = path_argument(thread, args.a[1], args.a[2], Span<char>(call->path, sizeof(call->path)));
    if (path.is_error()) {
        call->release();
        return path.error();
    }
    return sys_result(call->run(open_task(*call, fs::NodeRef(*dir.node), dir.rights, flags, path.release_value()), "open"));
}

Task<i64> Syscalls::open_task(FsCall& call, fs::NodeRef dir, u32 dir_rights, u64 flags, StringView path) {
    fs::WalkFault fault = fs::WalkFault::None;
    fs::WalkOptions options {
        .mode = fs::WalkMode::Any, .follow_last = !(flags & abi::kOpenNoFollow), .scratch = call.scratch_span()};
    Result<fs::NodeRef> found = co_await fs::walk(*dir, path, &fault, options);
    fs::NodeRef opened;
    bool created = false;
    if (found.is_error() && fault == fs::WalkFault::NotFound && (flags & abi::kOpenCreate)) {
        // Something on the way is missing: if it is the last name, make it
        // (the parent walk reports a missing directory as NotFound again).
        Result<ParentWalk> parent_walk = co_await walk_parent(call, fs::NodeRef(*dir), dir_rights, path);
        if (parent_walk.is_error()) co_return sys_error(parent_walk.error());
        ParentWalk parent = parent_walk.release_value();
        if (parent.error != abi::Err {}) co_return sys_error(parent.error);
        if (parent.trailing_slash) co_return sys_error(abi::Err::IsDirectory);
        // Exists here means a dangling symlink holds the name (or another
        // program made it meanwhile).
        Result<fs::NodeRef> made =
            co_await parent.dir->create(parent.name, fs::CreateSpec {.type = fs::NodeType::File, .mode = abi::kDefaultFileMode, .target = {}});
        if (made.is_error()) co_return sys_error(made.error());
        opened = made.release_value();
        created = true;
    }
    Thread* thread = call.thread();
    if (!thread) co_return sys_error(abi::Err::Cancelled);
    if (!created) {
        auto judged = judge_walk(*thread, dir_rights, found, fault, flags);
        if (judged.is_error()) co_return sys_error(judged.error());
        opened = found.release_value();
    }
    fs::FsNode* node = opened.get();
    if ((flags & abi::kOpenExclusive) && !created) co_return sys_error(abi::Err::Exists);
    if ((flags & abi::kOpenDirectory) && !node->is_directory()) co_return sys_error(abi::Err::NotDirectory);
    if ((flags & abi::kOpenWrite) && node->is_directory()) co_return sys_error(abi::Err::IsDirectory);
    // A symlink opened itself (kOpenNoFollow) is read for its target only.
    if ((flags & abi::kOpenWrite) && node->type() == fs::NodeType::Symlink) co_return sys_error(abi::Err::InvalidArgument);
    if ((flags & abi::kOpenTruncate) && !created && node->type() == fs::NodeType::File && !node->device_object()) {
        // A file that cannot be cut (a /sys setting) opens as it is, as
        // O_TRUNC on a terminal does.
        Result<void> cut = co_await node->truncate(0);
        if (cut.is_error() && cut.error() != Error::Unsupported) co_return sys_error(cut.error());
        thread = call.thread();
        if (!thread) co_return sys_error(abi::Err::Cancelled);
    }
    u32 rights = opened_rights(dir_rights, flags, node->is_directory());
    // The table may have filled while the walk waited.
    if (thread->process().handles().used() == HandleTable::kSlots)
        co_return sys_error(deny(*thread, abi::Err::TooMany, nullptr, 0, 0));
    if (KernelObject* device = node->device_object()) {
        // Devices are their own objects (a block device answers later).
        Result<void> admitted = device->admit(rights);
        if (admitted.is_error()) co_return sys_error(admitted.error());
        auto handle = install_handle(*thread, *device, rights);
        if (handle.is_error()) co_return sys_error(handle.error());
        co_return i64(handle.release_value());
    }
    auto open = m_files->open(*node, flags);
    if (open.is_error()) co_return sys_error(to_abi(open.error()));
    auto handle = install_handle(*thread, *open.value(), rights);
    if (handle.is_error()) {
        // Not reachable (a slot was checked), but never leak the object.
        open.value()->retain();
        open.value()->release();
        co_return sys_error(handle.error());
    }
    co_return i64(handle.release_value());
}

SysResult Syscalls::sys_read(Thread& thread, const SyscallArgs& args) {
    KernelObject* object = SYS_TRY(handle_object(thread, args.a[0], abi::kRightRead));
    if (object->type() == ObjectType::Directory) return abi::Err::IsDirectory;
    if (wraps(args.a[1], args.a[2])) return abi::Err::Overflow;
    IoArgs io {thread, args.a[1], args.a[2], args.a[3]};
    io.no_wait = m_no_wait;
    auto outcome = object->read(io);
    if (outcome.is_error()) return io.bad_address ? SysResult(abi::Err::BadAddress) : SysResult(outcome.error());
    return outcome.value();
}

SysResult Syscalls::sys_write(Thread& thread, const SyscallArgs& args) {
    KernelObject* object = SYS_TRY(handle_object(thread, args.a[0], abi::kRightWrite));
    if (object->type() == ObjectType::Directory) return abi::Err::IsDirectory;
    if (wraps(args.a[1], args.a[2])) return abi::Err::Overflow;
    IoArgs io {thread, args.a[1], args.a[2], args.a[3]};
    io.no_wait = m_no_wait;
    auto outcome = object->write(io);
    if (outcome.is_error()) return io.bad_address ? SysResult(abi::Err::BadAddress) : SysResult(outcome.error());
    return outcome.value();
}

SysResult Syscalls::sys_readdir(Thread& thread, const SyscallArgs& args) {
    fs::FsNode& dir = *SYS_TRY(directory_argument(thread, args.a[0], abi::kRightEnumerate)).node;
    u64 out = args.a[1];
    u64 count = args.a[2];
    u64 first = args.a[3];
    if (count > (~u64(0) - out) / sizeof(abi::DirEntry)) return abi::Err::Overflow;
    if (count > 64) return abi::Err::InvalidArgument;
    SYS_TRY(check_writable(thread, out, count * sizeof(abi::DirEntry)));
    if (!dir.may_wait()) {
        // A memory directory answers at once: no FsCall, no parking.
        ThreadAccess access(thread);
        i64 value = SYS_TRY(readdir_task(access, fs::NodeRef(dir), out, count, first).finish_now());
        if (value < 0) return abi::Err(-value);
        return Outcome::done(u64(value));
    }
    if (!m_files || m_no_wait) return abi::Err::Unsupported;
    FsCall* call = SYS_TRY(m_files->calls().begin(thread));
    return sys_result(call->run(readdir_task(*call, fs::NodeRef(dir), out, count, first), "readdir"));
}

Task<i64> Syscalls::readdir_task(fs::UserAccess& access, fs::NodeRef dir, u64 out, u64 count, u64 first) {
    u64 filled = 0;
    for (; filled < count; ++filled) {
        fs::DirEntry entry;
        Result<bool> more = co_await dir->read_dir(first + filled, entry);
        if (more.is_error()) co_return sys_error(to_abi(more.error()));
        if (!more.value()) break;
        abi::DirEntry user {};
        user.inode = entry.inode;
        user.type = u32(entry.type);
        user.name_length = entry.name_length;
        for (u32 i = 0; i < entry.name_length; ++i) user.name[i] = entry.name_bytes[i];
        auto copied = access.copy_out(out + filled * sizeof(abi::DirEntry),
                                      ReadonlyBytes(reinterpret_cast<const u8*>(&user), sizeof(user)));
        if (copied.is_error()) co_return sys_error(copied.error() == Error::Cancelled ? abi::Err::Cancelled : abi::Err::BadAddress);
    }
    co_return i64(filled);
}

SysOr<ReadonlyBytes> Syscalls::program_bytes(Thread& thread, u64 dir_handle, StringView path, fs::FsNode** file) {
    // Running a program found below a directory needs Execute there.
    DirectoryArgument dir = SYS_TRY_VALUE(directory_argument(thread, dir_handle, abi::kRightRead | abi::kRightExecute));
    // Programs are loaded from filesystems that answer from memory (the
    // initramfs): a walk that would wait for a disk stops with WouldBlock.
    fs::WalkFault fault = fs::WalkFault::None;
    fs::WalkOptions options {
        .mode = fs::WalkMode::MemoryOnly, .follow_last = true, .scratch = Span<char>(m_scratch.link, sizeof(m_scratch.link))};
    Result<fs::NodeRef> found = fs::walk(*dir.node, path, &fault, options).finish_now();
    fs::FsNode* node = SYS_TRY_VALUE(judge_walk(thread, dir.rights, found, fault, abi::kOpenRead));
    if (node->is_directory()) return abi::Err::IsDirectory;
    *file = node;
    return program_image(*node);
}

SysOr<ReadonlyBytes> Syscalls::program_image(fs::FsNode& node) {
    // The loader wants the whole file in memory: read it into pages that
    // stay with the Syscalls until the next spawn replaces them.
    u64 size = node.stat().size;
    if (size == 0) return abi::Err::Malformed;
    if (size > kMaxProgramBytes) return abi::Err::Overflow;
    release_program_image();
    if (auto resident = node.resident_contents(); resident.ok()) return resident.value();
    PageAllocator& pages = m_processes.pages();
    usize count = usize((size + kPageSize - 1) / kPageSize);
    PhysAddr first = SYS_TRY_VALUE(pages.allocate_pages(count));
    m_image = {first, count};
    u8* bytes = static_cast<u8*>(pages.to_virtual(first));
    if (node.may_wait()) return abi::Err::Unsupported;
    usize got = SYS_TRY_VALUE(node.read(0, fs::IoBuffer::kernel(Span<u8>(bytes, usize(size)))).finish_now());
    if (got != size) return abi::Err::Io;
    return ReadonlyBytes(bytes, got);
}

void Syscalls::release_program_image() {
    if (m_image.count) m_processes.pages().free_pages(m_image.first, m_image.count);
    m_image = {};
}

}  // namespace mote
