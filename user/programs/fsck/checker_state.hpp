// The checker's working state and passes (internal to fsck's core; the
// public face is checker.hpp). One Checker lives for one check; its passes
// are split over pass*.cpp by concern, its disk, memory and output helpers
// are in checker.cpp, the block-map walk in block_walk.cpp.
#pragma once

#include "base/format.hpp"
#include "checker.hpp"
#include "fs/ext2/bitmap_search.hpp"
#include "fs/ext2/block_map.hpp"
#include "fs/ext2/directory_block.hpp"
#include "fs/ext2/group_descriptor.hpp"
#include "fs/ext2/inode.hpp"
#include "fs/ext2/superblock.hpp"

namespace mote::fsck {

using namespace mote::fs::ext2;

// More bad pointers than this in one inode and it is garbage: cleared
// whole rather than pointer by pointer (e2fsck's limit too).
inline constexpr u32 kMaxIllegalBlocks = 12;

// A bitmap in the ext2 bit order over caller memory (the format layer's
// test_bit/set_bit), so find_clear_bit() can search it.
struct Bits {
    u8* bytes = nullptr;
    u32 count = 0;

    Bytes span() const { return Bytes(bytes, (usize(count) + 7) / 8); }
    bool get(u32 bit) const { return test_bit(span(), bit); }
    void set(u32 bit) { set_bit(span(), bit); }
    void clear(u32 bit) { clear_bit(span(), bit); }
};

// What pass 1 learns about a directory and passes 2 and 3 use.
struct DirInfo {
    u32 inode = 0;
    u32 parent = 0;  // the directory whose entry names it (0: none found yet)
    u32 dotdot = 0;  // what its ".." names
};

struct GroupState {
    GroupDescriptor descriptor;
    bool counts_bad = false;  // the stored counts failed decoding: rewrite them
};

// One pointer of a block map, as the walker shows it to a visitor.
struct BlockRef {
    u32 block = 0;    // the pointer (non-zero)
    u32 level = 0;    // 0: a data block; 1..3: an indirect block that many levels above the data
    u64 logical = 0;  // a data block's logical number; an indirect block's first
    u64 span = 1;     // logical blocks under it
};
// Returns the pointer to keep: ref.block, 0 to clear it, or a replacement.
// The walker descends into a kept indirect block only if it is in range.
using BlockVisitor = u32 (*)(void* context, const BlockRef& ref);

class Checker {
public:
    Checker(const Disk& disk, const Allocator& allocator, const Output& output, const Options& options);
    ~Checker();
    Checker(const Checker&) = delete;
    Checker& operator=(const Checker&) = delete;

    Summary run();

    // Everything below is for the passes.

    // Disk and memory (checker.cpp).
    Result<void> read_block(u32 block, Bytes out);
    Result<void> read_blocks(u32 block, u32 count, Bytes out);
    Result<void> write_block(u32 block, ReadonlyBytes data);  // fix mode only (VERIFY)
    Result<Inode> read_inode(u32 number, Ext2Fault* fault = nullptr);
    Result<void> write_inode(u32 number, const Inode& inode);  // fix mode only
    Result<void> write_superblock();
    Result<void> write_descriptor(u32 group);
    void* allocate(usize bytes);
    Result<Bits> allocate_bits(u32 count);

    // Reporting: one line "fsck: <text> (fixed)" or "(not fixed)", counted.
    template <typename... Args>
    void report(Problem problem, bool fixed, StringView fmt, const Args&... args) {
        FixedString<256> line;
        line.append("fsck: ");
        line.appendf(fmt, args...);
        line.append(fixed ? " (fixed)" : " (not fixed)");
        count(problem, fixed);
        say(line.view());
    }
    template <typename... Args>
    void note(StringView fmt, const Args&... args) {
        FixedString<256> line;
        line.append("fsck: ");
        line.appendf(fmt, args...);
        say(line.view());
    }
    void say(StringView line);
    void count(Problem problem, bool fixed);

    // The block map (block_walk.cpp). Visits every pointer of `inode`'s map
    // in logical order; replaced pointers are written back: into `inode`
    // (the caller writes it; returns whether it changed) and, in fix mode,
    // into the indirect blocks. `budget` bounds the pointers visited (a
    // garbage map is not walked forever): exceeding it stops the walk with
    // Error::Overflow.
    Result<bool> walk_blocks(Inode& inode, BlockVisitor visitor, void* context, u64 budget = 0);

    // Helpers shared by passes.
    bool in_use(u32 number) const { return m_types[number] != u8(FileType::Unknown); }
    FileType type_of(u32 number) const { return FileType(m_types[number]); }
    DirInfo* dir_info(u32 number);
    Result<void> clear_inode(u32 number, Inode& inode);  // links 0, deleted now; forgets its type (fix mode only)
    void keep_unchecked(u32 number, const Inode& inode) { keep_unchecked(number, inode, inode.type); }
    void keep_unchecked(u32 number, const Inode& inode, FileType as);
    u32 block_bit(u32 block) const { return block - geometry().first_data_block; }
    bool block_used(u32 block) const { return m_block_used.get(block_bit(block)); }
    // A free block near `goal` from the blocks pass 1 found in use, now
    // marked used; 0 if the filesystem is full.
    u32 allocate_block(u32 goal);
    // Adds an entry "#<number>" to /lost+found (fix mode), growing it by a
    // block if it is full. False if there is no lost+found or no room.
    Result<bool> add_to_lost_found(u32 number, FileType type);

    const Geometry& geometry() const { return m_sb.geometry; }
    bool fixing() const { return m_fix; }

    // The passes (orphans.cpp, pass1.cpp, pass2.cpp, pass3.cpp, pass4.cpp, pass5.cpp).
    Result<void> process_orphans();
    Result<void> pass1();
    Result<void> pass1b();
    Result<void> pass2();
    Result<bool> pass3();  // false: no usable root, stop
    Result<void> pass4();
    Result<void> pass5();

    // State, public to the pass files.
    Disk m_disk;
    Allocator m_allocator;
    Output m_output;
    Options m_options;
    bool m_fix = false;
    u32 m_now = 0;
    Summary m_summary;
    usize m_allocated = 0;
    void* m_allocations[32] = {};
    usize m_allocation_count = 0;

    u8 m_raw_superblock[kSuperblockSize] = {};
    Superblock m_sb;
    GroupState* m_groups = nullptr;

    // Per block (bit = block - first_data_block).
    Bits m_block_used;  // metadata and every block a map claims
    Bits m_block_meta;  // superblock/descriptor copies, bitmaps, inode tables
    Bits m_block_dup;   // claimed more than once (pass 1b resolves)
    u32 m_dup_blocks = 0;
    // Per inode (index = inode number; 0 unused).
    u8* m_types = nullptr;     // FileType of each in-use inode, Unknown (0) if free or cleared
    u16* m_links = nullptr;    // i_links_count as stored
    u16* m_counted = nullptr;  // entries naming it (plus "." and ".." for directories)
    DirInfo* m_dirs = nullptr;
    u32 m_dir_count = 0;
    u32 m_lost_found = 0;

    // Buffers of one block each (walker levels, directory block, work), and
    // the inode-table cache: up to kTableCacheBytes of one group's table.
    u8* m_level[3] = {};
    u8* m_dir_block = nullptr;
    u8* m_work = nullptr;
    u8* m_table = nullptr;
    u32 m_table_first = 0;  // absolute block of m_table's first block
    u32 m_table_count = 0;  // blocks cached (0: none)
    u64 m_walk_budget = 0;
};

inline constexpr usize kTableCacheBytes = 64 * 1024;

}  // namespace mote::fsck
