// fsck's checker: checks an ext2/ext3 filesystem on a Disk in passes like
// e2fsck's and, in fix mode, repairs what it can, printing one line per
// problem ("fsck: inode 12: link count 2 -> 1 (fixed)") and a summary
// ("fsck: 17 inodes, 1228 blocks used of 16384; 3 problems, 3 fixed").
//
//   pass 0  superblock and descriptors (through kernel/fs/ext2), the
//           journal's needs_recovery flag (refused: the kernel replays the
//           journal at mount), the orphan list (deletes or truncates each
//           inode on it, as a mount would have)
//   pass 1  every inode: mode, flags, block pointers in range, blocks
//           claimed twice (1b: cloned), i_blocks, i_size, dtime
//   pass 2  every directory block decodes (else salvaged), "." and "..",
//           entries name in-use inodes, file types match, one entry per
//           directory
//   pass 3  every directory reachable from the root, no loops; the lost
//           ones go to /lost+found (if it exists); ".." names the parent
//   pass 4  link counts; unattached inodes go to /lost+found
//   pass 5  block and inode bitmaps, group and superblock counts
//
// Memory: bitmaps of 4 bits per block and 4 bits per inode, two u16 per
// inode, 12 bytes per directory and a few blocks of buffers, from the
// caller's Allocator; Options::memory_limit bounds it (256 MiB at 1 KiB
// blocks with 64 Ki inodes needs about 0.5 MiB). The check is one read of
// every inode table and every indirect and directory block.
//
// No std: this builds into the freestanding user program and the host tests.
#pragma once

#include "disk.hpp"
#include "problem.hpp"

namespace mote::fsck {

inline constexpr int kExitClean = 0;          // nothing wrong
inline constexpr int kExitFixed = 1;          // problems found, all fixed
inline constexpr int kExitUsage = 2;          // bad command line (the program's)
inline constexpr int kExitProblems = 4;       // problems left (-n, or not fixable)
inline constexpr int kExitFailed = 8;         // could not check: I/O, unreadable superblock, memory
inline constexpr int kExitNeedsRecovery = 12; // the journal must be replayed first

struct Options {
    bool fix = false;       // -y: repair; else -n: never write
    u32 now = 0;            // seconds since 1970 for deletion times; 0: the superblock's last write time
    usize memory_limit = 0; // bytes the checker may allocate; 0: no limit
};

enum class Outcome : u8 {
    Clean,          // no problem
    Fixed,          // problems, every one fixed
    ProblemsLeft,   // problems not (all) fixed
    NeedsRecovery,  // refused: the journal needs replaying
    Failed,         // could not check (see Summary::error)
};

struct Summary {
    Outcome outcome = Outcome::Failed;
    Error error = Error::Io;  // for Failed
    u32 problems = 0;
    u32 fixed = 0;
    u32 by_problem[kProblemCount] = {};
    u32 inodes_used = 0;
    u32 inodes_count = 0;
    u32 blocks_used = 0;
    u32 blocks_count = 0;
    usize memory_bytes = 0;  // what the checker allocated at most

    u32 count(Problem problem) const { return by_problem[usize(problem)]; }
};

// Checks (and with options.fix repairs) the filesystem on `disk`.
Summary check_filesystem(const Disk& disk, const Allocator& allocator, const Output& output, const Options& options);

// The program's exit status for a summary (kExit*).
int exit_status(const Summary& summary);
const char* outcome_name(Outcome outcome);

}  // namespace mote::fsck
