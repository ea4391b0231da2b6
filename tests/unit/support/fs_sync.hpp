// Calling the asynchronous FsNode interface from tests of filesystems that
// answer from memory: each helper runs the Task to its end at once
// (Task::finish_now VERIFYs it did not suspend). Coroutine frames come from
// the heap (heap_frames.hpp).
#pragma once

#include "fs/walk.hpp"
#include "heap_frames.hpp"

namespace mote::test {

inline Result<usize> read_now(fs::FsNode& node, u64 offset, Span<u8> bytes) {
    return node.read(offset, fs::IoBuffer::kernel(bytes)).finish_now();
}
inline Result<usize> write_now(fs::FsNode& node, u64 offset, ReadonlyBytes bytes) {
    return node.write(offset, fs::IoBuffer::kernel(bytes)).finish_now();
}
inline Result<bool> read_dir_now(fs::FsNode& node, u64 index, fs::DirEntry& entry) {
    return node.read_dir(index, entry).finish_now();
}
inline Result<fs::NodeRef> lookup_now(fs::FsNode& node, StringView name) { return node.lookup(name).finish_now(); }
inline Result<fs::NodeRef> walk_now(fs::FsNode& dir, StringView path, fs::WalkFault* fault = nullptr) {
    return fs::walk(dir, path, fault).finish_now();
}

}  // namespace mote::test
