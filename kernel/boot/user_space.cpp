#include "boot/user_space.hpp"

#include "core/log.hpp"
#include "core/wall_clock.hpp"
#include "crypto/csprng.hpp"
#include "base/checked.hpp"
#include "exec/elf_symbols.hpp"
#include "exec/signing_key.hpp"
#include "fs/walk.hpp"

namespace mote {

UserSpace::UserSpace(Loop& loop, PageAllocator& pages, UserPlatform& platform, Console& console)
    : m_pages(pages),
      m_processes(loop, pages, platform),
      m_syscalls(m_processes),
      m_trust(pages, [] {
          Ed25519PublicKey key;
          mem_copy(key.bytes, kSigningPublicKey, sizeof(key.bytes));
          return key;
      }(), kSigningKeyIsTest),
      m_loader(m_processes, m_trust),
      m_files(pages),
      m_channels(pages),
      m_console(console, m_processes) {
    m_syscalls.set_loader(&m_loader);
    m_syscalls.set_files(&m_files);
    m_syscalls.set_channels(&m_channels);
    platform.attach(m_processes, m_syscalls);
    m_processes.set_symbolizer(
        [](Process& process, Span<const u64> pcs, Span<UserFrameName> names, void*) {
            // Programs are loaded from filesystem nodes (exec/program_loader).
            auto* file = static_cast<fs::FsNode*>(process.program());
            if (!file) return;
            // A crash report cannot wait for a disk.
            if (file->may_wait()) return;
            auto reader = [](void* context, u64 offset, Span<u8> bytes) -> Result<usize> {
                return static_cast<fs::FsNode*>(context)->read(offset, fs::IoBuffer::kernel(bytes)).finish_now();
            };
            // A return address is just after its call, which may be a
            // function's last instruction: look up the byte before it.
            u64 lookups[UserBacktrace::kMaxFrames];
            ElfSymbol symbols[UserBacktrace::kMaxFrames];
            const usize count = min(pcs.size(), UserBacktrace::kMaxFrames);
            for (usize i = 0; i < count; ++i) lookups[i] = i == 0 || pcs[i] == 0 ? pcs[i] : pcs[i] - 1;
            ElfSymbolFault fault = ElfSymbolFault::None;
            auto found = find_elf_symbols(reader, file, file->stat().size, Span<const u64>(lookups, count),
                                          Span<ElfSymbol>(symbols, count), &fault);
            if (found.is_error()) {
                if (fault != ElfSymbolFault::NoSections && fault != ElfSymbolFault::NoSymbolTable)
                    log_warn("proc", "pid {} ({}): its symbol table is unusable: {}", process.pid(), process.name(),
                             elf_symbol_fault_name(fault));
                return;
            }
            for (usize i = 0; i < count; ++i) {
                if (!symbols[i].found) continue;
                char name[ElfSymbol::kMaxName + 1];
                demangle_name(symbols[i].name, Span<char>(name, sizeof(name)));
                FormatBuffer out(Span<char>(names[i].text, sizeof(names[i].text)));
                format_append(out, "{}+{:#x}", StringView(name), symbols[i].offset + (lookups[i] != pcs[i] ? 1 : 0));
            }
        },
        nullptr);
    m_processes.set_exit_observer(
        [](Process& process, void* context) {
            auto* self = static_cast<UserSpace*>(context);
            if (&process != self->m_init || !self->m_init_exit) return;
            self->m_init_exit(process.exit_info(), self->m_init_exit_context);
        },
        this);
}

UserSpace::~UserSpace() {
    m_processes.set_exit_observer(nullptr, nullptr);
    m_processes.end_all();
    if (m_init) m_init->release();
    if (m_root) m_root->release();
    for (OpenNode* cap : m_caps)
        if (cap) cap->release();
    for (fs::NodeRef& dir : m_boot_dirs) dir.reset();
    // Every socket closed with its process; connections still finishing
    // their handshakes are abandoned with the table.
#if MOTE_HAVE_DRIVERS
    if (m_sockets) {
        // A closed UDP socket goes back once its cancelled requests have
        // completed, which they do on the loop.
        Loop& loop = m_processes.loop();
        for (int i = 0; i < 4 && loop.has_ready_work(); ++i) loop.turn(false);
        m_syscalls.set_sockets(nullptr);
        m_sockets->~SocketTable();
    }
#endif
    // Nothing refers to tmp/ now: the processes and their handles are gone.
    if (m_tmp) m_tmp->~RamFs();
    if (m_slot_pages) m_pages.free_pages(m_slots, m_slot_pages);
}

#if MOTE_HAVE_DRIVERS
void UserSpace::attach_network(NetStack& net) {
    if (m_sockets) return;
    m_sockets = new (m_sockets_storage) SocketTable(net, m_pages);
    m_syscalls.set_sockets(m_sockets);
}
#endif

Result<void> UserSpace::mount(ReadonlyBytes image) {
    fs::CpioArchive archive = TRY(fs::CpioArchive::decode(image));
    usize slots = fs::Initramfs::slots_needed(archive);
    usize bytes = TRY(checked_mul(slots, sizeof(fs::InitramfsSlot)));
    usize pages = (bytes + kPageSize - 1) / kPageSize;
    if (pages > (usize(1) << kMaxPageOrder)) return Error::Overflow;
    m_slots = TRY(m_pages.allocate_pages(pages));
    m_slot_pages = pages;
    auto* storage = static_cast<fs::InitramfsSlot*>(m_pages.to_virtual(m_slots));
    auto built = fs::Initramfs::build(archive, Span<fs::InitramfsSlot>(storage, slots));
    if (built.is_error()) return built.error();
    m_initramfs = new (m_initramfs_storage) fs::Initramfs(built.release_value());
    m_initramfs->adopt_nodes();
    log_info("user", "initramfs: {} bytes, {} nodes", image.size(), m_initramfs->node_count());
    // A manifest that does not verify refuses every program (init too, so
    // the machine powers off saying why), with the reason in the log.
    (void)m_trust.load(m_initramfs->root());
    return {};
}

Result<void> UserSpace::start(ReadonlyBytes initramfs, StringView init_spec, Span<const Mount> mounts,
                             fs::FsNode* disk_root) {
    TRY(mount(initramfs));
    // Handle values' secrets: from the CSPRNG if it is seeded already (the
    // clock mixes in either way).
    if (auto entropy = kernel_csprng().next_u64(); entropy.ok()) m_processes.seed_secrets(entropy.value());
    m_mount_root = new (m_root_storage) fs::MountRoot(disk_root ? *disk_root : m_initramfs->root());
    if (disk_root) {
        const StringView names[] = {"bin", "etc", "www"};
        for (StringView name : names) {
            auto dir = m_initramfs->root().lookup(name).finish_now();
            if (dir.is_error()) continue;  // an initramfs without it
            m_boot_dirs[m_boot_dir_count] = dir.release_value();
            TRY(m_mount_root->mount(name, *m_boot_dirs[m_boot_dir_count++]));
        }
    }
    for (const Mount& mount : mounts) TRY(m_mount_root->mount(mount.name, *mount.node));
    u64 tmp_bytes = min(kTmpMaxBytes, m_pages.total_pages() * kPageSize / 4);
    // Node times from the wall clock (0, "not kept", if the machine has no RTC).
    const fs::FsClock clock {[](void*) -> i64 { return wall_clock_known() ? wall_clock_ns() : 0; }, nullptr};
    m_syscalls.set_clock(clock);
    m_tmp = new (m_tmp_storage) fs::RamFs(m_pages, {.bytes = tmp_bytes, .nodes = kTmpMaxNodes}, clock);
    TRY(m_mount_root->mount("tmp", m_tmp->root()));
    log_info("user", "tmp: ramfs of {} KiB, {} nodes", tmp_bytes / 1024, kTmpMaxNodes);
    m_root = TRY(m_files.open(*m_mount_root, abi::kOpenRead | abi::kOpenDirectory));
    m_root->retain();

    // init_spec: PATH[,ARG...]; argv[0] is the path's last component.
    usize comma = 0;
    while (comma < init_spec.length() && init_spec[comma] != ',') ++comma;
    StringView path = init_spec.substr(0, comma);
    u8 argv[256];
    usize length = 0;
    u32 argc = 0;
    auto add = [&](StringView word) -> Result<void> {
        if (length + word.length() + 1 > sizeof(argv)) return Error::Overflow;
        for (char c : word) argv[length++] = u8(c);
        argv[length++] = 0;
        ++argc;
        return {};
    };
    usize slash = path.length();
    while (slash > 0 && path[slash - 1] != '/') --slash;
    TRY(add(path.substr(slash)));
    for (usize i = comma + 1; i <= init_spec.length() && comma < init_spec.length(); ++i) {
        if (i == init_spec.length() || init_spec[i] == ',') {
            TRY(add(init_spec.substr(comma + 1, i - comma - 1)));
            comma = i;
        }
    }

    // Boot walks the initramfs and /sys, which answer from memory.
    fs::NodeRef node = TRY(fs::walk(m_initramfs->root(), path, nullptr, fs::WalkMode::MemoryOnly).finish_now());
    auto image = m_syscalls.program_image(*node);
    if (image.is_error()) {
        log_warn("user", "{}: cannot read the program ({})", path, abi_error_name(image.error()));
        return Error::NotFound;
    }
    // The privileged capabilities, opened here with the kernel's authority.
    // Each from its mount point (sys/, dev/: memory), not from the root,
    // whose base may be a disk.
    struct CapSpec {
        const char* mount;
        const char* path;  // under the mount point; nullptr: the mount itself
        u64 flags;
        u32 rights;
    };
    constexpr u32 kPass = abi::kRightDuplicate | abi::kRightTransfer | abi::kRightWait;
    const CapSpec caps[4] = {
        {"sys", "power", abi::kOpenWrite, abi::kRightWrite | kPass},
        {"sys", "log", abi::kOpenRead, abi::kRightRead | kPass},
        {"sys", "audit", abi::kOpenRead, abi::kRightRead | kPass},
        {"dev", nullptr, abi::kOpenRead | abi::kOpenDirectory, abi::kRightsAll},
    };
    HandleRef handles[abi::kStartHandleCount] = {
        {&m_console, kStreamRights}, {&m_console, kStreamRights}, {&m_console, kStreamRights},
        {m_root, abi::kRightsAll},   {m_root, abi::kRightsAll},
    };
    for (u32 i = 0; i < 4; ++i) {
        fs::FsNode* top = m_mount_root->mounted(caps[i].mount);
        if (!top) continue;
        fs::NodeRef cap_node(*top);
        if (caps[i].path) {
            auto found = fs::walk(*top, caps[i].path, nullptr, fs::WalkMode::MemoryOnly).finish_now();
            if (found.is_error()) {
                log_warn("user", "{}/{}: {}; init starts without that capability", caps[i].mount, caps[i].path,
                         found.error());
                continue;
            }
            cap_node = found.release_value();
        }
        auto opened = m_files.open(*cap_node, caps[i].flags);
        if (opened.is_error()) {
            log_warn("user", "{}/{}: {}; init starts without that capability", caps[i].mount,
                     caps[i].path ? caps[i].path : "", opened.error());
            continue;
        }
        m_caps[i] = opened.value();
        m_caps[i]->retain();
        handles[abi::kPowerCap + i] = {m_caps[i], caps[i].rights};
    }
#if MOTE_HAVE_DRIVERS
    if (m_sockets) handles[abi::kNetCap] = {&m_sockets->capability(), abi::kRightWrite | kPass};
#endif
    handles[abi::kSpawnCap] = {&m_processes.spawn_capability(), kPass};
    SpawnPlan plan;
    plan.name = path.substr(slash);
    plan.image = image.release_value();
    plan.argv = ReadonlyBytes(argv, length);
    plan.argc = argc;
    plan.handles = Span<const HandleRef>(handles, abi::kStartHandleCount);
    plan.program = node.get();
    auto spawned = m_loader.spawn(plan);
    m_syscalls.release_program_image();
    m_init = TRY(spawned);
    m_init->retain();  // the kernel watches init's exit
    log_info("user", "init: {} (pid {})", init_spec, m_init->pid());
    return {};
}


}  // namespace mote
