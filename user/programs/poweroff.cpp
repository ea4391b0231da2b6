// poweroff [reboot]: asks the kernel to power the machine off (or reboot
// it) by writing to sys/power. A program may do it only if it was handed
// the root that holds sys/ (the shell passes its root to what it runs).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

int main(int argc, char** argv) {
    StringView action = argc >= 2 && StringView(argv[1]) == "reboot" ? StringView("reboot") : StringView("off");
    if (argc > 2 || (argc == 2 && StringView(argv[1]) != "reboot")) {
        print_err("usage: poweroff [reboot]\n");
        return 2;
    }
    auto power = sys::open(root_dir(), "sys/power", abi::kOpenWrite);
    if (power.is_error()) {
        print_err("poweroff: sys/power: {}\n", power.error());
        return 1;
    }
    auto written = sys::write(power.value(), action.data(), action.length(), 0);
    (void)sys::close(power.value());
    if (written.is_error()) {
        print_err("poweroff: {}\n", written.error());
        return 1;
    }
    return 0;
}
