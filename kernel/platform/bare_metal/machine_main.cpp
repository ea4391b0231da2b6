#include "platform/bare_metal/machine_main.hpp"

#include "arch/arch.hpp"
#include "base/config.hpp"
#include "base/verify.hpp"
#include "boot/kernel.hpp"

namespace mote {

void run_machine(Machine& machine, const Result<void>& setup, StringView name) {
    if (setup.is_error()) {
        FixedString<96> why;
        why.appendf("{} machine setup failed: {}", name, setup.error());
        platform_panic(why.c_str());
    }
    static Kernel kernel(machine);
    PowerAction action = kernel.run();
    if (action == PowerAction::Reboot) Arch::reboot();
    Arch::power_off();
}

}  // namespace mote
