// mem: prints sys/memory (memory use, as the kernel reports it).
#include "runtime.hpp"

int main(int, char**) { return mote::user::show_sys_file("mem", "memory"); }
