// uptime: prints sys/uptime (uptime and where the boot time went, as the kernel reports it).
#include "runtime.hpp"

int main(int, char**) { return mote::user::show_sys_file("uptime", "uptime"); }
