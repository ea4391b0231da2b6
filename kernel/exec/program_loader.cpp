#include "exec/program_loader.hpp"

#include "base/memory.hpp"

namespace mote {

namespace {
// StartInfo + argv pointers + argv (<= 4 KiB) fit in two pages; the rest
// of the stack comes on first touch.
constexpr u64 kStackPopulated = 2 * kPageSize;

// argv must be exactly `argc` NUL-terminated strings.
bool argv_well_formed(ReadonlyBytes argv, u32 argc) {
    u32 strings = 0;
    for (usize i = 0; i < argv.size(); ++i)
        if (argv[i] == 0) ++strings;
    return strings == argc && (argv.size() == 0 || argv[argv.size() - 1] == 0);
}
}  // namespace

Result<Process*> ProgramLoader::spawn(const SpawnPlan& plan) {
    // Only what the gate vouches for (the signed manifest), before a byte
    // of it is decoded.
    TRY(m_gate.admit(plan.program, plan.image, plan.name));
    // Decode everything first.
    if (plan.handles.size() > abi::kMaxSpawnHandles) return Error::InvalidArgument;
    if (plan.argv.size() > abi::kMaxArgvBytes || !argv_well_formed(plan.argv, plan.argc)) return Error::InvalidArgument;
    ElfImage image;
    TRY(decode_elf(plan.image, kBuildElfRules, image));

    // Then perform; from here a failure discards the new process.
    // Passed the spawn capability, it may spawn without limits; otherwise it
    // is charged to a limited tree (proc/spawn_capability.hpp).
    bool unlimited = false;
    for (const HandleRef& handle : plan.handles)
        if (handle.object == &m_processes.spawn_capability()) unlimited = true;
    Process* process = TRY(m_processes.create(plan.name, plan.parent, unlimited));
    process->thread().set_band(plan.band);
    process->set_program(plan.program);
    abi::Handle values[abi::kMaxSpawnHandles] {};
    auto built = [&]() -> Result<u64> {
        TRY(load_segments(*process, image, plan.image));
        for (usize i = 0; i < plan.handles.size(); ++i) {
            const HandleRef& handle = plan.handles[i];
            if (handle.object) values[i] = TRY(process->handles().install(*handle.object, handle.rights));
        }
        return build_stack(*process, plan, Span<const abi::Handle>(values, plan.handles.size()));
    }();
    if (built.is_error()) {
        m_processes.discard(*process);
        return built.error();
    }
    u64 sp = built.value();
    // StartInfo sits right at the initial sp (see build_stack).
    m_processes.start(*process, image.entry, sp, sp);
    return process;
}

Result<void> ProgramLoader::load_segments(Process& process, const ElfImage& image, ReadonlyBytes file) {
    AddressSpace& space = process.space();
    for (const ElfSegment& segment : image.segments()) {
        u32 access = segment.permissions;
        TRY(space.add_region(segment.map_start, segment.map_end - segment.map_start, access, RegionKind::Program));
        // The pages are zeroed; only the file's part needs copying.
        if (segment.filesz) TRY(space.fill(segment.vaddr, file.slice(segment.file_offset, segment.filesz)));
    }
    return {};
}

Result<u64> ProgramLoader::build_stack(Process& process, const SpawnPlan& plan, Span<const abi::Handle> handles) {
    AddressSpace& space = process.space();
    u64 bottom = abi::kStackTop - abi::kStackSize;
    // The top pages hold the StartInfo and argv; the rest come on first
    // touch (most programs use a few KiB of the stack).
    TRY(space.add_lazy_region(bottom, abi::kStackSize, kStackPopulated, kUserRead | kUserWrite, RegionKind::Stack));
    // From the top down: the argv strings, the argv pointer array (with a
    // null at the end), the StartInfo; sp is the StartInfo's address,
    // 16-byte aligned, which is also the entry point's argument.
    u64 strings = align_down(abi::kStackTop - plan.argv.size(), u64(16));
    TRY(space.fill(strings, plan.argv));
    u64 pointers = align_down(strings - (u64(plan.argc) + 1) * 8, u64(16));
    u64 cursor = strings;
    for (u32 i = 0; i <= plan.argc; ++i) {
        u64 value = i < plan.argc ? cursor : 0;
        TRY(space.fill(pointers + u64(i) * 8, ReadonlyBytes(reinterpret_cast<const u8*>(&value), 8)));
        if (i < plan.argc) {
            while (plan.argv[cursor - strings] != 0) ++cursor;
            ++cursor;
        }
    }
    abi::StartInfo info {};
    info.argc = plan.argc;
    info.argv = pointers;
    info.handle_count = handles.size();
    for (usize i = 0; i < handles.size(); ++i) info.handles[i] = handles[i];
    u64 start_info = align_down(pointers - sizeof(info), u64(16));
    TRY(space.fill(start_info, ReadonlyBytes(reinterpret_cast<const u8*>(&info), sizeof(info))));
    return start_info;
}

}  // namespace mote
