// ps: prints sys/processes (the process table, as the kernel reports it).
#include "runtime.hpp"

int main(int, char**) { return mote::user::show_sys_file("ps", "processes"); }
