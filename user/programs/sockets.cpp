// sockets: prints sys/sockets (every open socket: kind, state, addresses,
// what waits in it and what it dropped, as the kernel reports it).
#include "runtime.hpp"

int main(int, char**) { return mote::user::show_sys_file("sockets", "sockets"); }
