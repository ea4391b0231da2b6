// SpawnCapability: spawning without limits, as a handle (abi::kSpawnCap).
//
// A process that holds a handle to this object (any rights) may start as
// many processes as the process table holds. Every other process belongs
// to a *limited tree*: the first process started without the capability
// by one that had it (or by the kernel) roots a tree, and every process
// started inside it is charged to that root. A tree holds at most
// kLimitedTree live processes (the root included); one more spawn fails
// with TooMany and an audit record. So a program run from the shell can
// fork-bomb only its own sixteen slots, never the table the shell, init
// and the services need. Orphans stay charged to their tree's root (the
// root's object lives while something is charged to it).
//
// init starts with the capability and passes it where etc/caps says (sh);
// the shell passes it on a command line's +spawn.
//
// It is the only object of ObjectType::Capability, so whether a process
// holds it is HandleTable::count(ObjectType::Capability), one load per
// spawn rather than a walk of the handle table.
#pragma once

#include "proc/kernel_object.hpp"

namespace mote {

class SpawnCapability final : public KernelObject {
public:
    static constexpr u32 kLimitedTree = 16;

    SpawnCapability() : KernelObject(ObjectType::Capability) {}
};

}  // namespace mote
