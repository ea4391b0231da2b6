// Kernel: the assembled portable kernel. It owns the loop, the block layer,
// the network and user space; a platform entry point constructs it with its
// Machine and calls run(), which returns when a power action is requested
// (a program writes sys/power, or init ends). There is no shell in the
// kernel: the console belongs to the programs (user/programs/sh).
#pragma once

#include "base/config.hpp"
#include "boot/boot_args.hpp"
#include "boot/machine.hpp"
#include "core/loop.hpp"
#include "mm/frame_cache.hpp"
#include "boot/dev_tree.hpp"
#include "boot/sys_tree.hpp"
#include "boot/user_space.hpp"
#if MOTE_HAVE_DRIVERS
#include "boot/disk_mount.hpp"
#include "boot/epitaph_dump.hpp"
#include "dev/block_registry.hpp"
#include "net/net_stack.hpp"
#endif

namespace mote {

class Kernel {
public:
    explicit Kernel(Machine& machine);
    Kernel(const Kernel&) = delete;
    Kernel& operator=(const Kernel&) = delete;

    // Boots (log setup, devices, network, init) and runs the loop until a power
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
    // nullptr unless init runs.
    UserSpace* user_space() { return m_user; }
    // Whether init was started (it may have ended since).
    bool init_started() const { return m_init_started; }
    BootArgs boot_args() const { return BootArgs(m_machine.command_line()); }


    Nanoseconds uptime() { return m_loop.now(); }

    void request_power(PowerAction action);
    // A self-test (mote.test=all, mote.virtio_test=1) runs and will request
    // power-off itself: a boot without init then waits for it.
    void self_test_started() { m_self_test = true; }

private:
    void apply_boot_args();
    // The boot log's line about how the previous boot ended.
    void log_previous_boot();
    void start_network();
    // Starts init (now, or once the boot disk is mounted); false, with the
    // reason logged, if it cannot.
    bool start_user_space();
    // Starts init from the initramfs; false, with the reason logged, if it
    // cannot.
    bool launch_init();
    // Nothing to run: the kernel has no interface of its own, so it says
    // why once and powers off.
    void no_init();
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
    PowerAction m_power = PowerAction::None;
    bool m_self_test = false;
    bool m_init_started = false;
    void stop_user_space();
    // Built by start_user_space.
    alignas(UserSpace) u8 m_user_storage[sizeof(UserSpace)];
    UserSpace* m_user = nullptr;
    alignas(SysTree) u8 m_sys_storage[sizeof(SysTree)];
    SysTree* m_sys = nullptr;
    alignas(DevTree) u8 m_dev_storage[sizeof(DevTree)];
    DevTree* m_dev = nullptr;
#if MOTE_HAVE_DRIVERS
    alignas(DiskMount) u8 m_disk_storage[sizeof(DiskMount)];
    DiskMount* m_disk = nullptr;
#endif
};

}  // namespace mote
