#include "platform/hosted/hosted_machine.hpp"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "boot/kernel.hpp"
#include "core/log.hpp"
#include "core/wall_clock.hpp"
#include "dev/rtc/rtc_fault.hpp"
#include "platform/hosted/terminal.hpp"

namespace mote {

namespace {
Nanoseconds monotonic_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return Nanoseconds(ts.tv_sec) * kSecond + Nanoseconds(ts.tv_nsec);
}

// The host's clock is this machine's real-time clock: read once, like an
// RTC, then followed on the monotonic clock as on bare metal (so a host
// clock step does not move the kernel's time). Checked like any RTC.
// Its monotonic clock starts at the first machine's init, the hosted
// kernel's boot.
Nanoseconds g_wall_clock_start = 0;
Nanoseconds since_boot() { return monotonic_ns() - g_wall_clock_start; }

void init_wall_clock() {
    if (!g_wall_clock_start) g_wall_clock_start = monotonic_ns();
    timespec real;
    clock_gettime(CLOCK_REALTIME, &real);
    Nanoseconds read_at = since_boot();
    RtcFault fault = RtcFault::None;
    if (rtc_check_range(i64(real.tv_sec), &fault).is_error()) {
        log_warn("rtc", "the host's CLOCK_REALTIME reads {} s: {}", i64(real.tv_sec), rtc_fault_name(fault));
        wall_clock_set_unknown(since_boot, "CLOCK_REALTIME rejected");
        return;
    }
    wall_clock_set(since_boot, i64(real.tv_sec) * i64(kSecond) + real.tv_nsec, read_at, "CLOCK_REALTIME");
}
}  // namespace

HostedMachine::HostedMachine() : m_start(monotonic_ns()) {}

HostedMachine::~HostedMachine() {
    if (m_epoll >= 0) close(m_epoll);
    free(m_initramfs);
}

Result<void> HostedMachine::load_initramfs(const char* path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error::NotFound;
    struct stat info {};
    // The archive is decoded in place by the kernel; a bound keeps a wrong
    // file from eating the host.
    constexpr off_t kMaxInitramfs = off_t(256) << 20;
    if (fstat(fd, &info) != 0 || info.st_size <= 0 || info.st_size > kMaxInitramfs) {
        close(fd);
        return Error::InvalidArgument;
    }
    auto* bytes = static_cast<u8*>(malloc(usize(info.st_size)));
    usize done = 0;
    while (bytes && done < usize(info.st_size)) {
        ssize_t got = read(fd, bytes + done, usize(info.st_size) - done);
        if (got <= 0) break;
        done += usize(got);
    }
    close(fd);
    if (!bytes || done != usize(info.st_size)) {
        free(bytes);
        return Error::Io;
    }
    m_initramfs = bytes;
    m_initramfs_size = done;
    return {};
}

Result<void> HostedMachine::init(const Options& options) {
    m_command_line = options.command_line;
    m_disk_path = options.disk_path;
    m_disk_create_size = options.disk_create_size;
    m_tap_interface = options.tap_interface;
    m_tap_faults = options.tap_faults;
    if (options.initrd_path) TRY(load_initramfs(options.initrd_path));
    TRY(m_memory.init(options.memory_size));
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0) return Error::Io;
    m_console.init(terminal_enter_raw());
    m_stdin_watched = TRY(watch(0, kConsoleIrq));
    init_wall_clock();
    return {};
}

Result<bool> HostedMachine::watch(int fd, u32 irq) {
    epoll_event ev {};
    ev.events = EPOLLIN;
    ev.data.u32 = irq;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) != 0) {
        // A regular file or /dev/null on stdin cannot be watched; it is
        // always readable, so treat it as permanently ready.
        if (errno == EPERM) return false;
        return Error::Io;
    }
    return true;
}

Nanoseconds HostedMachine::now() { return monotonic_ns() - m_start; }

