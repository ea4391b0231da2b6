// BlockFile: a block device as a file (dev/vda): read and written at byte
// offsets that are whole sectors, so dd and the block benchmark run from
// user space. One object per device, shared by every handle to it; plain
// read/write (kCurrentOffset) use and advance one shared position.
//
// A read or write parks its thread on the device request; one request is
// in flight at a time (a disk request of up to kMaxBytes through a bounce
// buffer of the kernel's: user pages are not contiguous), later callers
// wait their turn in FIFO order. The completion copies the data to the
// user (read) and wakes the thread with the byte count; a thread killed
// meanwhile is forgotten, and the request still completes into the bounce
// buffer, which stays the file's.
#pragma once

#include "dev/block_device.hpp"
#include "fs/sys_node.hpp"
#include "mm/page_allocator.hpp"
#include "proc/kernel_object.hpp"
#include "proc/wait_list.hpp"

namespace mote {

class BlockFile final : public KernelObject {
public:
    static constexpr u64 kMaxBytes = 128 * 1024;

    BlockFile(BlockDevice& device, PageAllocator& pages);
    ~BlockFile();

    BlockDevice& device() { return m_device; }

    // KernelObject. Writers are refused (Busy) while a filesystem holds
    // the device.
    Result<void> admit(u32 rights) override;
    Result<Outcome> read(IoArgs& io) override;
    Result<Outcome> write(IoArgs& io) override;
    Result<void> stat(abi::Stat& stat) override;
    u32 poll_ready(u32 events) override { return events & (abi::kPollReadable | abi::kPollWritable); }
    void cancel_wait(Thread& thread) override;

private:
    Result<Outcome> transfer(IoArgs& io, BlockOp op);
    void start(Thread& thread);
    static void completed(Request& request);

    BlockDevice& m_device;
    PageAllocator& m_pages;
    PhysAddr m_bounce = 0;  // kMaxBytes, allocated at the first transfer
    BlockRequest m_request;
    Thread* m_owner = nullptr;  // the thread whose request is in flight
    bool m_busy = false;
    WaitList m_waiting;
    u64 m_position = 0;
};

namespace fs {

// The node that names a BlockFile in a directory (dev/vda).
class BlockNode final : public SysNode {
public:
    BlockNode(StringView name, BlockFile& file) : SysNode(name), m_file(file) {}

    Stat stat() const override;
    Task<NodeRef> lookup(StringView) override { return Error::BadState; }
    Task<usize> read(u64, IoBuffer) override { return Error::Unsupported; }
    Task<bool> read_dir(u64, DirEntry&) override { return Error::BadState; }
    Task<usize> write(u64, IoBuffer) override { return Error::Unsupported; }
    KernelObject* device_object() override { return &m_file; }
    // A raw disk bypasses every filesystem's rules.
    bool privileged(u64) const override { return true; }

private:
    BlockFile& m_file;
};

}  // namespace fs
}  // namespace mote
