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
//
// Symlinks. A symlink met before the last component is followed: its
// target (read() on the link) replaces the link's name in the rest of the
// path, and is resolved from the directory holding the link. So is a link
// as the last component, unless the caller asks for the link itself
// (WalkOptions::follow_last false: open with kOpenNoFollow, unlink, rename)
// and the path does not end in '/'. The capability rule holds for targets
// too: an absolute target is AbsolutePath, and a target whose ".." climbs
// above the walk's start is EscapesStart (both Escapes at the syscall
// boundary), whatever the link's own depth. At most kWalkLinksMax links are
// followed in one walk (SymlinkLoop beyond), and the spliced path must fit
// the caller's scratch buffer (PathTooLong otherwise): the walk's frame
// stays small, and a walk without scratch cannot follow links at all.
// ".." is never checked lexically across a link (the path was checked
// before any link was known): "link/.." climbs from the link's target, as
// POSIX does, and is caught by the same depth rule when it would escape.
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
// How many symlinks one walk follows (SymlinkLoop beyond), as Linux's
// nested limit: enough for real chains, and a loop ends quickly.
inline constexpr usize kWalkLinksMax = 8;
// Scratch that can hold any symlink expansion of a syscall path whose
// targets are at most this long as well (FsCall, Syscalls::m_scratch).
inline constexpr usize kWalkScratchBytes = 2048;

// The node `path` names below `dir`, referenced. On failure, `fault` (if
// non-null) says why (WalkFault::None on success); the error is Malformed
// for a refused path, BadState for NotDirectory, NotFound, or the
// filesystem's own error for LookupFailed. A Task: lookups on a disk
// filesystem wait for it. `path` and `fault` must outlive the walk.
// MemoryOnly: for callers that cannot wait (finish_now): a lookup in a
// node that may wait is not made; the walk ends with WouldBlock.
enum class WalkMode : u8 { Any, MemoryOnly };
Task<NodeRef> walk(FsNode& dir, StringView path, WalkFault* fault = nullptr, WalkMode mode = WalkMode::Any);

struct WalkOptions {
    WalkMode mode = WalkMode::Any;
    // Whether a symlink as the last component is followed (true) or is the
    // result (false); a path ending in '/' follows it either way.
    bool follow_last = true;
    // Where a symlink's target is spliced into the rest of the path; it
    // must outlive the walk. Empty: a link that must be followed is
    // PathTooLong.
    Span<char> scratch;
};
Task<NodeRef> walk(FsNode& dir, StringView path, WalkFault* fault, WalkOptions options);

// Checks `path` without walking it: the syntax and ".." rules above.
// WalkFault::None if walk() would go on to look it up.
WalkFault check_path(StringView path);

// A path that names a directory entry to create, remove or rename: the
// directory (walked as usual) and the entry's name in it. "a/b/c" is "a/b"
// and "c"; "c" is "." and "c"; a trailing '/' is dropped ("a/b/" is "a" and
// "b", with `trailing_slash` set: the entry should be a directory). The
// path must pass check_path; a last component "." or ".." is NoLastName
// (there is no entry of that name to change).
struct PathSplit {
    StringView parent;
    StringView name;
    bool trailing_slash = false;
};
WalkFault split_path(StringView path, PathSplit& out);

}  // namespace mote::fs
