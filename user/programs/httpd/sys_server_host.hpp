// httpd's ServerHost over the system calls: the listener's accept() without
// waiting, socket read/write/shutdown/close, poll(), the monotonic clock
// and the wall clock, and the process heap for connections.
#pragma once

#include "abi/syscalls.hpp"
#include "http_server.hpp"
#include "wall_clock.hpp"

namespace mote::httpd {

class SysServerHost final : public ServerHost {
public:
    SysServerHost(abi::Handle listener, const WallClock& clock) : m_listener(listener), m_clock(clock) {}

    Result<SocketId> accept() override;
    Result<usize> receive(SocketId socket, Span<char> into) override;
    Result<usize> send(SocketId socket, StringView bytes) override;
    void shutdown_send(SocketId socket) override;
    void close(SocketId socket) override;
    Result<usize> poll(Span<abi::PollItem> items, u64 timeout_ns) override;
    Time now() override;
    void* allocate(usize bytes) override;
    void release(void* block) override;

private:
    abi::Handle m_listener;
    WallClock m_clock;
};

}  // namespace mote::httpd
