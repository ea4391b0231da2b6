#include "sys_server_host.hpp"

#include "runtime.hpp"
#include "sys_error.hpp"

namespace mote::httpd {

using namespace mote::user;

Result<SocketId> SysServerHost::accept() {
    auto accepted = sys::accept(m_listener, nullptr, 0);
    if (accepted.is_error()) return error_from(accepted.error());
    // Answers leave in one write each, head and body together where they
    // fit: there is nothing to gain from Nagle's wait for the previous
    // segment's ACK, only the delayed-ACK stall it can add at an answer's
    // tail.
    (void)sys::socket_option(accepted.value(), abi::SocketOption::NoDelay, 1);
    return SocketId(accepted.value());
}

Result<usize> SysServerHost::receive(SocketId socket, Span<char> into) {
    auto got = sys::read(socket, into.data(), into.size());
    if (got.is_error()) return error_from(got.error());
    return got.value();
}

Result<usize> SysServerHost::send(SocketId socket, StringView bytes) {
    auto sent = sys::write(socket, bytes.data(), bytes.length());
    if (sent.is_error()) return error_from(sent.error());
    return sent.value();
}

void SysServerHost::shutdown_send(SocketId socket) { (void)sys::shutdown(socket, abi::kShutdownWrite); }

void SysServerHost::close(SocketId socket) { (void)sys::close(socket); }

Result<usize> SysServerHost::poll(Span<abi::PollItem> items, u64 timeout_ns) {
    auto ready = sys::poll(items.data(), items.size(), timeout_ns);
    if (ready.is_error()) return error_from(ready.error());
    return ready.value();
}

Time SysServerHost::now() {
    const u64 monotonic = sys::clock();
    return {monotonic, m_clock.unix_seconds(monotonic)};
}

void* SysServerHost::allocate(usize bytes) { return malloc(bytes); }

void SysServerHost::release(void* block) { free(block); }

}  // namespace mote::httpd
