// Argument decoding for every handler: handles and user memory.
#include "proc/process.hpp"
#include "syscall/syscalls.hpp"

namespace mote {

SysOr<KernelObject*> handle_object(Thread& thread, u64 handle) {
    if (handle > 0xffffffffu) return abi::Err::BadHandle;
    auto object = thread.process().handles().lookup(abi::Handle(handle));
    if (object.is_error()) return abi::Err::BadHandle;
    return object.value();
}

SysOr<KernelObject*> handle_object(Thread& thread, u64 handle, ObjectType type) {
    KernelObject* object = SYS_TRY_VALUE(handle_object(thread, handle));
    if (object->type() != type) return abi::Err::WrongType;
    return object;
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
