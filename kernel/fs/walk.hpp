// walk(): from a directory node to the node a relative path names.
//
//     WalkFault fault;
//     FsNode* node = TRY(walk(*cwd, "bin/../etc/motd", &fault));
//
// Capability style: a path can only reach what lies below `dir`. It is
// relative (a leading '/' is refused, never taken as "the root"), and ".."
// may climb back only as far as `dir` itself: "a/../b" is fine, ".." and
// "a/../../b" are refused with EscapesStart whatever `dir` is. So handing
// a program a directory handle hands it that subtree and nothing more.
//
// Syntax: components separated by '/', repeated slashes ignored, "." means
// the current node. A trailing '/' asks for a directory ("bin/" on a file is
// NotDirectory). The path is checked whole before any lookup (decode, then
// perform), so a malformed path never touches a filesystem; after that,
// components are followed in order, and every node passed through, "." and
// ".." included, must be a directory ("file/.." is NotDirectory, as POSIX).
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/fs_node.hpp"
#include "fs/walk_fault.hpp"

namespace mote::fs {

inline constexpr usize kWalkPathMax = 4096;
// How far below the start a path may go (TooDeep beyond): the walk keeps
// every node it passed through, for "..", and a bound keeps that finite.
inline constexpr usize kWalkDepthMax = 32;

// The node `path` names below `dir`, referenced. On failure, `fault` (if
// non-null) says why (WalkFault::None on success); the error is Malformed
// for a refused path, BadState for NotDirectory, NotFound, or the
// filesystem's own error for LookupFailed. A Task: lookups on a disk
// filesystem wait for it. `path` and `fault` must outlive the walk.
// MemoryOnly: for callers that cannot wait (finish_now): a lookup in a
// node that may wait is not made; the walk ends with WouldBlock.
enum class WalkMode : u8 { Any, MemoryOnly };
Task<NodeRef> walk(FsNode& dir, StringView path, WalkFault* fault = nullptr, WalkMode mode = WalkMode::Any);

// Checks `path` without walking it: the syntax and ".." rules above.
// WalkFault::None if walk() would go on to look it up.
WalkFault check_path(StringView path);

}  // namespace mote::fs
