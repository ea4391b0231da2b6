// IoBuffer: where a filesystem read puts bytes and where a write takes
// them from: kernel memory, or a range of a user program's memory.
//
// A read from a disk file may finish long after the syscall parked its
// thread, so the filesystem cannot be handed a kernel bounce buffer on the
// stack, and copying the file into one first would cost a copy. Instead it
// copies each block straight from the block cache to the program through
// the buffer's UserAccess, which the syscall layer provides (syscall/
// fs_call.hpp): it reaches the thread's address space while the thread
// waits, and reports Cancelled once the thread is gone (killed while its
// read was in flight), so a late copy never touches a dead address space.
#pragma once

#include "base/memory.hpp"
#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::fs {

// User memory as the syscall layer reaches it for a parked thread.
class UserAccess {
public:
    virtual Result<void> copy_out(u64 to, ReadonlyBytes bytes) = 0;
    virtual Result<void> copy_in(Span<u8> to, u64 from) = 0;

protected:
    ~UserAccess() = default;
};

class IoBuffer {
public:
    // Kernel memory to read into.
    static IoBuffer kernel(Span<u8> bytes) { return IoBuffer(bytes.data(), bytes.size(), nullptr, 0); }
    // Kernel memory to write from (a write never stores into it).
    static IoBuffer kernel(ReadonlyBytes bytes) {
        return IoBuffer(const_cast<u8*>(bytes.data()), bytes.size(), nullptr, 0);
    }
    // `length` bytes of user memory at `address`, through `access`.
    static IoBuffer user(UserAccess& access, u64 address, u64 length) { return IoBuffer(nullptr, length, &access, address); }

    u64 size() const { return m_size; }
    bool is_user() const { return m_access != nullptr; }

    // Stores `bytes` at `offset` of the buffer (a read's result).
    Result<void> fill(u64 offset, ReadonlyBytes bytes) const {
        if (offset > m_size || bytes.size() > m_size - offset) return Error::OutOfRange;
        if (m_access) return m_access->copy_out(m_user + offset, bytes);
        if (bytes.size()) mem_copy(m_kernel + offset, bytes.data(), bytes.size());
        return {};
    }
    // Loads `to.size()` bytes from `offset` of the buffer (a write's data).
    Result<void> take(u64 offset, Span<u8> to) const {
        if (offset > m_size || to.size() > m_size - offset) return Error::OutOfRange;
        if (m_access) return m_access->copy_in(to, m_user + offset);
        if (to.size()) mem_copy(to.data(), m_kernel + offset, to.size());
        return {};
    }
    // The first `length` bytes (at most size()).
    IoBuffer first(u64 length) const {
        IoBuffer part = *this;
        if (length < m_size) part.m_size = length;
        return part;
    }

private:
    IoBuffer(u8* kernel, u64 size, UserAccess* access, u64 user)
        : m_kernel(kernel), m_size(size), m_access(access), m_user(user) {}

    u8* m_kernel;
    u64 m_size;
    UserAccess* m_access;
    u64 m_user;
};

}  // namespace mote::fs
