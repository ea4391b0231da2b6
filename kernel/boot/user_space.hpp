// UserSpace: everything the kernel needs to run programs, assembled once at
// boot on machines that can (Machine::user_platform) and were given an
// initramfs: the process table and scheduler, the syscall layer, the
// program loader, the read-only root filesystem built from the initramfs,
// and the console as a stream. Then it spawns the first program, init,
// handing it the console three times (stdin, stdout, stderr), the root
// directory twice (working directory, root; every right, the privileged
// one included) and the privileged capabilities (abi::kPowerCap ...
// kSpawnCap): all the authority any program will ever have, passed down from
// here. init hands out parts of it as etc/caps says. The network
// capability exists once attach_network() gave programs a stack.
//
// The root programs see is the initramfs with the kernel's trees (sys/,
// dev/) and tmp/ mounted in it: tmp/ is a RamFs (fs/ram_fs.hpp) with a
// quarter of memory (at most kTmpMaxBytes) and kTmpMaxNodes nodes.
//
// mote.init=PATH[,ARG...] on the command line picks another first program
// (default bin/init), e.g. mote.init=bin/sysbench,1000,null_syscall. When
// the first program ends, the kernel powers off: tests boot a program as
// init and read what it printed.
//
// Only signed programs run: mount() checks the initramfs's etc/manifest
// against the key built into the kernel, and the loader refuses a program
// whose bytes the manifest does not vouch for, init included
// (exec/program_trust.hpp).
#pragma once

#include "base/config.hpp"
#include "exec/program_loader.hpp"
#include "exec/program_trust.hpp"
#include "fs/console_stream.hpp"
#include "fs/initramfs.hpp"
#include "fs/open_node.hpp"
#include "fs/ram_fs.hpp"
#include "fs/sys_node.hpp"
#include "ipc/channel.hpp"
#if MOTE_HAVE_DRIVERS
#include "socket/socket_table.hpp"
#endif
#include "syscall/syscalls.hpp"

namespace mote {

class UserSpace {
public:
    static constexpr u64 kTmpMaxBytes = 64ull << 20;
    static constexpr u64 kTmpMaxNodes = 4096;

    UserSpace(Loop& loop, PageAllocator& pages, UserPlatform& platform, Console& console);
    ~UserSpace();

    // Decodes the initramfs, builds the root and spawns init (`init_spec`:
    // PATH[,ARG...]). On failure nothing is left running; the caller logs
    // why and powers off.
    // A directory that appears in the programs' root under `name` (sys/,
    // dev/, the boot disk at mnt/).
    struct Mount {
        StringView name;
        fs::FsNode* node;
    };
    // `mounts` appear in the root under their own names. `disk_root`
    // (mote.root=vda): the root is that directory instead of the
    // initramfs, with the initramfs's bin/, etc/ and www/ mounted over its
    // own (Mote's programs, their settings, what httpd serves), and sys/,
    // dev/, tmp/ as always.
    Result<void> start(ReadonlyBytes initramfs, StringView init_spec, Span<const Mount> mounts = {},
                       fs::FsNode* disk_root = nullptr);
    // Programs may make sockets on `net` (before start(): init is handed
    // the network capability).
#if MOTE_HAVE_DRIVERS
    void attach_network(NetStack& net);
    SocketTable* sockets() { return m_sockets; }
#endif

    // Called once when the first program ends.
    void on_init_exit(void (*callback)(const abi::ExitInfo&, void*), void* context) {
        m_init_exit = callback;
        m_init_exit_context = context;
    }

    ConsoleStream& console() { return m_console; }
    ProcessTable& processes() { return m_processes; }
    Syscalls& syscalls() { return m_syscalls; }
    ChannelTable& channels() { return m_channels; }
    ProgramTrust& trust() { return m_trust; }

private:
    PageAllocator& m_pages;
    ProcessTable m_processes;
    Syscalls m_syscalls;
    // Which programs may run: the initramfs's signed manifest (mount()
    // loads it). Before the loader, which is built with it as its gate.
    ProgramTrust m_trust;
    ProgramLoader m_loader;
    OpenNodeCache m_files;
    ChannelTable m_channels;
    ConsoleStream m_console;
    // The root filesystem: its node storage comes from pages (mount).
    Result<void> mount(ReadonlyBytes image);
    // tmp/: a RamFs every program can write (start() mounts it).
    alignas(fs::RamFs) u8 m_tmp_storage[sizeof(fs::RamFs)];
    fs::RamFs* m_tmp = nullptr;
    // What programs see as their root: the initramfs (or the boot disk)
    // with sys/, dev/, tmp/ in it.
    alignas(fs::MountRoot) u8 m_root_storage[sizeof(fs::MountRoot)];
    fs::MountRoot* m_mount_root = nullptr;
    // The initramfs's bin/, etc/ and www/ when the root is the boot disk.
    fs::NodeRef m_boot_dirs[3];
    usize m_boot_dir_count = 0;
    PhysAddr m_slots = 0;
    usize m_slot_pages = 0;
    alignas(fs::Initramfs) u8 m_initramfs_storage[sizeof(fs::Initramfs)];
    fs::Initramfs* m_initramfs = nullptr;
    OpenNode* m_root = nullptr;
    // The privileged capabilities init starts with (null where the node is
    // missing: a machine without sys/ or dev/).
    OpenNode* m_caps[4] {};
#if MOTE_HAVE_DRIVERS
    alignas(SocketTable) u8 m_sockets_storage[sizeof(SocketTable)];
    SocketTable* m_sockets = nullptr;
#endif
    Process* m_init = nullptr;
    void (*m_init_exit)(const abi::ExitInfo&, void*) = nullptr;
    void* m_init_exit_context = nullptr;
};

}  // namespace mote
