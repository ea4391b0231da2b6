// ProgramLoader: spawn's "perform" half. Given a program's bytes (already
// in memory: the initramfs keeps files in place), it decodes the ELF (every
// check before anything is mapped), creates the process, maps each segment
// with exactly its permissions and fills it from the file, builds the stack
// with the StartInfo and argv the program starts with, installs the handles
// the parent passes, and makes the thread runnable. Any failure undoes
// everything: the half-built process is discarded and its pages returned.
#pragma once

#include "exec/elf_image.hpp"
#include "exec/program_gate.hpp"
#include "fs/fs_node.hpp"
#include "proc/process_table.hpp"

namespace mote {

struct SpawnPlan {
    StringView name;             // for ps and fault reports
    ReadonlyBytes image;         // the whole ELF file
    ReadonlyBytes argv;          // argc NUL-terminated strings, back to back
    u32 argc = 0;
    Span<const HandleRef> handles;  // in order, with their rights; a null object leaves a hole (kNoHandle)
    Process* parent = nullptr;
    Band band = Band::Interactive;
    fs::FsNode* program = nullptr;  // the file, for symbols in fault reports
};

class ProgramLoader {
public:
    // Every program must pass `gate` before anything of it is decoded (the
    // kernel's is the signed manifest, exec/program_trust.hpp).
    ProgramLoader(ProcessTable& processes, ProgramGate& gate) : m_processes(processes), m_gate(gate) {}

    // The new, runnable process. Untrusted when the gate refuses it (for
    // the kernel's: not what the signed manifest lists; logged and counted),
    // Malformed for a bad ELF (the fault is logged and counted by
    // decode_elf), InvalidArgument for argv that does not hold `argc`
    // strings, NoMemory, Overflow (process table full), Busy (the
    // parent's limited tree is full: proc/spawn_capability.hpp).
    Result<Process*> spawn(const SpawnPlan& plan);

private:
    Result<void> load_segments(Process& process, const ElfImage& image, ReadonlyBytes file);
    Result<u64> build_stack(Process& process, const SpawnPlan& plan, Span<const abi::Handle> handles);

    ProcessTable& m_processes;
    ProgramGate& m_gate;
};

}  // namespace mote
