// OpenNode: a handle's view of a filesystem node: the node (referenced),
// the access the handle was opened for, and the position plain read/write
// advance (with kOpenAppend, a write at the position goes to the end of
// the file first). Made by open() (and by the kernel for the root directory it gives
// init); lives while a handle names it, in a slab cache.
//
// Reads and writes of a node that answers from memory finish inside the
// syscall; those of a disk node run as a task through an FsCall
// (fs/fs_call.hpp), which parks the thread until the disk has answered.
#pragma once

#include "fs/fs_call.hpp"
#include "fs/fs_node.hpp"
#include "mm/slab_cache.hpp"
#include "proc/kernel_object.hpp"

namespace mote {

class OpenNodeCache;

class OpenNode final : public KernelObject {
public:
    OpenNode(OpenNodeCache& cache, fs::FsNode& node, u64 flags);

    fs::FsNode& node() { return *m_node; }
    u64 flags() const { return m_flags; }
    u64 position() const { return m_position; }

    // KernelObject
    Result<Outcome> read(IoArgs& io) override;
    Result<Outcome> write(IoArgs& io) override;
    Result<void> stat(abi::Stat& stat) override;
    // Files are always readable and writable; a sys/ file also reports
    // kPollChanged when its text differs from what this handle last read
    // from offset 0 (or it was never read).
    u32 poll_ready(u32 events) override;
    u64 recheck_period() const override;

private:
    void destroy() override;
    Task<u64> transfer(FsCall& call, bool is_write, u64 offset, u64 address, u64 length, bool advance);

    OpenNodeCache& m_cache;
    fs::NodeRef m_node;
    u64 m_flags;
    u64 m_position = 0;
    // The change token of what this handle last read from offset 0.
    u64 m_seen_token = 0;
    bool m_seen = false;
};

class OpenNodeCache {
public:
    explicit OpenNodeCache(PageAllocator& pages)
        : m_cache("open-node", sizeof(OpenNode), alignof(OpenNode), pages), m_calls(pages) {}
    // A new OpenNode with no references yet (installing it in a handle
    // table takes the first).
    Result<OpenNode*> open(fs::FsNode& node, u64 flags);
    void free(OpenNode& node);
    u64 in_use() const { return m_cache.objects_in_use(); }
    // Where file operations that wait get their FsCall.
    FsCallCache& calls() { return m_calls; }

private:
    SlabCache m_cache;
    FsCallCache m_calls;
};

}  // namespace mote
