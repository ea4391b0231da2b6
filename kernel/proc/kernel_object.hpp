// KernelObject: anything a handle can name (an open file or directory, the
// console stream, a child process, a block device, a /sys node, a socket,
// the network capability). Objects are
// reference counted: each handle that names one holds a reference, and so
// does anything else that keeps a pointer (a thread parked on it). The last
// release() calls destroy(), which returns the object to wherever it came
// from (a slab cache, or nowhere for objects that live for the kernel's
// lifetime).
//
// The operations a syscall can ask of an object are virtual with a default
// that refuses (Unsupported), so a syscall on the wrong kind of object gets a
// named error instead of a crash. An operation either finishes at once
// (Outcome::done) or parks the calling thread (Outcome::parked): then the
// object, or whoever it handed the work to, later calls Thread::wake with the
// result. Nothing waits on the kernel stack.
#pragma once

#include "abi/syscalls.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "base/verify.hpp"

namespace mote {

class Process;
class Thread;

enum class ObjectType : u8 { File, Directory, Stream, Process, Device, Channel, Socket, Network, Capability };
inline constexpr usize kObjectTypeCount = usize(ObjectType::Capability) + 1;
const char* object_type_name(ObjectType type);

// What an operation did: finished with a value, or parked its thread.
struct Outcome {
    u64 value = 0;
    bool parked = false;
    static Outcome done(u64 value = 0) { return {value, false}; }
    static Outcome park() { return {0, true}; }
};

// A read or write as the syscall layer decoded it: the user buffer is only
// an address here; the object copies through the thread's address space.
struct IoArgs {
    Thread& thread;
    u64 buffer;  // user address
    u64 length;
    u64 offset;  // abi::kCurrentOffset: the object's own position
    // Set by the copy helpers when user memory was the problem, so the
    // syscall boundary says BadAddress rather than the copy's own Error.
    bool bad_address = false;
    // The caller cannot park (a submission-ring entry): an object that
    // would wait returns WouldBlock instead.
    bool no_wait = false;

    // User memory through the thread's address space (proc/address_space.hpp).
    Result<void> copy_out(u64 to, Span<const u8> bytes);
    Result<void> copy_in(Span<u8> to, u64 from);
    Result<void> check_writable(u64 address, u64 length);
    Result<void> check_readable(u64 address, u64 length);
    // An object's -abi::Err as this call's failure: BadAddress marks the
    // user buffer (bad_address), the rest map back to their Error.
    Error fail(i64 abi_value);
};

class KernelObject {
public:
    explicit KernelObject(ObjectType type) : m_type(type), m_id(next_id()) {}
    KernelObject(const KernelObject&) = delete;
    KernelObject& operator=(const KernelObject&) = delete;

    ObjectType type() const { return m_type; }
    // A number that names the object in /sys and the audit ring (counting
    // up from 1; for people, never for syscalls).
    u32 id() const { return m_id; }
    u32 references() const { return m_references; }

    void retain() { ++m_references; }
    void release() {
        VERIFY_MSG(m_references > 0, "kernel object released more often than retained");
        if (--m_references == 0) destroy();
    }

    // A device object named in a directory may refuse to be opened with
    // `rights` (a disk a filesystem holds refuses writers).
    virtual Result<void> admit(u32 rights) {
        (void)rights;
        return {};
    }
    virtual Result<Outcome> read(IoArgs&) { return Error::Unsupported; }
    virtual Result<Outcome> write(IoArgs&) { return Error::Unsupported; }
    virtual Result<void> stat(abi::Stat&) { return Error::Unsupported; }
    // Readiness for poll(): the subset of `events` that holds now.
    virtual u32 poll_ready(u32 events) { (void)events; return 0; }
    // A thread polling this object wants a Thread::poll_event() when its
    // readiness may have changed (none of the objects' own lists grow
    // without bound: one watcher per waiting thread).
    virtual void watch(Thread&) {}
    virtual void unwatch(Thread&) {}
    // Nanoseconds between re-checks of a poller's readiness, for an object
    // that cannot tell when it changes (a sys/ file); 0: it tells (watch).
    virtual u64 recheck_period() const { return 0; }
    // A thread parked in read/write on this object is being torn down (its
    // process was killed): forget it, so no wake reaches a dead thread.
    virtual void cancel_wait(Thread&) {}
    // A terminal: Ctrl-C typed on it is Signal::Interrupt to `processes`
    // (none: a byte again). The syscall layer has checked the caller may
    // signal each one.
    virtual Result<void> set_foreground(Span<Process* const> processes) {
        (void)processes;
        return Error::Unsupported;
    }
    // The object whose holders can end a wait on this one (a channel
    // endpoint's peer), for "who waits on whom" (proc/wait_graph.hpp).
    virtual KernelObject* counterpart() { return nullptr; }

protected:
    // Not virtual: an object is never deleted through a KernelObject
    // pointer; destroy() returns it to where it came from.
    ~KernelObject() = default;
    // Called once, when the last reference goes.
    virtual void destroy() {}

private:
    static u32 next_id();

    ObjectType m_type;
    u32 m_id;
    u32 m_references = 0;
};

}  // namespace mote
