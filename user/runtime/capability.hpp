// The privileged capabilities a program may have been started with
// (abi::kPowerCap ... kSpawnCap; etc/caps decides who gets which), and the
// one place that knows how paths reach them.
#pragma once

#include "abi/syscalls.hpp"
#include "base/span.hpp"
#include "caps_policy.hpp"
#include "sys_or.hpp"

namespace mote::user {

// Where a path from a program's command line is reached: relative to its
// working directory, except that "/x" means "x" under the root directory
// (the root the program was given is its "/": "/tmp/a" is tmp/a there, and
// "/" alone is the root itself, "."), and "dev/NAME" resolves under the dev
// capability when the program holds it (raw devices are privileged: the
// working directory cannot open them).
struct PathAt {
    abi::Handle dir;
    StringView path;
};
PathAt resolve_path(StringView path);

// Opens `path` (resolved as above) with `flags`.
SysOr<abi::Handle> open_path(StringView path, u64 flags);

// Whether `path` names a directory (following symlinks).
bool is_directory(StringView path);

// The arguments cp and mv take, `PROGRAM SRC DST` or `PROGRAM SRC... DIR`:
// calls act(source, target) for each source, where target is DST, or
// DIR/<last component of SRC> when the last argument is a directory.
// Reports a wrong shape (usage: exit 2), several sources without a
// directory (NotDirectory) and a target path too long (Overflow) itself;
// act reports its own failures and returns false. Returns the exit status.
int for_each_source(int argc, char** argv, StringView program, bool (*act)(StringView source, StringView target));

// Copies a capability's whole text (sys/log, sys/audit) to stdout, reading
// from offset 0 (the handle's position is shared with whoever else holds
// the capability). `what` names it in errors. Returns the exit status.
int show_capability(StringView program, abi::Handle cap, StringView what);

// etc/caps under `root`, decoded. A missing or malformed file is an
// error (printed by the caller); it then hands out no capabilities.
SysOr<CapsPolicy> load_caps_policy(abi::Handle root);

// Fills positions kPowerCap.. of `handles` (a kStartHandleCount array)
// with this program's own capabilities selected by `caps` (CapBits), and
// kNoHandle where it has none to give.
void pass_caps(u32 caps, abi::Handle* handles);

}  // namespace mote::user
