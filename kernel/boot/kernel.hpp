// Kernel: the assembled portable kernel. It owns the loop, the block layer
// and the shell; a platform entry point constructs it with its Machine and
// calls run(), which returns when the shell asks for a power action.
#pragma once

#include "base/config.hpp"
#include "boot/boot_args.hpp"
#include "boot/machine.hpp"
#include "core/loop.hpp"
#include "mm/frame_cache.hpp"
#if MOTE_HAVE_USER
#include "boot/dev_tree.hpp"
#include "boot/sys_tree.hpp"
#include "boot/user_space.hpp"
#endif
#include "shell/shell.hpp"
#if MOTE_HAVE_DRIVERS
#include "boot/epitaph_dump.hpp"
#include "dev/block_registry.hpp"
#if MOTE_HAVE_USER
#include "boot/disk_mount.hpp"
#endif
#include "net/net_stack.hpp"
#endif

namespace mote {

class Kernel {
public:
    explicit Kernel(Machine& machine);
    Kernel(const Kernel&) = delete;
    Kernel& operator=(const Kernel&) = delete;

    // Boots (log setup, devices, shell) and runs the loop until a power
    // action is requested; returns that action for the platform to carry out.
    PowerAction run();

    Machine& machine() { return m_machine; }
    Loop& loop() { return m_loop; }
    Console& console() { return m_machine.console(); }
#if MOTE_HAVE_DRIVERS
    BlockRegistry& blocks() { return m_blocks; }
    // The network stack; a Machine attaches its NetDevice with net().attach().
    NetStack& net() { return m_net; }
#endif
    Shell& shell() { return m_shell; }
    // nullptr unless init runs.
#if MOTE_HAVE_USER
    UserSpace* user_space() { return m_user; }
#endif
    BootArgs boot_args() const { return BootArgs(m_machine.command_line()); }


    Nanoseconds uptime() { return m_loop.now(); }

    void request_power(PowerAction action);

private:
    void apply_boot_args();
    // The boot log's line about how the previous boot ended.
    void log_previous_boot();
    void start_network();
    // Starts init if the machine can run programs and has an initramfs;
    // false if the kernel shell should run instead.
    bool start_user_space();
    // Whether start_user_space() will have what it needs (a user platform,
    // pages, an initramfs, mote.init not "none").
    bool user_space_possible();
    // mote.dump=: the epitaph's disk copy (boot/epitaph_dump.hpp). Once,
    // after the boot disk's mount has settled (the area must not lie in
    // its filesystem).
    void start_epitaph_dump();
    // An orderly end: the epitaph reads Clean, in RAM and on the disk.
    void end_epitaph();

    Machine& m_machine;
    Loop m_loop;
    // This CPU's coroutine frames (core/task.hpp), once memory is up.
    alignas(FrameCache) u8 m_frames_storage[sizeof(FrameCache)];
    FrameCache* m_frames = nullptr;
#if MOTE_HAVE_DRIVERS
    BlockRegistry m_blocks;
    NetStack m_net;
    alignas(EpitaphDump) u8 m_dump_storage[sizeof(EpitaphDump)];
    EpitaphDump* m_dump = nullptr;
    bool m_dump_tried = false;
    bool m_mount_pending = false;
#endif
    Shell m_shell;
    PowerAction m_power = PowerAction::None;
    void stop_user_space();
    // The kernel shell takes the console: no user space, or init failed.
    void fall_back_to_shell();
    // Whether the network was started without the kernel's echo service
    // (user space was expected to provide it).
    bool m_echo_deferred = false;
#if MOTE_HAVE_USER
    // Built only on machines that run programs (start_user_space).
    alignas(UserSpace) u8 m_user_storage[sizeof(UserSpace)];
    UserSpace* m_user = nullptr;
    alignas(SysTree) u8 m_sys_storage[sizeof(SysTree)];
    SysTree* m_sys = nullptr;
    alignas(DevTree) u8 m_dev_storage[sizeof(DevTree)];
    DevTree* m_dev = nullptr;
    bool launch_init();
#if MOTE_HAVE_DRIVERS
    alignas(DiskMount) u8 m_disk_storage[sizeof(DiskMount)];
    DiskMount* m_disk = nullptr;
#endif
#endif
};

}  // namespace mote
