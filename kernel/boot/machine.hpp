// Machine: what a platform (the hosted Linux process, QEMU virt, PVH x86)
// provides to the portable kernel. The platform's entry point builds its
// Machine, hands it to Kernel::run, and carries out the power action the
// kernel returns.
#pragma once

#include "core/loop.hpp"
#include "dev/console.hpp"

namespace mote {

class Kernel;

enum class PowerAction : u8 { None, PowerOff, Reboot };

class Machine : public LoopHost {
public:
    virtual StringView name() const = 0;
    virtual StringView command_line() const = 0;
    virtual Console& console() = 0;
    // Registers the machine's devices (block devices, random sources, ...)
    // with the kernel and hooks their interrupts to its loop.
    virtual void attach_devices(Kernel& kernel) = 0;

protected:
    ~Machine() = default;
};

}  // namespace mote
