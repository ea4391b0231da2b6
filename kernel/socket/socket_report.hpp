// The open sockets, one line each, for sys/sockets (the `sockets`
// program): what each is bound and connected to, its state, and what
// waits in it and was dropped from it, so a program that falls behind
// shows up here before its peer notices. The first line is the table's
// totals. Every figure comes from the socket's own info() (the one a
// program gets from socket_info), so the two cannot disagree.
#pragma once

#include "base/format.hpp"
#include "socket/socket_table.hpp"

namespace mote {

void write_socket_report(SocketTable& table, FormatBuffer& out);

// "unbound", "bound", "listening", ... for an abi::SocketState value.
const char* socket_state_name(u32 state);

}  // namespace mote
