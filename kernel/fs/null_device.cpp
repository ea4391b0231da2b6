#include "fs/null_device.hpp"

#include "base/memory.hpp"

namespace mote {

Result<Outcome> NullDevice::read(IoArgs& io) {
    if (m_kind == Kind::Null || io.length == 0) return Outcome::done(0);
    TRY(io.check_writable(io.buffer, io.length));
    static const u8 zeros[512] = {};
    u64 done = 0;
    while (done < io.length) {
        usize n = usize(min<u64>(sizeof(zeros), io.length - done));
        TRY(io.copy_out(io.buffer + done, ReadonlyBytes(zeros, n)));
        done += n;
    }
    return Outcome::done(done);
}

Result<Outcome> NullDevice::write(IoArgs& io) {
    // The bytes are not looked at, but the buffer must be the caller's.
    TRY(io.check_readable(io.buffer, io.length));
    return Outcome::done(io.length);
}

Result<void> NullDevice::stat(abi::Stat& stat) {
    stat = {};
    stat.type = u32(abi::NodeType::Device);
    stat.mode = 0666;
    return {};
}

fs::Stat fs::DeviceNode::stat() const {
    Stat stat;
    stat.type = NodeType::Device;
    stat.mode = 0666;
    stat.inode = m_inode;
    return stat;
}

}  // namespace mote
