// Why walk() refused a path or could not follow it.
//
// walk() returns the kernel's closed Error; the fault says which rule was
// broken (by the path, or by a symlink's target spliced into it), and is what the system call layer turns into the ABI's finer
// codes (NotDirectory has no Error of its own: it travels as BadState).
#pragma once

#include "base/error.hpp"
#include "base/types.hpp"

namespace mote::fs {

enum class WalkFault : u8 {
    None,          // found
    EmptyPath,     // "": name the directory itself with "."       (Malformed)
    AbsolutePath,  // starts with '/': paths are relative to a handle (Malformed)
    PathTooLong,   // longer than kWalkPathMax bytes                  (Malformed)
    NameTooLong,   // a component longer than abi::kNameMax bytes     (Malformed)
    NulInPath,     // a NUL byte inside the path                      (Malformed)
    EscapesStart,  // ".." would climb above the starting directory   (Malformed)
    NotDirectory,  // the start, or a node the path goes through, is not a directory (BadState)
    NotFound,      // a component does not exist                      (NotFound)
    LookupFailed,  // the filesystem failed (Io, NoMemory, ...)       (its own error)
    TooDeep,       // more than kWalkDepthMax components below the start (Malformed)
    SymlinkLoop,   // more than kWalkLinksMax symlinks followed        (Malformed; abi SymlinkLoop)
    NoLastName,    // split_path: the path ends in ".", ".." or names only the start (Malformed)
};

inline constexpr usize kWalkFaultCount = 13;
static_assert(usize(WalkFault::NoLastName) + 1 == kWalkFaultCount, "update kWalkFaultCount and walk_fault_name");

// A stable name ("EscapesStart") for logs and tests.
const char* walk_fault_name(WalkFault fault);

}  // namespace mote::fs
