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
}  // namespace

OpenNode::OpenNode(OpenNodeCache& cache, fs::FsNode& node, u64 flags)
    : KernelObject(object_type_of(node)), m_cache(cache), m_node(node), m_flags(flags) {}

Result<Outcome> OpenNode::read(IoArgs& io) {
    u64 offset = io.offset == abi::kCurrentOffset ? m_position : io.offset;
    // A file already in kernel memory (the initramfs keeps its files in the
    // archive) goes to the user in one copy: copy_out checks every page
    // before it writes any, so a bad buffer still gets nothing.
    if (auto resident = m_node.resident_contents(); resident.ok()) {
        ReadonlyBytes bytes = resident.value();
        u64 n = offset >= bytes.size() ? 0 : min<u64>(io.length, bytes.size() - offset);
        if (n) TRY(io.copy_out(io.buffer, ReadonlyBytes(bytes.data() + offset, usize(n))));
        if (io.offset == abi::kCurrentOffset) m_position += n;
        return Outcome::done(n);
    }
    // Check the whole destination first: nothing is read for a bad buffer.
    TRY(io.check_writable(io.buffer, io.length));
    u8 chunk[512];
    u64 done = 0;
    while (done < io.length) {
        usize want = usize(min<u64>(sizeof(chunk), io.length - done));
        usize got = TRY(m_node.read(offset + done, Span<u8>(chunk, want)));
        if (got == 0) break;
        TRY(io.copy_out(io.buffer + done, ReadonlyBytes(chunk, got)));
        done += got;
        if (got < want) break;
    }
    if (io.offset == abi::kCurrentOffset) m_position += done;
    return Outcome::done(done);
}

Result<Outcome> OpenNode::write(IoArgs& io) {
    u64 offset = io.offset == abi::kCurrentOffset ? m_position : io.offset;
    u8 chunk[512];
    u64 done = 0;
    while (done < io.length) {
        usize n = usize(min<u64>(sizeof(chunk), io.length - done));
        TRY(io.copy_in(Span<u8>(chunk, n), io.buffer + done));
        usize written = TRY(m_node.write(offset + done, ReadonlyBytes(chunk, n)));
        done += written;
        if (written < n) break;
    }
    if (io.offset == abi::kCurrentOffset) m_position += done;
    return Outcome::done(done);
}

Result<void> OpenNode::stat(abi::Stat& stat) {
    stat = m_node.stat().to_abi();
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
