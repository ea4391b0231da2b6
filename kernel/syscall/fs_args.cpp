#include "syscall/fs_args.hpp"

#include "proc/process.hpp"

namespace mote {

SysOr<StringView> path_argument(Thread& thread, u64 address, u64 length, Span<char> storage) {
    if (address + length < address) return abi::Err::Overflow;
    if (length == 0 || length > storage.size()) return abi::Err::InvalidArgument;
    SYS_TRY_VALUE(copy_from_user(thread, Span<u8>(reinterpret_cast<u8*>(storage.data()), length), address));
    return StringView(storage.data(), length);
}

SysOr<DirectoryArgument> directory_argument(Thread& thread, u64 handle, u32 rights) {
    HandleRef held = SYS_TRY_VALUE(handle_ref(thread, handle));
    if (held.object->type() != ObjectType::Directory)
        return deny(thread, abi::Err::NotDirectory, held.object, held.rights, rights);
    if ((held.rights & rights) != rights) return deny(thread, abi::Err::AccessDenied, held.object, held.rights, rights);
    return DirectoryArgument {&static_cast<OpenNode*>(held.object)->node(), held.rights};
}

SysOr<OpenNode*> open_node_argument(Thread& thread, u64 handle, u32 rights) {
    HandleRef held = SYS_TRY_VALUE(handle_ref(thread, handle));
    // Only OpenNodes are Files and Directories (devices are their own objects).
    ObjectType type = held.object->type();
    if (type != ObjectType::File && type != ObjectType::Directory)
        return deny(thread, abi::Err::WrongType, held.object, held.rights, rights);
    if ((held.rights & rights) != rights) return deny(thread, abi::Err::AccessDenied, held.object, held.rights, rights);
    return static_cast<OpenNode*>(held.object);
}

abi::Err path_fault_error(Thread& thread, u32 dir_rights, fs::WalkFault fault) {
    switch (fault) {
    case fs::WalkFault::EscapesStart:
    case fs::WalkFault::AbsolutePath: return deny(thread, abi::Err::Escapes, nullptr, dir_rights, 0);
    case fs::WalkFault::NotDirectory: return abi::Err::NotDirectory;
    case fs::WalkFault::SymlinkLoop: return abi::Err::SymlinkLoop;
    case fs::WalkFault::NoLastName: return abi::Err::InvalidArgument;
    default: return abi::Err::Malformed;
    }
}

SysOr<fs::FsNode*> judge_walk(Thread& thread, u32 dir_rights, Result<fs::NodeRef>& found, fs::WalkFault fault,
                              u64 flags) {
    switch (fault) {
    case fs::WalkFault::None:
    case fs::WalkFault::NotFound:
    case fs::WalkFault::LookupFailed: break;
    default: return path_fault_error(thread, dir_rights, fault);
    }
    if (found.is_error()) return found.error();
    fs::FsNode* node = found.value().get();
    if (node->privileged(flags) && !(dir_rights & abi::kRightPrivileged))
        return deny(thread, abi::Err::AccessDenied, nullptr, dir_rights, abi::kRightPrivileged);
    return node;
}

SysResult sys_result(FsCall::Ran ran) {
    if (ran.parked) return Outcome::park();
    if (ran.value < 0) return abi::Err(-ran.value);
    return Outcome::done(u64(ran.value));
}

Result<void> ThreadAccess::copy_out(u64 to, ReadonlyBytes bytes) { return m_thread.process().space().copy_out(to, bytes); }
Result<void> ThreadAccess::copy_in(Span<u8> to, u64 from) { return m_thread.process().space().copy_in(to, from); }

}  // namespace mote
