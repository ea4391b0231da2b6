// Socket: what the socket calls (syscall/socket_calls.cpp) ask of a socket
// handle's object, whichever kind it is: a StreamSocket (TCP), a
// DatagramSocket (UDP) or a PingSocket (ICMP echo). Reading, writing, polling and closing are the
// KernelObject's; a call that makes no sense for the kind (accept on UDP)
// gets Unsupported.
#pragma once

#include "base/list.hpp"
#include "proc/kernel_object.hpp"

namespace mote {

class Thread;

class Socket : public KernelObject {
public:
    explicit Socket(abi::SocketKind kind) : KernelObject(ObjectType::Socket), m_kind(kind) {}

    abi::SocketKind kind() const { return m_kind; }

    // What accept() and connect() did: a value (>= 0, or -abi::Err) or parked.
    struct Done {
        i64 value = 0;
        bool parked = false;
    };

    // `address` 0 or one of ours; port 0: an ephemeral one when needed.
    virtual Result<void> bind(const abi::SocketAddress& address) = 0;
    virtual Result<void> listen(u32 backlog) {
        (void)backlog;
        return Error::Unsupported;
    }
    // A connected socket installed in `thread`'s table (the value is its
    // handle), the peer's address copied to `peer_address` (0: not wanted).
    virtual Done accept(Thread& thread, u64 peer_address, Nanoseconds timeout, bool no_wait) {
        (void)thread, (void)peer_address, (void)timeout, (void)no_wait;
        return {-i64(abi::Err::Unsupported), false};
    }
    virtual Done connect(Thread& thread, const abi::SocketAddress& remote, Nanoseconds timeout, bool no_wait) = 0;
    virtual Result<void> shutdown(u64 flags) {
        (void)flags;
        return Error::Unsupported;
    }
    // Sets `option` unless `value` is kOptionQuery; returns its value now.
    virtual Result<u64> option(abi::SocketOption option, u64 value) = 0;
    virtual void info(abi::SocketInfo& out) = 0;

    ListNode table_node;  // the SocketTable's list of live sockets

protected:
    ~Socket() = default;

private:
    abi::SocketKind m_kind;
};

}  // namespace mote
