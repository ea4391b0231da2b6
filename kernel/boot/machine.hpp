// Machine: what a platform (the hosted Linux process, QEMU virt, PVH x86)
// provides to the portable kernel. The platform's entry point builds its
// Machine, hands it to Kernel::run, and carries out the power action the
// kernel returns.
#pragma once

#include "base/result.hpp"
#include "base/verify.hpp"
#include "core/boot_timeline.hpp"
#include "core/epitaph_record.hpp"
#include "core/loop.hpp"
#include "dev/console.hpp"

namespace mote {

class Kernel;
class PageAllocator;
class UserPlatform;

enum class PowerAction : u8 { None, PowerOff, Reboot };

// Reports that only some machines can give (sys/memory, sys/layout and
// sys/devices). One line per call of the sink, without the newline.
// Memory: `mem`; Layout: `layout`; BootLayout: the same layout in the few
// lines the boot log prints (each console byte costs boot time); Devices:
// `devices`.
enum class MachineReport : u8 { Memory, Layout, BootLayout, Devices };
using MachineLineSink = void (*)(StringView line, void* context);

class Machine : public LoopHost {
public:
    virtual StringView name() const = 0;
    virtual StringView command_line() const = 0;
    virtual Console& console() = 0;
    // Registers the machine's devices (block devices, random sources, ...)
    // with the kernel and hooks their interrupts to its loop.
    virtual void attach_devices(Kernel& kernel) = 0;

    // The physical page allocator, if this machine manages physical memory.
    virtual PageAllocator* pages() { return nullptr; }
    // How this machine runs user programs; nullptr if it cannot (yet).
    virtual UserPlatform* user_platform() { return nullptr; }
    // The initramfs the loader passed (a newc cpio archive), reachable in
    // kernel memory and reserved from the page allocator; empty if none.
    virtual ReadonlyBytes initramfs() const { return {}; }
    // Writes `report`; Unsupported if this machine has nothing to say.
    virtual Result<void> describe(MachineReport report, MachineLineSink sink, void* context) {
        (void)report, (void)sink, (void)context;
        return Error::Unsupported;
    }

    // sys/power's "panic": stop with the full crash report, on purpose. A
    // machine that must survive it (a test's) overrides this.
    virtual void crash_on_request(const char* reason) { platform_panic(reason); }
    // sys/power's "hang" and "hang-irqoff" (boot/crash_requests.hpp): true
    // if a loop wedged that way would be reset (by the kernel watchdog; with
    // interrupts off, only by a watchdog device). The kernel refuses to
    // wedge a machine that nothing would recover (hosted: nothing does).
    virtual bool recovers_from_hang(bool interrupts_off) const {
        (void)interrupts_off;
        return false;
    }
    // Turns interrupts off on this CPU ("hang-irqoff"; only where
    // recovers_from_hang(true)).
    virtual void disable_interrupts_on_request() {}

    // This boot's epitaph (core/epitaph_record.hpp) where the machine keeps
    // one across resets (a reserved page of RAM on bare metal); nullptr
    // where it keeps none (hosted). The kernel marks it Clean at an
    // orderly end.
    virtual EpitaphRecord* live_epitaph() { return nullptr; }
    // Gives the crash path a second place for the epitaph (mote.dump=,
    // boot/epitaph_dump.hpp). Only where live_epitaph() is not nullptr.
    virtual void set_epitaph_copy(EpitaphWriter writer, void* context) { (void)writer, (void)context; }
    // Where boot time went: the platform marks its steps, Kernel::run the
    // kernel's, on the loop's clock; `uptime` prints it.
    BootTimeline& boot_timeline() { return m_boot_timeline; }
    const BootTimeline& boot_timeline() const { return m_boot_timeline; }

protected:
    ~Machine() = default;

private:
    BootTimeline m_boot_timeline;
};

}  // namespace mote
