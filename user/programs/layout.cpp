// layout: prints sys/layout (the kernel's address space and the physical
// memory map, as the machine reports them).
#include "runtime.hpp"

int main(int, char**) { return mote::user::show_sys_file("layout", "layout"); }