void HostedMachine::wait(Loop& loop, Nanoseconds deadline) {
    timespec timeout;
    timespec* timeout_ptr = nullptr;
    if (deadline != kNoDeadline) {
        Nanoseconds t = now();
        Nanoseconds delta = deadline > t ? deadline - t : 0;
        timeout.tv_sec = time_t(delta / kSecond);
        timeout.tv_nsec = long(delta % kSecond);
        timeout_ptr = &timeout;
    }
    epoll_event events[8];
    int n = epoll_pwait2(m_epoll, events, 8, timeout_ptr, nullptr);
    for (int i = 0; i < n; ++i) {
        // A user program's socket carries its slot + 1 in the upper half.
        u64 tag = events[i].data.u64;
        if (tag >> 32) m_user.mark_ready(u32(tag >> 32) - 1);
        loop.post_irq(u32(tag));
    }
}

void HostedMachine::attach_devices(Kernel& kernel) {
    Loop& loop = kernel.loop();
    m_loop = &loop;
    loop.set_irq_handler(
        kConsoleIrq,
        [](void* ctx, u32) {
            auto* self = static_cast<HostedMachine*>(ctx);
            // At end of input, and while the console stream is full, stop
            // watching stdin, or epoll would report it readable forever.
            auto readable = self->m_console.on_readable();
            if (readable != TerminalConsole::Readable::More) {
                if (self->m_stdin_watched) epoll_ctl(self->m_epoll, EPOLL_CTL_DEL, 0, nullptr);
            } else if (!self->m_stdin_watched) {
                self->m_loop->post_irq(kConsoleIrq);
            }
        },
        this);
    // A program read from a full console stream: watch stdin again (epoll
    // is level-triggered, so bytes already waiting are reported at once),
    // or, for stdin that epoll cannot watch, read it on the next turn.
    m_console.set_resume(
        [](void* ctx) {
            auto* self = static_cast<HostedMachine*>(ctx);
            if (self->m_stdin_watched) {
                epoll_event ev {};
                ev.events = EPOLLIN;
                ev.data.u32 = kConsoleIrq;
                epoll_ctl(self->m_epoll, EPOLL_CTL_ADD, 0, &ev);
            } else {
                self->m_loop->post_irq(kConsoleIrq);
            }
        },
        this);
    m_user.connect(m_epoll, loop, kUserIrq);
    loop.set_irq_handler(
        kUserIrq, [](void* ctx, u32) { static_cast<HostedUserPlatform*>(ctx)->on_irq(); }, &m_user);
    // stdin that epoll cannot watch (a file, /dev/null) is always readable:
    // read it now, and again after each read until its end.
    if (!m_stdin_watched) loop.post_irq(kConsoleIrq);

    if (auto r = seed_from_host_entropy(); r.is_error())
        log_error("random", "cannot read host entropy: {}; `random` will refuse until seeded", r.error());

    if (m_disk_path) {
        if (auto r = m_disk.open(m_disk_path, m_disk_create_size, loop); r.is_error()) {
            log_error("blk", "{}: not attached: {}", m_disk_path, r.error());
        } else if (watch(m_disk.event_fd(), kDiskIrq).is_error() || kernel.blocks().add(m_disk).is_error()) {
            log_error("blk", "{}: not attached", m_disk_path);
        } else {
            loop.set_irq_handler(
                kDiskIrq, [](void* ctx, u32) { static_cast<FileBlockDevice*>(ctx)->on_completion_event(); },
                &m_disk);
        }
    }

    if (m_tap_interface) {
        if (auto r = m_tap.open(m_tap_interface, m_tap_faults, loop); r.is_error()) {
            log_error("tap", "{}: no network: {}", m_tap_interface, r.error());
        } else if (watch(m_tap.fd(), kNetIrq).is_error() || kernel.net().attach(m_tap).is_error()) {
            log_error("tap", "{}: not attached", m_tap_interface);
        } else {
            loop.set_irq_handler(
                kNetIrq, [](void* ctx, u32) { static_cast<TapNetDevice*>(ctx)->on_readable(); }, &m_tap);
            log_info("tap", "{} on TAP interface {}", m_tap.name(), m_tap.interface());
        }
    }
}

}  // namespace mote
