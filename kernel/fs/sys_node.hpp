// The kernel's information as files: SysDirectory and SysFile, the nodes
// the /sys tree is made of (boot/sys_tree.cpp fills it).
//
// A SysFile's text is made when it is read from offset 0 (a `Generate`
// callback writes it into a FormatBuffer) and kept until the next read from
// 0, so a reader that goes through it in chunks sees one consistent
// snapshot. Writing one calls its `Apply` callback with the text: that is
// how a setting is changed (`echo 5 > sys/scheduler/timeslice_ms` in a
// shell that has redirection, or a program's write). The snapshot buffer
// is shared by every SysFile (one is read at a time: the loop is single
// threaded, and a reader that interleaves two files just regenerates).
#pragma once

#include "base/format.hpp"
#include "base/list.hpp"
#include "fs/fs_node.hpp"

namespace mote::fs {

class SysDirectory;

class SysNode : public FsNode {
public:
    StringView name() const { return m_name; }
    FsNode* parent() override { return m_parent; }
    ListNode sibling;

protected:
    explicit SysNode(StringView name) : m_name(name) {}
    ~SysNode() = default;

private:
    friend class SysDirectory;
    StringView m_name;
    FsNode* m_parent = nullptr;
};

class SysFile final : public SysNode {
public:
    using Generate = void (*)(FormatBuffer& out, void* context);
    using Apply = Result<void> (*)(StringView text, void* context);

    // Who may open it: everybody, only for reading (writing is
    // privileged: a setting), or only a privileged opener (FsNode::privileged).
    enum class Access : u8 { Open, WritePrivileged, Privileged };

    SysFile(StringView name, Generate generate, void* context, Apply apply = nullptr, Access access = Access::Open)
        : SysNode(name), m_generate(generate), m_apply(apply), m_context(context), m_access(access) {}

    bool privileged(u64 flags) const override {
        return m_access == Access::Privileged || (m_access == Access::WritePrivileged && (flags & abi::kOpenWrite));
    }

    Stat stat() const override;
    Result<FsNode*> lookup(StringView) override { return Error::BadState; }
    Result<usize> read(u64 offset, Span<u8> buffer) override;
    Result<bool> read_dir(u64, DirEntry&) override { return Error::BadState; }
    Result<usize> write(u64 offset, Span<const u8> data) override;

    // How many bytes a snapshot may have; longer text is cut (and says so).
    static constexpr usize kSnapshotBytes = 32 * 1024;

private:
    Generate m_generate;
    Apply m_apply;
    void* m_context;
    Access m_access;
    u64 m_inode = 0;
};

class SysDirectory final : public SysNode {
public:
    explicit SysDirectory(StringView name) : SysNode(name) {}
    ~SysDirectory() { while (m_children.pop_front()) {} }

    // Adds `child` (owned by the caller, lives as long as the directory).
    void add(SysNode& child);
    // Unlinks and returns the first child (teardown); nullptr when empty.
    SysNode* remove_first() { return m_children.pop_front(); }
    // The root of a tree hangs below another filesystem's directory.
    void set_parent(FsNode* parent) { m_parent_override = parent; }
    FsNode* parent() override { return m_parent_override ? m_parent_override : SysNode::parent(); }

    Stat stat() const override;
    Result<FsNode*> lookup(StringView name) override;
    Result<usize> read(u64, Span<u8>) override { return Error::BadState; }
    Result<bool> read_dir(u64 index, DirEntry& out) override;
    Result<usize> write(u64, Span<const u8>) override { return Error::BadState; }

private:
    IntrusiveList<SysNode, &SysNode::sibling> m_children;
    FsNode* m_parent_override = nullptr;
};

// A directory that shows another directory's entries plus named mount
// points: the root a program sees is the initramfs with sys/ (and later
// dev/, a disk) added. Lookups of a mount point's name find the mounted
// node; everything else goes to the base.
class MountRoot final : public FsNode {
public:
    static constexpr usize kMaxMounts = 4;

    explicit MountRoot(FsNode& base) : m_base(base) {}
    // `node` must report this MountRoot as its parent (SysDirectory::set_parent).
    Result<void> mount(StringView name, FsNode& node);

    Stat stat() const override { return m_base.stat(); }
    Result<FsNode*> lookup(StringView name) override;
    FsNode* parent() override { return nullptr; }
    Result<usize> read(u64, Span<u8>) override { return Error::BadState; }
    Result<bool> read_dir(u64 index, DirEntry& out) override;
    Result<usize> write(u64, Span<const u8>) override { return Error::ReadOnly; }

private:
    struct Mount {
        StringView name;
        FsNode* node;
    };
    FsNode& m_base;
    Mount m_mounts[kMaxMounts];
    usize m_count = 0;
};

}  // namespace mote::fs
