// poweroff [reboot]: asks the kernel to power the machine off (or reboot
// it) by writing to the power capability (abi::kPowerCap, sys/power open
// for writing). Only a program handed that capability can: etc/caps gives
// it to poweroff.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

int main(int argc, char** argv) {
    StringView action = argc >= 2 && StringView(argv[1]) == "reboot" ? StringView("reboot") : StringView("off");
    if (argc > 2 || (argc == 2 && StringView(argv[1]) != "reboot")) {
        print_err("usage: poweroff [reboot]\n");
        return 2;
    }
    if (power_cap() == kNoHandle) {
        print_err("poweroff: not given the power capability (see etc/caps)\n");
        return 1;
    }
    auto written = sys::write(power_cap(), action.data(), action.length(), 0);
    if (written.is_error()) {
        print_err("poweroff: {}\n", written.error());
        return 1;
    }
    return 0;
}
