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

#if !MOTE_HAVE_USER
// An image without user space never enters user mode, so no trap can come
// from there; the arch's user-mode entry is still linked (the facade is
// whole), and this is its platform side.
arch::UserTrapAction platform_user_trap(Arch::TrapFrame&, arch::UserTrapKind, const arch::FaultInfo&) {
    platform_panic("a trap from user mode in an image without user space");
}
arch::UserTrapAction platform_user_syscall(Arch::TrapFrame&) {
    platform_panic("a syscall from user mode in an image without user space");
}
#endif

}  // namespace mote
