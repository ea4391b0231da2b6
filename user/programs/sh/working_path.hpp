// The shell's working directory by name. A directory handle cannot name
// its parent (what a handle reaches is below it: `..` at its top is
// refused with Escapes), so the shell keeps, as text, the path it reached
// its working directory by, and `cd ..` takes the last name off that path
// and opens the result from the root again: what POSIX shells call the
// logical working directory. `pwd` prints it.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::user {

// `target` resolved against the absolute path `current` (or against "/"
// if `target` starts with '/'), written to `out` as a clean absolute path:
// "." names dropped, ".." removing the name before it (at "/" it stays
// "/", as in POSIX), repeated '/' collapsed, no trailing '/'. Overflow if
// it does not fit in `out`; InvalidArgument if `current` is not absolute.
Result<StringView> resolve_directory(StringView current, StringView target, Span<char> out);

// The absolute path `absolute` as open() takes it from the root handle:
// "/" is ".", "/tmp/d" is "tmp/d".
StringView below_root(StringView absolute);

}  // namespace mote::user
