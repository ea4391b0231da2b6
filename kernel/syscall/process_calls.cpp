// exit, spawn, wait, signal, foreground (who Ctrl-C is for), dup.
#include "exec/program_loader.hpp"
#include "proc/process.hpp"
#include "syscall/syscalls.hpp"

namespace mote {

SysResult Syscalls::sys_exit(Thread& thread, const SyscallArgs& args) {
    abi::ExitInfo info {};
    info.reason = u32(abi::ExitReason::Exited);
    info.status = i32(args.a[0]);
    m_processes.end(thread.process(), info);
    return Outcome::park();
}

SysResult Syscalls::sys_spawn(Thread& thread, const SyscallArgs& args) {
    if (!m_loader) return abi::Err::Unsupported;
    Process& parent = thread.process();
    abi::SpawnArgs request = SYS_TRY(copy_in(thread, UserPtr<abi::SpawnArgs> {args.a[0]}));
    if (request.handle_count > abi::kMaxSpawnHandles || request.argv_length > abi::kMaxArgvBytes ||
        request.argc > abi::kMaxArgvBytes || request.path_length == 0 || request.path_length > abi::kNameMax * 4 ||
        (request.flags & ~u64(abi::kSpawnBatch)))
        return abi::Err::InvalidArgument;
    // The parent needs a free slot for the child's handle: check before
    // anything is built.
    if (parent.handles().used() == HandleTable::kSlots) return abi::Err::TooMany;
    // Without the spawn capability, a process's whole tree is bounded.
    if (!m_processes.may_spawn(&parent))
        return deny(thread, abi::Err::TooMany, &m_processes.spawn_capability(), 0, 0);

    // Copies go to the per-kernel scratch area, not the one kernel stack.
    char* path = m_scratch.path;
    u8* argv = m_scratch.argv;
    SYS_TRY(copy_from_user(thread, Span<u8>(reinterpret_cast<u8*>(path), request.path_length), request.path));
    SYS_TRY(copy_from_user(thread, Span<u8>(argv, request.argv_length), request.argv));
    abi::Handle values[abi::kMaxSpawnHandles];
    SYS_TRY(copy_from_user(thread, Span<u8>(reinterpret_cast<u8*>(values), request.handle_count * sizeof(abi::Handle)),
                           request.handles));
    // Every handle passed needs Transfer; the same value twice is refused
    // (it could be moved only once).
    HandleRef passed[abi::kMaxSpawnHandles] {};
    for (u64 i = 0; i < request.handle_count; ++i) {
        if (values[i] == abi::kNoHandle) continue;
        for (u64 j = 0; j < i; ++j)
            if (values[j] == values[i] && !(passed[j].rights & abi::kRightDuplicate)) return abi::Err::InvalidArgument;
        passed[i] = SYS_TRY(handle_ref(thread, values[i]));
        if (!(passed[i].rights & abi::kRightTransfer))
            return deny(thread, abi::Err::AccessDenied, passed[i].object, passed[i].rights, abi::kRightTransfer);
    }

    StringView path_view(path, request.path_length);
    fs::FsNode* file = nullptr;
    ReadonlyBytes image = SYS_TRY(program_bytes(thread, request.dir, path_view, &file));
    // The name people see: the path's last component.
    StringView name = path_view;
    for (usize i = path_view.length(); i > 0; --i) {
        if (path_view[i - 1] == '/') {
            name = path_view.substr(i);
            break;
        }
    }
    SpawnPlan plan;
    plan.name = name;
    plan.image = image;
    plan.argv = ReadonlyBytes(argv, request.argv_length);
    plan.argc = u32(request.argc);
    plan.handles = Span<const HandleRef>(passed, request.handle_count);
    plan.parent = &parent;
    plan.program = file;
    plan.band = (request.flags & abi::kSpawnBatch) ? Band::Batch : Band::Interactive;
    auto spawned = m_loader->spawn(plan);
    release_program_image();
    // A refused program is a denial on the record, like a missing right.
    if (spawned.is_error() && spawned.error() == Error::Untrusted)
        return deny(thread, abi::Err::Untrusted, nullptr, 0, 0);
    Process* child = SYS_TRY(spawned);
    // Cannot fail: a free slot was checked above and nothing ran since.
    abi::Handle handle = MUST(parent.handles().install(*child, kProcessRights));
    // Each handle the child now holds is a transfer on the record; one
    // the parent could not duplicate has moved rather than been copied.
    for (u64 i = 0; i < request.handle_count; ++i) {
        if (!passed[i].object) continue;
        audit(thread, AuditAction::Inherit, passed[i].object, passed[i].rights, passed[i].rights);
        if (!(passed[i].rights & abi::kRightDuplicate)) (void)parent.handles().close(values[i]);
    }
    return Outcome::done(handle);
}

SysResult Syscalls::sys_wait(Thread& thread, const SyscallArgs& args) {
    auto* child = static_cast<Process*>(SYS_TRY(handle_object(thread, args.a[0], ObjectType::Process, abi::kRightWait)));
    UserPtr<abi::ExitInfo> info {args.a[1]};
    Nanoseconds timeout = args.a[2];
    if (child->state() == ProcessState::Exited) {
        if (info.address) SYS_TRY(copy_out(thread, info, child->exit_info()));
        return Outcome::done(0);
    }
    if (timeout == 0) return abi::Err::WouldBlock;
    if (info.address) SYS_TRY(check_writable(thread, info.address, sizeof(abi::ExitInfo)));
    thread.pending[0] = info.address;
    child->exit_waiters().push_back(thread);
    thread.park_with_timeout("wait", *child, timeout);
    return Outcome::park();
}

SysResult Syscalls::sys_signal(Thread& thread, const SyscallArgs& args) {
    auto* target = static_cast<Process*>(SYS_TRY(handle_object(thread, args.a[0], ObjectType::Process, abi::kRightSignal)));
    SYS_TRY(m_processes.signal(*target, abi::Signal(args.a[1])));
    // Signalling oneself to an end ends oneself, like exit.
    if (target == &thread.process() && target->state() == ProcessState::Exited) return Outcome::park();
    return Outcome::done(0);
}

SysResult Syscalls::sys_foreground(Thread& thread, const SyscallArgs& args) {
    // Decode everything first: a bad handle anywhere changes nothing.
    KernelObject* terminal = SYS_TRY(handle_object(thread, args.a[0], abi::kRightWrite));
    const u64 address = args.a[1];
    const u64 count = args.a[2];
    if (count > abi::kMaxForeground) return abi::Err::InvalidArgument;
    abi::Handle handles[abi::kMaxForeground] {};
    if (count > 0)
        SYS_TRY(copy_from_user(thread, Span<u8>(reinterpret_cast<u8*>(handles), count * sizeof(abi::Handle)), address));
    Process* processes[abi::kMaxForeground] {};
    for (u64 i = 0; i < count; ++i) {
        // Only processes the caller could interrupt itself.
        // One that has already ended is kept as named and never found
        // (a job's short first stage may be gone before its shell asks).
        processes[i] = static_cast<Process*>(SYS_TRY(handle_object(thread, handles[i], ObjectType::Process, abi::kRightSignal)));
    }
    SYS_TRY(terminal->set_foreground(Span<Process* const>(processes, count)));
    return Outcome::done(0);
}

SysResult Syscalls::sys_dup(Thread& thread, const SyscallArgs& args) {
    HandleRef held = SYS_TRY(handle_ref(thread, args.a[0]));
    u64 rights = args.a[1];
    if (rights & ~u64(abi::kRightsAll)) return abi::Err::InvalidArgument;
    if (!(held.rights & abi::kRightDuplicate))
        return deny(thread, abi::Err::AccessDenied, held.object, held.rights, abi::kRightDuplicate);
    // Rights only shrink.
    if (rights & ~u64(held.rights)) return deny(thread, abi::Err::AccessDenied, held.object, held.rights, u32(rights));
    abi::Handle handle = SYS_TRY(install_handle(thread, *held.object, u32(rights)));
    if (rights != held.rights) audit(thread, AuditAction::Dup, held.object, held.rights, u32(rights));
    return Outcome::done(handle);
}

}  // namespace mote
