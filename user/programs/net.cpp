// net: prints sys/net (the network stack: addresses, lease, ARP cache, device, counters, as the kernel reports it).
#include "runtime.hpp"

int main(int, char**) { return mote::user::show_sys_file("net", "net"); }
