// Argument decoding for every handler: handles (with their rights, and an
// audit record for every refusal) and user memory.
#include "proc/process.hpp"
#include "proc/process_table.hpp"
#include "syscall/syscalls.hpp"

namespace mote {

SysOr<HandleRef> handle_ref(Thread& thread, u64 handle) {
    if (handle > 0xffffffffu) return deny(thread, abi::Err::BadHandle, nullptr, 0, 0);
    auto held = thread.process().handles().get(abi::Handle(handle));
    if (held.is_error()) return deny(thread, abi::Err::BadHandle, nullptr, 0, 0);
    return held.value();
}

SysOr<KernelObject*> handle_object(Thread& thread, u64 handle, u32 rights) {
    if (KernelObject* object = thread.process().handles().find(handle, rights)) return object;
    HandleRef held = SYS_TRY_VALUE(handle_ref(thread, handle));
    if ((held.rights & rights) != rights) return deny(thread, abi::Err::AccessDenied, held.object, held.rights, rights);
    return held.object;
}

SysOr<KernelObject*> handle_object(Thread& thread, u64 handle, ObjectType type, u32 rights) {
    KernelObject* object = thread.process().handles().find(handle, rights);
    if (object && object->type() == type) return object;
    HandleRef held = SYS_TRY_VALUE(handle_ref(thread, handle));
    if (held.object->type() != type) return deny(thread, abi::Err::WrongType, held.object, held.rights, rights);
    if ((held.rights & rights) != rights) return deny(thread, abi::Err::AccessDenied, held.object, held.rights, rights);
    return held.object;
}

SysOr<abi::Handle> install_handle(Thread& thread, KernelObject& object, u32 rights) {
    auto installed = thread.process().handles().install(object, rights);
    if (installed.is_error()) return deny(thread, abi::Err::TooMany, &object, 0, rights);
    return installed.value();
}

SysOr<bool> copy_from_user(Thread& thread, Span<u8> to, u64 from) {
    if (thread.process().space().copy_in(to, from).is_error()) return abi::Err::BadAddress;
    return true;
}

SysOr<bool> copy_to_user(Thread& thread, u64 to, Span<const u8> from) {
    if (thread.process().space().copy_out(to, from).is_error()) return abi::Err::BadAddress;
    return true;
}

SysOr<bool> check_writable(Thread& thread, u64 address, u64 length) {
    if (thread.process().space().check_access(address, length, true).is_error()) return abi::Err::BadAddress;
    return true;
}

}  // namespace mote
