#include "core/cpu.hpp"

namespace mote {

namespace {
Cpu g_boot_cpu;
}  // namespace

Cpu& this_cpu() { return g_boot_cpu; }

}  // namespace mote
