// The hosted machine: Mote as a Linux process.
//
// "Interrupts" are file descriptors becoming ready: epoll watches stdin and
// the disk's io_uring eventfd, and each ready descriptor is posted to the
// loop as its IRQ source number, exactly as a device interrupt would be. The
// loop's wait is epoll_pwait2 with the next timer deadline as its timeout.
//
// Physical memory is an mmap arena under the same page allocator as on bare
// metal (host_memory.hpp), so pages() is never nullptr once init() succeeded.
#pragma once

#include "boot/machine.hpp"
#include "platform/hosted/file_block_device.hpp"
#include "platform/hosted/host_memory.hpp"
#include "platform/hosted/host_random.hpp"
#include "platform/hosted/hosted_user_platform.hpp"
#include "platform/hosted/tap_net_device.hpp"
#include "platform/hosted/terminal_console.hpp"

namespace mote {

class HostedMachine final : public Machine {
public:
    struct Options {
        const char* disk_path = nullptr;  // nullptr: no block device
        u64 disk_create_size = 64ull << 20;
        const char* command_line = "";
        u64 memory_size = HostMemory::kDefaultSize;  // the page allocator's arena
        const char* initrd_path = nullptr;  // a newc cpio archive of programs, or none
        const char* tap_interface = nullptr;  // a TAP interface as net0, or no network
        ImpairmentConfig tap_faults;          // loss and reordering on it
    };

    static constexpr u32 kConsoleIrq = 1;
    static constexpr u32 kDiskIrq = 2;
    // Every user program's socket; the epoll tag says which (see wait()).
    static constexpr u32 kUserIrq = 3;
    static constexpr u32 kNetIrq = 4;

    HostedMachine();
    ~HostedMachine();

    Result<void> init(const Options& options);

    // LoopHost
    Nanoseconds now() override;
    void wait(Loop& loop, Nanoseconds deadline) override;

    // Machine
    StringView name() const override { return "hosted (Linux process)"; }
    StringView command_line() const override { return m_command_line; }
    Console& console() override { return m_console; }
    void attach_devices(Kernel& kernel) override;
    PageAllocator* pages() override { return m_memory.ready() ? &m_memory.pages() : nullptr; }
    // Programs run as Linux processes (hosted_user_platform.hpp), given an
    // initramfs (--initrd).
    UserPlatform* user_platform() override { return m_initramfs_size ? &m_user : nullptr; }
    ReadonlyBytes initramfs() const override { return ReadonlyBytes(m_initramfs, m_initramfs_size); }

private:
    // Whether epoll can watch `fd` (regular files and /dev/null cannot).
    Result<bool> watch(int fd, u32 irq);
    Result<void> load_initramfs(const char* path);

    int m_epoll = -1;
    bool m_stdin_watched = false;
    Loop* m_loop = nullptr;
    Nanoseconds m_start = 0;
    StringView m_command_line;
    const char* m_disk_path = nullptr;
    u64 m_disk_create_size = 0;
    HostMemory m_memory;
    TerminalConsole m_console;
    FileBlockDevice m_disk;
    // Declared after m_memory: children map its memfd, and are killed
    // before it goes.
    HostedUserPlatform m_user {m_memory};
    const char* m_tap_interface = nullptr;
    ImpairmentConfig m_tap_faults;
    TapNetDevice m_tap;
    u8* m_initramfs = nullptr;  // host heap, read once at init
    usize m_initramfs_size = 0;
};

}  // namespace mote
