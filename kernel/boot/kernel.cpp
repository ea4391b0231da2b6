#include "boot/kernel.hpp"

#include "base/parse_number.hpp"

#include "base/version.hpp"
#include "core/cpu.hpp"
#include "core/log.hpp"
#include "core/previous_boot.hpp"
#include "core/wall_clock.hpp"

namespace mote {

namespace {
// The log needs a clock before anything else exists; there is one kernel.
// The gdb helper finds the loop through it (tools/gdb/motegdb/kernel_data.py).
Loop* g_clock_loop = nullptr;
Nanoseconds log_clock() { return g_clock_loop ? g_clock_loop->now() : 0; }
}  // namespace

Kernel::Kernel(Machine& machine)
    : m_machine(machine),
      m_loop(machine)
#if MOTE_HAVE_DRIVERS
      ,
      m_net(m_loop)
#endif
{
}

void Kernel::log_previous_boot() {
    const PreviousBoot& previous = previous_boot();
    if (previous.found == PreviousBoot::Found::NoPlace) return;
    char storage[240];
    FormatBuffer line(Span<char>(storage, sizeof(storage)));
    format_previous_boot(line, previous);
    bool crashed = previous.found == PreviousBoot::Found::Record && previous.record.record_state() != EpitaphState::Clean;
    if (crashed) log_warn("boot", "{}", line.view());
    else log_info("boot", "{}", line.view());
}

void Kernel::apply_boot_args() {
    StringView level_text;
    if (boot_args().get("mote.log", level_text)) {
        LogLevel level;
        if (parse_log_level(level_text, level)) klog().set_console_level(level);
        else log_warn("boot", "mote.log={}: unknown level (use error, warn, info, debug or trace)", level_text);
    }
}

PowerAction Kernel::run() {
    g_clock_loop = &m_loop;
    klog().set_clock(log_clock);
    // Log lines go straight to the console: the kernel has no prompt of its
    // own to keep tidy, and sh redraws its line itself.
    klog().set_console(
        [](StringView line, void* ctx) {
            auto* console = static_cast<Console*>(ctx);
            console->write(line);
            console->write("\n");
        },
        &m_machine.console());
    apply_boot_args();

    log_info("boot", "Mote {} ({}) on {}", kVersion, kRevision, m_machine.name());
    if (!m_machine.command_line().empty()) log_info("boot", "command line: {}", m_machine.command_line());
    wall_clock_log();
    log_previous_boot();
    BootTimeline& timeline = m_machine.boot_timeline();
    timeline.mark("kernel", m_loop.now());
    if (PageAllocator* pages = m_machine.pages()) {
        m_frames = new (m_frames_storage) FrameCache(*pages);
        this_cpu().frames = m_frames;
    }
    m_machine.attach_devices(*this);
    timeline.mark("devices", m_loop.now());
    start_network();
    timeline.mark("network", m_loop.now());

    if (start_user_space()) timeline.mark("init", m_loop.now());
    else no_init();
#if MOTE_HAVE_DRIVERS
    if (!m_mount_pending) start_epitaph_dump();
#endif
    m_loop.run();
#if MOTE_HAVE_DRIVERS
    // Let the network services' cancelled requests complete before exit.
    m_net.stop();
#endif
    for (int i = 0; i < 4 && m_loop.has_ready_work(); ++i) m_loop.turn(false);

    m_machine.console().set_input(nullptr);
    stop_user_space();
    end_epitaph();
    log_info("boot", "{}", m_power == PowerAction::Reboot ? "rebooting" : "powering off");
    klog().set_console(nullptr, nullptr);
    // A task still suspended (a disk that never answered) keeps its frame:
    // then the cache is left as it is, the machine is going down anyway.
    if (m_frames && m_frames->stats().in_use == 0) {
        this_cpu().frames = nullptr;
        m_frames->~FrameCache();
        m_frames = nullptr;
    }
    g_clock_loop = nullptr;
    return m_power;
}

bool Kernel::start_user_space() {
    UserPlatform* platform = m_machine.user_platform();
    PageAllocator* pages = m_machine.pages();
    if (!platform || !pages) {
        log_error("user", "this machine cannot run programs (no user mode or no page allocator)");
        return false;
    }
    if (m_machine.initramfs().empty()) {
        log_error("user", "no initramfs: nothing to run (QEMU's -initrd gives one; ./mote run passes the build's)");
        return false;
    }
    m_user = new (m_user_storage) UserSpace(m_loop, *pages, *platform, m_machine.console());
#if MOTE_HAVE_DRIVERS
    m_user->attach_network(m_net);
#endif
    // From here typed bytes go to the programs' console stream.
    m_machine.console().set_input(&m_user->console());
    // The boot is over when a program first asks the console for input
    // (the shell at its prompt): the timeline's last step, so `uptime` and
    // the boot benchmark see the whole way to the prompt from inside.
    m_user->console().on_first_input_wanted(
        [](void* context) {
            auto* kernel = static_cast<Kernel*>(context);
            kernel->m_machine.boot_timeline().mark("prompt", kernel->m_loop.now());
        },
        this);
    m_user->on_init_exit(
        [](const abi::ExitInfo& exit, void* context) {
            auto* kernel = static_cast<Kernel*>(context);
            log_info("user", "init ended: reason {} status {}; powering off", exit.reason, exit.status);
            kernel->request_power(PowerAction::PowerOff);
        },
        this);
    m_sys = new (m_sys_storage) SysTree(*this, *m_user);
#if MOTE_HAVE_DRIVERS
    m_dev = new (m_dev_storage) DevTree(m_blocks, *pages);
#else
    m_dev = new (m_dev_storage) DevTree();
#endif
#if MOTE_HAVE_DRIVERS
    // The boot disk is mounted before init starts, so /mnt is there for
    // the first program.
    // mote.root=NAME (a disk, not "initramfs") mounts that disk and makes
    // it the programs' root; mote.disk=NAME mounts it at /mnt.
    StringView disk_name = "vda";
    StringView root_name = "initramfs";
    (void)boot_args().get("mote.root", root_name);
    if (root_name != "initramfs") disk_name = root_name;
    else (void)boot_args().get("mote.disk", disk_name);
    BlockDevice* disk = nullptr;
    if (disk_name != "none") {
        auto found = m_blocks.find(disk_name);
        if (!found.is_error()) disk = found.value();
        else if (disk_name != "vda") log_warn("disk", "mote.disk={}: no such block device", disk_name);
    }
    if (disk) {
        fs::ext2::MountOptions options;
        StringView ro;
        if (boot_args().get("mote.disk_ro", ro)) options.read_only = ro == "1" || ro == "yes";
        StringView bcache;
        if (boot_args().get("mote.bcache", bcache)) {
            auto buffers = parse_u64(bcache);
            if (!buffers.is_error() && buffers.value() >= 32 && buffers.value() <= 65536)
                options.cache_buffers = usize(buffers.value());
            else
                log_warn("disk", "mote.bcache={}: want 32..65536 buffers", bcache);
        }
        m_disk = new (m_disk_storage) DiskMount(m_loop, *pages);
        m_sys->root().add(m_disk->sys_file());
        m_mount_pending = true;
        m_disk->start(*disk, options,
                      [](DiskMount&, Result<void>, void* context) {
                          auto* kernel = static_cast<Kernel*>(context);
                          kernel->m_mount_pending = false;
                          kernel->start_epitaph_dump();
                          if (!kernel->launch_init()) kernel->no_init();
                      },
                      this);
        return true;  // init starts when the mount is done
    }
#endif
    return launch_init();
}

bool Kernel::launch_init() {
    StringView init = "bin/init";
    (void)boot_args().get("mote.init", init);
    UserSpace::Mount mounts[3] = {{"sys", &m_sys->root()}, {"dev", &m_dev->root()}, {}};
    usize count = 2;
    fs::FsNode* root = nullptr;
#if MOTE_HAVE_DRIVERS
    StringView root_name = "initramfs";
    (void)boot_args().get("mote.root", root_name);
    if (root_name != "initramfs") {
        if (m_disk && m_disk->mounted()) {
            root = m_disk->root();
            m_disk->set_mount_point("/");
            log_info("user", "root: {} ({}); bin/, etc/ and www/ from the initramfs", root_name, "ext2");
        } else {
            log_warn("user", "mote.root={}: not mounted; the root is the initramfs", root_name);
        }
    } else if (m_disk && m_disk->mounted()) {
        mounts[count++] = {"mnt", m_disk->root()};
    }
#endif
    auto started = m_user->start(m_machine.initramfs(), init, Span<const UserSpace::Mount>(mounts, count), root);
    if (started.ok()) {
        m_init_started = true;
        return true;
    }
    log_error("user", "cannot start {}: {}", init, started.error());
    return false;
}

void Kernel::stop_user_space() {
    if (!m_user) return;
    m_user->~UserSpace();  // ends every process first: nothing holds a node after this
    m_user = nullptr;
#if MOTE_HAVE_DRIVERS
    if (m_disk) {
        m_disk->unmount_now();
        m_disk->~DiskMount();
        m_disk = nullptr;
    }
#endif
    m_dev->~DevTree();
    m_dev = nullptr;
    m_sys->~SysTree();
    m_sys = nullptr;
}

void Kernel::no_init() {
    m_machine.console().set_input(nullptr);
    stop_user_space();
    // A self-test (mote.test=, mote.virtio_test=) needs no programs and
    // powers off by itself when it is done.
    if (m_self_test) return;
    log_error("boot", "no init: the kernel has no interface of its own; powering off");
    request_power(PowerAction::PowerOff);
}

void Kernel::start_network() {
#if MOTE_HAVE_DRIVERS
    NetBootOptions net;
    BootArgs args = boot_args();
    (void)args.get("mote.ip", net.ip);
    (void)args.get("mote.gw", net.gw);
    m_net.start(net);
#endif
}

void Kernel::start_epitaph_dump() {
#if MOTE_HAVE_DRIVERS
    if (m_dump_tried) return;
    m_dump_tried = true;
    StringView text;
    if (!boot_args().get("mote.dump", text)) return;
    EpitaphRecord* live = m_machine.live_epitaph();
    if (!live) {
        log_warn("epitaph", "mote.dump={}: this machine keeps no epitaph; ignored", text);
        return;
    }
    auto place = parse_dump_place(text);
    if (place.is_error()) {
        log_warn("epitaph", "mote.dump={}: Malformed (write DISK:SECTOR, as in vda:2048)", text);
        return;
    }
    auto device = m_blocks.find(place.value().disk);
    if (device.is_error()) {
        log_warn("epitaph", "mote.dump={}: no block device {}", text, place.value().disk);
        return;
    }
    // A filesystem mounted from the same disk owns its sectors: the area
    // must lie past them.
    u64 avoid = 0;
    if (m_disk && m_disk->mounted() && m_disk->device() == device.value()) {
        const auto& g = m_disk->filesystem()->geometry();
        avoid = u64(g.blocks_count) * (g.block_size / 512);
    }
    m_dump = new (m_dump_storage) EpitaphDump();
    m_dump->start(*device.value(), place.value().sector, avoid, *live, previous_boot());
    m_machine.set_epitaph_copy(EpitaphDump::write_on_crash, m_dump);
#endif
}

void Kernel::end_epitaph() {
    EpitaphRecord* live = m_machine.live_epitaph();
    if (!live) return;
    live->begin(EpitaphState::Clean, live->boot);
    live->seal();
#if MOTE_HAVE_DRIVERS
    if (m_dump && m_dump->armed()) {
        if (auto written = m_dump->write_now(*live); written.is_error())
            log_warn("epitaph", "{}: the clean record was not written: {}", m_dump->place(), written.error());
    }
#endif
}

void Kernel::request_power(PowerAction action) {
    m_power = action;
    // Finish the current turn without sleeping, so run() sees the request.
    m_loop.stop();
}

}  // namespace mote
