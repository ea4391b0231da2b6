// devices: prints sys/devices (the devices and their drivers, as the kernel reports it).
#include "runtime.hpp"

int main(int, char**) { return mote::user::show_sys_file("devices", "devices"); }
