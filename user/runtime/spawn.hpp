// Starting programs: argv packing in the ABI's layout and a spawn() that
// takes words and handles as spans.
#pragma once

#include "abi/syscalls.hpp"
#include "base/format.hpp"
#include "base/span.hpp"
#include "sys.hpp"

namespace mote::user {

// Packs `words` as NUL-terminated strings back to back into `out`
// (abi::SpawnArgs::argv). Returns the bytes used; Overflow if they do not
// fit in `out` or in abi::kMaxArgvBytes, InvalidArgument if a word holds a
// NUL (it would split into two arguments).
SysOr<usize> pack_argv(Span<const StringView> words, Span<char> out);

// Spawns `path` (relative to `dir`) with `argv` (argv[0] included) and the
// child's start handles `handles`, in abi::StartHandle order.
// `flags`: abi::SpawnFlags (kSpawnBatch runs the child in the batch band).
SysOr<Handle> spawn(Handle dir, StringView path, Span<const StringView> argv, Span<const Handle> handles,
                    u64 flags = 0);

// How a child ended, as the shell shows it: "[exit 3]", "[killed]",
// "[interrupted]" (killed by Signal::Interrupt: Ctrl-C),
// "[fault cause=0xN pc=0x... address=0x...]" (the cause in hex: scause,
// ESR_EL1 or the vector). Appends nothing and returns true for a clean
// exit (status 0).
bool describe_exit(const abi::ExitInfo& info, FormatBuffer& out);

}  // namespace mote::user
