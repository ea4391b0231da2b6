// The one closed set of failure reasons in Mote.
//
// Every fallible call in the kernel returns Result<T> (result.hpp) carrying one
// of these. The set is deliberately small: callers branch on *kind* of failure,
// and the log line / counter that accompanies a failure carries the detail.
// Translation to user-visible codes happens once, at the syscall boundary.
#pragma once

#include "base/types.hpp"

namespace mote {

enum class Error : u8 {
    InvalidArgument,  // a caller passed something that can never be valid
    Malformed,        // input data (DTB, packet, shell line, ...) failed validation
    OutOfRange,       // an index, LBA or offset beyond the end of something
    Overflow,         // arithmetic on sizes/offsets would wrap, or a buffer is too small
    NoMemory,         // an allocator or fixed pool is exhausted
    Busy,             // the resource is in use or its queue is full (backpressure)
    WouldBlock,       // nothing ready now; try again after an event
    Timeout,          // a deadline passed before completion
    Cancelled,        // the request was cancelled before it completed
    Io,               // a device or host I/O call failed
    ReadOnly,         // a write to something that only allows reads
    NotFound,         // no such name, device, command or entry
    Unsupported,      // valid, but not implemented by this kernel or device
    BadState,         // the operation is not allowed in the object's current state
    AccessDenied,     // the handle lacks a right the operation needs
    PeerClosed,       // the other end of a channel is gone
    Exists,           // the name is already taken (create, mkdir, link, symlink)
    NotEmpty,         // a directory to remove or replace still has entries
    NoSpace,          // a filesystem has no free block or inode left
    CrossDevice,      // a link or rename between two filesystems
    Untrusted,        // code the signed manifest does not vouch for (exec/program_trust.hpp)
};

inline constexpr usize kErrorCount = 21;

// A stable, human-readable name ("NoMemory") for logs, the shell and tests.
const char* error_name(Error e);

}  // namespace mote
