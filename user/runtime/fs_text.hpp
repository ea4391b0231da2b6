// Text for the file programs (ls, df, cp, mv, rm, ...): permission strings,
// dates, human-readable sizes, and the pieces of a path. Pure logic, so
// the host unit tests check it (user_runtime_test.cpp).
#pragma once

#include "abi/syscalls.hpp"
#include "base/format.hpp"
#include "base/span.hpp"

namespace mote::user {

// "drwxr-xr-x" for a NodeType and permission bits: the type letter ('-'
// file, 'd' directory, 'l' symlink, 'c' device, '?' anything else), then
// rwx for owner, group and others, with s/S for set-id and t/T for sticky
// as ls prints them. Always 10 characters and a NUL.
void mode_string(u32 type, u32 mode, char out[11]);

// "YYYY-MM-DD HH:MM" (UTC) for nanoseconds since 1970; negative times
// print as 1970-01-01 00:00.
void format_date(i64 ns, FormatBuffer& out);

// A byte count for people: "0", "512", "1.5K", "64M", "3.2G" (powers of
// 1024, one decimal below 10, rounded down).
void human_size(u64 bytes, FormatBuffer& out);

// The last component of a path, without trailing slashes: "a/b/" is "b",
// "b" is "b", "/" and "" are "".
StringView base_name(StringView path);

// `dir` + "/" + `name` into `storage` (no doubled slash when `dir` ends in
// one); an empty view if it does not fit.
StringView join_path(StringView dir, StringView name, Span<char> storage);

}  // namespace mote::user
