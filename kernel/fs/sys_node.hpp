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
//
// poll() on a SysFile's handle watches it for change: kPollChanged means
// its text now differs from what that handle last read from offset 0
// (change_token), and a poller is re-checked every kChangeRecheckPeriod, since
// the kernel's counters have no change hooks (syscall/poll_call.cpp).
#pragma once

#include "base/format.hpp"
#include "base/list.hpp"
#include "fs/fs_node.hpp"

namespace mote::fs {

class SysDirectory;

class SysNode : public FsNode {
public:
    StringView name() const { return m_name; }
    ListNode sibling;

protected:
    explicit SysNode(StringView name) : m_name(name) {}
    ~SysNode() = default;

private:
    StringView m_name;
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
    Task<NodeRef> lookup(StringView) override { return Error::BadState; }
    Task<usize> read(u64 offset, IoBuffer buffer) override;
    Task<bool> read_dir(u64, DirEntry&) override { return Error::BadState; }
    Task<usize> write(u64 offset, IoBuffer data) override;
    Result<u64> change_token(bool last_read) override;

    // How many bytes a snapshot may have; longer text is cut (and says so).
    static constexpr usize kSnapshotBytes = 32 * 1024;
    // The longest setting a write may carry.
    static constexpr usize kSettingBytes = 256;

private:
    Generate m_generate;
    Apply m_apply;
    void* m_context;
    Access m_access;
    u64 m_inode = 0;
    u64 m_read_token = 0;  // change_token of the text the last read from 0 made
};

class SysDirectory final : public SysNode {
public:
    explicit SysDirectory(StringView name) : SysNode(name) {}
    ~SysDirectory() { while (m_children.pop_front()) {} }

    // Adds `child` (owned by the caller, lives as long as the directory).
    void add(SysNode& child);
    // Unlinks and returns the first child (teardown); nullptr when empty.
    SysNode* remove_first() { return m_children.pop_front(); }

    Stat stat() const override;
    Task<NodeRef> lookup(StringView name) override;
    Task<usize> read(u64, IoBuffer) override { return Error::BadState; }
    Task<bool> read_dir(u64 index, DirEntry& out) override;
    Task<usize> write(u64, IoBuffer) override { return Error::BadState; }

private:
    IntrusiveList<SysNode, &SysNode::sibling> m_children;
};

// A directory that shows another directory's entries plus named mount
// points: the root a program sees is the initramfs (or, with mote.root=,
// the boot disk's root) with sys/, dev/ and tmp/ (a RamFs) added, and
// more. Lookups of a mount point's name find the mounted node, which hides
// an entry of the base with that name, as on Unix; everything else goes to
// the base. Name changes go to the base too (ReadOnly for the initramfs),
// except those that would remove, replace or create a mount point's name:
// Busy or Exists.
class MountRoot final : public FsNode {
public:
    static constexpr usize kMaxMounts = 8;

    explicit MountRoot(FsNode& base) : m_base(base) {}
    Result<void> mount(StringView name, FsNode& node);
    // The node mounted at `name`, or nullptr.
    FsNode* mounted(StringView name) const;

    Stat stat() const override { return m_base.stat(); }
    Task<NodeRef> lookup(StringView name) override;
    Task<usize> read(u64, IoBuffer) override { return Error::BadState; }
    Task<bool> read_dir(u64 index, DirEntry& out) override;
    Task<usize> write(u64, IoBuffer) override { return Error::ReadOnly; }
    Task<NodeRef> create(StringView name, CreateSpec spec) override;
    Task<void> link(StringView name, FsNode& node) override;
    Task<void> unlink(StringView name, bool directory) override;
    Task<void> rename(StringView name, FsNode& new_directory, StringView new_name) override;
    Task<void> sync() override { return m_base.sync(); }
    Filesystem* filesystem() override { return m_base.filesystem(); }
    bool may_wait() const override { return m_base.may_wait(); }
    FsNode& underlying() override { return m_base.underlying(); }
    bool lookup_may_wait(StringView name) const override { return !mounted(name) && m_base.may_wait(); }

private:
    bool is_mount(StringView name) const { return mounted(name) != nullptr; }
    struct Mount {
        StringView name;
        FsNode* node;
    };
    FsNode& m_base;
    Mount m_mounts[kMaxMounts];
    usize m_count = 0;
    // read_dir's place in the base: the last visible index it returned and
    // the base index it came from, so a listing in order skips hidden
    // entries without starting over each time.
    u64 m_cursor_visible = ~u64(0);
    u64 m_cursor_base = 0;
};

}  // namespace mote::fs
