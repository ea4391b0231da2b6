// uname: prints sys/version (the kernel's version, revision, ISA, profile
// and machine, on one line).
#include "runtime.hpp"

int main(int, char**) { return mote::user::show_sys_file("uname", "version"); }
