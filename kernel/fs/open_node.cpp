#include "fs/open_node.hpp"

#include "proc/process.hpp"

namespace mote {

namespace {

ObjectType object_type_of(const fs::FsNode& node) {
    switch (node.stat().type) {
    case abi::NodeType::Directory: return ObjectType::Directory;
    case abi::NodeType::Device: return ObjectType::Device;
    default: return ObjectType::File;
    }
}

// The running syscall's user memory, for a node that answers at once.
class IoArgsAccess final : public fs::UserAccess {
public:
    explicit IoArgsAccess(IoArgs& io) : m_io(io) {}
    Result<void> copy_out(u64 to, ReadonlyBytes bytes) override { return m_io.copy_out(to, bytes); }
    Result<void> copy_in(Span<u8> to, u64 from) override { return m_io.copy_in(to, from); }

private:
    IoArgs& m_io;
};

}  // namespace

OpenNode::OpenNode(OpenNodeCache& cache, fs::FsNode& node, u64 flags)
    : KernelObject(object_type_of(node)), m_cache(cache), m_node(node), m_flags(flags) {}

Result<Outcome> OpenNode::read(IoArgs& io) {
    u64 offset = io.offset == abi::kCurrentOffset ? m_position : io.offset;
    bool advance = io.offset == abi::kCurrentOffset;
    // A file already in kernel memory (the initramfs keeps its files in the
    // archive) goes to the user in one copy: copy_out checks every page
    // before it writes any, so a bad buffer still gets nothing.
    if (auto resident = m_node->resident_contents(); resident.ok()) {
        ReadonlyBytes bytes = resident.value();
        u64 n = offset >= bytes.size() ? 0 : min<u64>(io.length, bytes.size() - offset);
        if (n) TRY(io.copy_out(io.buffer, ReadonlyBytes(bytes.data() + offset, usize(n))));
        if (advance) m_position += n;
        return Outcome::done(n);
    }
    // Check the whole destination first: nothing is read for a bad buffer.
    TRY(io.check_writable(io.buffer, io.length));
    if (!m_node->may_wait()) {
        IoArgsAccess access(io);
        usize n = TRY(m_node->read(offset, fs::IoBuffer::user(access, io.buffer, io.length)).finish_now());
        if (advance) m_position += n;
        if (offset == 0) {
            if (auto token = m_node->change_token(true); token.ok()) {
                m_seen_token = token.value();
                m_seen = true;
            }
        }
        return Outcome::done(n);
    }
    // A submission-ring entry cannot park.
    if (io.no_wait) return Error::Unsupported;
    FsCall* call = TRY(m_cache.calls().begin(io.thread));
    retain();  // the task's; it may outlive the handle
    return call->run(transfer(*call, false, offset, io.buffer, io.length, advance), "file read");
}

u32 OpenNode::poll_ready(u32 events) {
    u32 ready = events & (abi::kPollReadable | abi::kPollWritable);
    if (!(events & abi::kPollChanged)) return ready;
    auto now = m_node->change_token(false);
    if (now.is_error()) return ready;  // changes only by writes
    // Never read: changed, there is something to see.
    if (!m_seen || now.value() != m_seen_token) ready |= abi::kPollChanged;
    return ready;
}

u64 OpenNode::recheck_period() const {
    return m_node->change_token(true).ok() ? fs::FsNode::kChangeRecheckPeriod : 0;
}

Result<Outcome> OpenNode::write(IoArgs& io) {
    u64 offset = io.offset == abi::kCurrentOffset ? m_position : io.offset;
    // Opened to append: a write at the handle's position goes to the end,
    // wherever the position is (another handle may have grown the file).
    if (io.offset == abi::kCurrentOffset && (m_flags & abi::kOpenAppend)) offset = m_node->stat().size;
    bool advance = io.offset == abi::kCurrentOffset;
    TRY(io.check_readable(io.buffer, io.length));
    if (!m_node->may_wait()) {
        IoArgsAccess access(io);
        usize n = TRY(m_node->write(offset, fs::IoBuffer::user(access, io.buffer, io.length)).finish_now());
        if (advance) m_position += n;
        return Outcome::done(n);
    }
    if (io.no_wait) return Error::Unsupported;
    FsCall* call = TRY(m_cache.calls().begin(io.thread));
    retain();
    return call->run(transfer(*call, true, offset, io.buffer, io.length, advance), "file write");
}

Task<u64> OpenNode::transfer(FsCall& call, bool is_write, u64 offset, u64 address, u64 length, bool advance) {
    fs::IoBuffer buffer = fs::IoBuffer::user(call, address, length);
    Result<usize> moved = is_write ? co_await m_node->write(offset, buffer) : co_await m_node->read(offset, buffer);
    if (moved.ok() && advance) m_position = offset + moved.value();
    Result<u64> result = moved.is_error() ? Result<u64>(moved.error()) : Result<u64>(u64(moved.value()));
    release();  // may destroy this OpenNode: nothing of it is touched after
    co_return result;
}

Result<void> OpenNode::stat(abi::Stat& stat) {
    stat = m_node->stat().to_abi();
    return {};
}

void OpenNode::destroy() { m_cache.free(*this); }

Result<OpenNode*> OpenNodeCache::open(fs::FsNode& node, u64 flags) {
    void* memory = TRY(m_cache.allocate());
    return new (memory) OpenNode(*this, node, flags);
}

void OpenNodeCache::free(OpenNode& node) {
    node.~OpenNode();
    m_cache.free(&node);
}

}  // namespace mote
