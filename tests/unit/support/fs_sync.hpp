// Calling the asynchronous FsNode interface (reads, lookups, walks, and the
// operations that change a filesystem) from tests of filesystems that
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
inline Result<fs::NodeRef> walk_now(fs::FsNode& dir, StringView path, fs::WalkFault* fault, fs::WalkOptions options) {
    return fs::walk(dir, path, fault, options).finish_now();
}

// Changing a filesystem.
inline Result<fs::NodeRef> create_now(fs::FsNode& dir, StringView name, fs::NodeType type = fs::NodeType::File,
                                      u32 mode = 0644, StringView target = {}) {
    return dir.create(name, fs::CreateSpec {.type = type, .mode = mode, .target = target}).finish_now();
}
inline Result<fs::NodeRef> mkdir_now(fs::FsNode& dir, StringView name, u32 mode = 0755) {
    return create_now(dir, name, fs::NodeType::Directory, mode);
}
inline Result<fs::NodeRef> symlink_now(fs::FsNode& dir, StringView name, StringView target) {
    return create_now(dir, name, fs::NodeType::Symlink, 0777, target);
}
inline Result<void> link_now(fs::FsNode& dir, StringView name, fs::FsNode& node) { return dir.link(name, node).finish_now(); }
inline Result<void> unlink_now(fs::FsNode& dir, StringView name, bool directory = false) {
    return dir.unlink(name, directory).finish_now();
}
inline Result<void> rename_now(fs::FsNode& dir, StringView name, fs::FsNode& to, StringView new_name) {
    return dir.rename(name, to, new_name).finish_now();
}
inline Result<void> truncate_now(fs::FsNode& node, u64 size) { return node.truncate(size).finish_now(); }
inline Result<void> set_times_now(fs::FsNode& node, i64 atime, i64 mtime) { return node.set_times(atime, mtime).finish_now(); }

}  // namespace mote::test
