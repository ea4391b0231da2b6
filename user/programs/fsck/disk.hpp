// What fsck's checker core runs over, so the same code checks an image file
// in the host unit tests and the raw disk (dev/vda) in the user program:
// a disk read and written at byte offsets, memory from the caller's
// allocator, and a sink for the lines it prints.
//
// Plain structs of function pointers (like user/runtime/heap.hpp's
// PageSource) rather than virtual classes: the core builds freestanding for
// the user programs and hosted for the tests, with no runtime support needed.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::fsck {

// The checker only reads and writes whole filesystem blocks (and the
// 1024-byte superblock at offset 1024), never past `size`.
struct Disk {
    u64 size = 0;  // bytes
    Result<void> (*read)(void* context, u64 offset, Bytes out) = nullptr;
    Result<void> (*write)(void* context, u64 offset, ReadonlyBytes data) = nullptr;
    void* context = nullptr;
};

// Memory for the checker's bitmaps and tables; nullptr when out of memory.
// The checker zeroes what it gets.
struct Allocator {
    void* (*allocate)(usize bytes, void* context) = nullptr;
    void (*release)(void* pointer, void* context) = nullptr;
    void* context = nullptr;
};

// One line of output (no newline in `line`).
struct Output {
    void (*line)(void* context, StringView line) = nullptr;
    void* context = nullptr;
};

}  // namespace mote::fsck
