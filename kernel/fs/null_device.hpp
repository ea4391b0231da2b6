// dev/null and dev/zero: writes vanish (and count), reads give end of file
// (null) or zeros (zero). What dd and benchmarks read from and write to
// when only the other side matters.
#pragma once

#include "fs/sys_node.hpp"
#include "proc/kernel_object.hpp"

namespace mote {

class NullDevice final : public KernelObject {
public:
    enum class Kind : u8 { Null, Zero };
    explicit NullDevice(Kind kind) : KernelObject(ObjectType::Device), m_kind(kind) {
        retain();  // the kernel's own: it lives as long as the kernel
    }

    Result<Outcome> read(IoArgs& io) override;
    Result<Outcome> write(IoArgs& io) override;
    Result<void> stat(abi::Stat& stat) override;
    u32 poll_ready(u32 events) override { return events & (abi::kPollReadable | abi::kPollWritable); }

private:
    Kind m_kind;
};

namespace fs {

// The node that names a device object in a directory (dev/null, dev/zero).
class DeviceNode final : public SysNode {
public:
    DeviceNode(StringView name, KernelObject& object, u64 inode) : SysNode(name), m_object(object), m_inode(inode) {}

    Stat stat() const override;
    Task<NodeRef> lookup(StringView) override { return Error::BadState; }
    Task<usize> read(u64, IoBuffer) override { return Error::Unsupported; }
    Task<bool> read_dir(u64, DirEntry&) override { return Error::BadState; }
    Task<usize> write(u64, IoBuffer) override { return Error::Unsupported; }
    KernelObject* device_object() override { return &m_object; }

private:
    KernelObject& m_object;
    u64 m_inode;
};

}  // namespace fs
}  // namespace mote
