// A stand-in for the syscall instruction (mote_syscall, the runtime's one
// per-target function) for tests of the user runtime on the host: each
// call is recorded and answered from a script, so the wrappers' register
// marshalling and error decoding are checked against the ABI's own
// numbers. Defined once, in fake_syscall.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "abi/syscalls.hpp"

namespace mote::test {

struct RecordedCall {
    uint64_t number;
    uint64_t a[6];
    std::string bytes;  // what a1/a2 point at, for write, rename/link and spawn
};

extern std::vector<RecordedCall> g_calls;
extern std::vector<int64_t> g_answers;  // popped front to back; 0 when empty
extern abi::SpawnArgs g_spawn_args;
extern std::string g_spawn_argv;

void reset_fake();
// Everything the recorded writes wrote, in order.
std::string written();

}  // namespace mote::test
