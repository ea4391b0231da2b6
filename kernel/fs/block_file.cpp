#include "fs/block_file.hpp"

#include "proc/abi_error.hpp"
#include "proc/process.hpp"

namespace mote {

namespace {
// Where a parked transfer keeps its arguments (Thread::pending).
enum Pending { kOp = 0, kBuffer = 1, kLength = 2, kOffset = 3 };
}  // namespace

BlockFile::BlockFile(BlockDevice& device, PageAllocator& pages)
    : KernelObject(ObjectType::Device), m_device(device), m_pages(pages) {
    retain();  // the kernel's: a device file lives as long as its device
    m_request.set_callback(completed, this);
}

BlockFile::~BlockFile() {
    if (m_bounce) m_pages.free_pages(m_bounce, kMaxBytes / kPageSize);
}

Result<void> BlockFile::stat(abi::Stat& stat) {
    stat = {};
    stat.type = u32(abi::NodeType::Device);
    stat.size = m_device.info().sectors * m_device.info().sector_size;
    stat.mode = m_device.info().read_only ? 0444 : 0644;
    return {};
}

Result<void> BlockFile::admit(u32 rights) {
    if ((rights & abi::kRightWrite) && !m_device.holder().empty()) return Error::Busy;
    return {};
}

Result<Outcome> BlockFile::read(IoArgs& io) { return transfer(io, BlockOp::Read); }
Result<Outcome> BlockFile::write(IoArgs& io) { return transfer(io, BlockOp::Write); }

Result<Outcome> BlockFile::transfer(IoArgs& io, BlockOp op) {
    // Every transfer waits for the disk: a caller that cannot park (a
    // submission-ring entry) is refused rather than left pending.
    if (io.no_wait) return Error::Unsupported;
    const BlockInfo& info = m_device.info();
    u64 offset = io.offset == abi::kCurrentOffset ? m_position : io.offset;
    u64 size = info.sectors * info.sector_size;
    if (offset % info.sector_size || io.length % info.sector_size) return Error::InvalidArgument;
    if (op == BlockOp::Write && info.read_only) return Error::ReadOnly;
    if (op == BlockOp::Write && !m_device.holder().empty()) return Error::Busy;
    if (offset >= size || io.length == 0) return Outcome::done(0);
    u64 length = min(min(io.length, kMaxBytes), size - offset);
    // Check the user buffer now, so a bad one fails before the disk is asked.
    if (op == BlockOp::Read) TRY(io.check_writable(io.buffer, length));
    else TRY(io.check_readable(io.buffer, length));
    if (!m_bounce) m_bounce = TRY(m_pages.allocate_pages(kMaxBytes / kPageSize));
    Thread& thread = io.thread;
    thread.pending[kOp] = u64(op);
    thread.pending[kBuffer] = io.buffer;
    thread.pending[kLength] = length;
    thread.pending[kOffset] = offset;
    if (io.offset == abi::kCurrentOffset) m_position = offset + length;
    thread.park(op == BlockOp::Read ? "disk read" : "disk write", this);
    if (m_busy) m_waiting.push_back(thread);
    else start(thread);
    return Outcome::park();
}

void BlockFile::start(Thread& thread) {
    u8* bounce = static_cast<u8*>(m_pages.to_virtual(m_bounce));
    BlockOp op = BlockOp(thread.pending[kOp]);
    u64 length = thread.pending[kLength];
    if (op == BlockOp::Write) {
        // The thread is parked, its memory unchanged since the check.
        if (thread.process().space().copy_in(Span<u8>(bounce, length), thread.pending[kBuffer]).is_error()) {
            thread.wake(-i64(abi::Err::BadAddress));
            return;
        }
    }
    m_request.op = op;
    m_request.lba = thread.pending[kOffset] / m_device.info().sector_size;
    m_request.sectors = u32(length / m_device.info().sector_size);
    m_request.buffer = Bytes(bounce, length);
    m_owner = &thread;
    m_busy = true;
    auto submitted = m_device.submit(m_request);
    if (submitted.is_error()) {
        m_busy = false;
        m_owner = nullptr;
        thread.wake(-i64(to_abi(submitted.error())));
    }
}

void BlockFile::completed(Request& request) {
    auto* self = static_cast<BlockFile*>(request.context());
    Thread* thread = self->m_owner;
    self->m_owner = nullptr;
    self->m_busy = false;
    if (thread) {
        i64 result;
        if (!request.ok()) {
            result = -i64(to_abi(request.error()));
        } else {
            u64 length = thread->pending[kLength];
            result = i64(length);
            if (BlockOp(thread->pending[kOp]) == BlockOp::Read) {
                ReadonlyBytes data(static_cast<u8*>(self->m_pages.to_virtual(self->m_bounce)), length);
                if (thread->process().space().copy_out(thread->pending[kBuffer], data).is_error())
                    result = -i64(abi::Err::BadAddress);
            }
        }
        thread->wake(result);
    }
    while (!self->m_busy) {
        Thread* next = self->m_waiting.pop_front();
        if (!next) break;
        self->start(*next);
    }
}

void BlockFile::cancel_wait(Thread& thread) {
    if (m_owner == &thread) m_owner = nullptr;  // the request completes into the bounce buffer
    if (thread.wait_node.is_linked() && m_waiting.contains(thread)) m_waiting.remove(thread);
}

fs::Stat fs::BlockNode::stat() const {
    Stat stat;
    stat.type = NodeType::Device;
    stat.size = m_file.device().info().sectors * m_file.device().info().sector_size;
    stat.mode = 0644;
    stat.inode = (u64(2) << 32) + 1;
    return stat;
}

}  // namespace mote
