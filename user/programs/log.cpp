// log: prints sys/log (the kernel log, as the kernel reports it).
#include "runtime.hpp"

int main(int, char**) { return mote::user::show_sys_file("log", "log"); }
