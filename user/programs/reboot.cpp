// reboot: asks the kernel to restart the machine, as `poweroff reboot`
// does, by writing "reboot" to the power capability. Only a program handed
// that capability can: etc/caps gives it to reboot.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

int main(int argc, char**) {
    if (argc > 1) {
        print_err("usage: reboot\n");
        return 2;
    }
    if (power_cap() == kNoHandle) {
        print_err("reboot: not given the power capability (see etc/caps)\n");
        return 1;
    }
    StringView action = "reboot";
    auto written = sys::write(power_cap(), action.data(), action.length(), 0);
    if (written.is_error()) {
        print_err("reboot: {}\n", written.error());
        return 1;
    }
    return 0;
}
