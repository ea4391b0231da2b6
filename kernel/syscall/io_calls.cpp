// open, read, write, readdir, and finding a program for spawn.
#include "fs/open_node.hpp"
#include "fs/walk.hpp"
#include "proc/process.hpp"
#include "syscall/syscalls.hpp"

namespace mote {

namespace {

// A path argument, copied into `storage`.
SysOr<StringView> path_argument(Thread& thread, u64 address, u64 length, Span<char> storage) {
    if (address + length < address) return abi::Err::Overflow;
    if (length == 0 || length > storage.size()) return abi::Err::InvalidArgument;
    SYS_TRY_VALUE(copy_from_user(thread, Span<u8>(reinterpret_cast<u8*>(storage.data()), length), address));
    return StringView(storage.data(), length);
}

// The filesystem node behind a directory handle that holds `rights`.
struct DirectoryArgument {
    fs::FsNode* node;
    u32 rights;  // all the handle holds: what is opened below inherits from them
};
SysOr<DirectoryArgument> directory_argument(Thread& thread, u64 handle, u32 rights) {
    HandleRef held = SYS_TRY_VALUE(handle_ref(thread, handle));
    if (held.object->type() != ObjectType::Directory)
        return deny(thread, abi::Err::NotDirectory, held.object, held.rights, rights);
    if ((held.rights & rights) != rights) return deny(thread, abi::Err::AccessDenied, held.object, held.rights, rights);
    return DirectoryArgument {&static_cast<OpenNode*>(held.object)->node(), held.rights};
}

// The node `path` names below `dir`. A path that would leave `dir` is
// refused as Escapes (and audited: it is an attempt to reach what the
// handle does not grant); a privileged node needs kRightPrivileged on the
// directory handle.
SysOr<fs::FsNode*> walk_argument(Thread& thread, const DirectoryArgument& dir, StringView path, u64 flags) {
    fs::WalkFault fault = fs::WalkFault::None;
    auto node = fs::walk(*dir.node, path, &fault);
    if (fault == fs::WalkFault::EscapesStart || fault == fs::WalkFault::AbsolutePath)
        return deny(thread, abi::Err::Escapes, nullptr, dir.rights, 0);
    if (fault == fs::WalkFault::NotDirectory) return abi::Err::NotDirectory;
    if (node.is_error()) return node.error();
    if (node.value()->privileged(flags) && !(dir.rights & abi::kRightPrivileged))
        return deny(thread, abi::Err::AccessDenied, nullptr, dir.rights, abi::kRightPrivileged);
    return node.value();
}

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
    if (flags & ~u64(abi::kOpenRead | abi::kOpenWrite | abi::kOpenDirectory)) return abi::Err::InvalidArgument;
    if (!(flags & (abi::kOpenRead | abi::kOpenWrite))) flags |= abi::kOpenRead;
    // Looking a name up needs Read on the directory; opening for writing
    // needs Write there too.
    u32 needed = abi::kRightRead | ((flags & abi::kOpenWrite) ? abi::kRightWrite : 0);
    DirectoryArgument dir = SYS_TRY(directory_argument(thread, args.a[0], needed));
    StringView path = SYS_TRY(path_argument(thread, args.a[1], args.a[2], Span<char>(m_scratch.path, sizeof(m_scratch.path))));
    Process& process = thread.process();
    if (process.handles().used() == HandleTable::kSlots) return deny(thread, abi::Err::TooMany, nullptr, 0, 0);
    fs::FsNode* node = SYS_TRY(walk_argument(thread, dir, path, flags));
    if ((flags & abi::kOpenDirectory) && !node->is_directory()) return abi::Err::NotDirectory;
    if ((flags & abi::kOpenWrite) && node->is_directory()) return abi::Err::IsDirectory;
    u32 rights = opened_rights(dir.rights, flags, node->is_directory());
    if (KernelObject* device = node->device_object()) {
        // Devices are their own objects (a block device answers later).
        return Outcome::done(SYS_TRY(install_handle(thread, *device, rights)));
    }
    OpenNode* open = SYS_TRY(m_files->open(*node, flags));
    auto handle = install_handle(thread, *open, rights);
    if (handle.is_error()) {
        // Not reachable (a slot was checked), but never leak the object.
        open->retain();
        open->release();
        return handle.error();
    }
    return Outcome::done(handle.release_value());
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
    u64 filled = 0;
    for (; filled < count; ++filled) {
        fs::DirEntry entry;
        if (!SYS_TRY(dir.read_dir(first + filled, entry))) break;
        abi::DirEntry user {};
        user.inode = entry.inode;
        user.type = u32(entry.type);
        user.name_length = entry.name_length;
        for (u32 i = 0; i < entry.name_length; ++i) user.name[i] = entry.name_bytes[i];
        SYS_TRY(copy_out(thread, UserPtr<abi::DirEntry> {out + filled * sizeof(abi::DirEntry)}, user));
    }
    return Outcome::done(filled);
}

SysOr<ReadonlyBytes> Syscalls::program_bytes(Thread& thread, u64 dir_handle, StringView path, fs::FsNode** file) {
    // Running a program found below a directory needs Execute there.
    DirectoryArgument dir = SYS_TRY_VALUE(directory_argument(thread, dir_handle, abi::kRightRead | abi::kRightExecute));
    fs::FsNode* node = SYS_TRY_VALUE(walk_argument(thread, dir, path, abi::kOpenRead));
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
    usize got = SYS_TRY_VALUE(node.read(0, Span<u8>(bytes, usize(size))));
    if (got != size) return abi::Err::Io;
    return ReadonlyBytes(bytes, got);
}

void Syscalls::release_program_image() {
    if (m_image.count) m_processes.pages().free_pages(m_image.first, m_image.count);
    m_image = {};
}

}  // namespace mote
