// Helpers of the runtime journal tests (jbd2_journal_test.cpp and
// jbd2_crash_states_test.cpp): the image configurations they run on, an ext3
// image made by mke2fs (optionally with journal checksums), the facts about
// it the tests need (read with the ext2 format layer and checked against
// debugfs), a journal mounted over any block device through a BlockCache,
// and transactions described as lists of block edits that a test applies
// both through the Journal and to its own model of the image.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "block/block_cache.hpp"
#include "fs/jbd2/journal.hpp"
#include "ext2_reader.hpp"
#include "jbd2_image.hpp"

namespace mote::journal_test {

using namespace mote::fs::jbd2;
namespace j = mote::jbd2_test;

enum class Checksum { None, V1, V2, V3 };

struct Config {
    const char* name;
    u32 block_size;
    u32 blocks;       // filesystem size in blocks
    u32 journal_mib;  // mke2fs -J size=
    Checksum checksum;
};

inline void PrintTo(const Config& c, std::ostream* out) { *out << c.name; }

// 1 KiB and 4 KiB blocks without journal checksums, the v1 checksum
// (debugfs), csum v2 and v3 (set in the journal superblock by
// set_journal_checksum: e2fsck accepts them on ext3).
inline constexpr Config kConfigs[] = {
    {"ext3_1k", 1024, 8192, 1, Checksum::None},
    {"ext3_4k", 4096, 4096, 4, Checksum::None},
    {"ext3_1k_csum_v1", 1024, 8192, 1, Checksum::V1},
    {"ext3_1k_csum_v3", 1024, 8192, 1, Checksum::V3},
    {"ext3_4k_csum_v2", 4096, 4096, 4, Checksum::V2},
};

// Two mtimes the workloads give /hello.txt's inode, one per change, so a
// replay shows which change it reached.
inline constexpr u32 kMtime1 = 0x5F5E1000;
inline constexpr u32 kMtime2 = 0x60000000;

inline std::string quote(const std::string& s) { return "'" + s + "'"; }

// Turns on csum v2 or v3 in the journal superblock of an image (clean
// journal), with literal offsets and the test's own checksum call.
inline void set_journal_checksum(const std::string& path, Checksum checksum) {
    const auto map = j::journal_map(path);
    j::Image image(path);
    u8* sb = image.block(map.at(0));
    const u32 incompat = j::get_be32(sb + 0x28) | (checksum == Checksum::V3 ? 0x10u : 0x08u);
    j::put_be32(sb + 0x28, incompat);
    sb[0x50] = 4;  // crc32c
    j::put_be32(sb + 0xFC, 0);
    j::put_be32(sb + 0xFC, crc32c_update(~0u, ReadonlyBytes(sb, 1024)));
    image.save();
}

// A fresh ext3 image holding /hello.txt ("hi\n"); returns its path.
inline std::string make_ext3(const j::TempDir& dir, const Config& c, const std::string& name = "fs.img") {
    const std::string tree = dir.file("tree");
    std::string out;
    EXPECT_EQ(j::run("mkdir -p " + quote(tree) + " && printf 'hi\\n' > " + quote(tree + "/hello.txt"), &out), 0) << out;
    const std::string path = dir.file(name);
    EXPECT_EQ(j::run("truncate -s " + std::to_string(u64(c.blocks) * c.block_size) + " " + quote(path) +
                         " && mke2fs -q -F -t ext3 -b " + std::to_string(c.block_size) + " -J size=" +
                         std::to_string(c.journal_mib) + " -E root_owner=0:0 -d " + quote(tree) + " " + quote(path),
                     &out),
              0)
        << out;
    if (c.checksum == Checksum::V1) {
        // debugfs turns on the v1 checksum of a filesystem without metadata_csum.
        const std::string script = dir.file("csum.cmds");
        j::write_file(script, {'j', 'o', ' ', '-', 'c', '\n', 'j', 'c', '\n'});
        EXPECT_EQ(j::run("debugfs -w -f " + quote(script) + " " + quote(path), &out), 0) << out;
    } else if (c.checksum != Checksum::None) {
        set_journal_checksum(path, c.checksum);
    }
    return path;
}

// Where things are in an image made by make_ext3.
struct Layout {
    u32 block_size = 0;
    u64 blocks = 0;
    std::vector<u32> journal;     // the journal inode's blocks, in file order
    u64 sb_block = 0;             // the filesystem superblock's block and offset in it
    usize sb_offset = 0;
    u64 root_block = 0;           // the root directory's first block
    usize hello_name = 0;         // offset of "hello.txt" in it
    u64 inode_block = 0;          // inode 12 (hello.txt): its inode table block and offset
    usize inode_offset = 0;
    std::vector<u64> free;        // free blocks (debugfs ffb), all in one group
    u64 bitmap_block = 0;         // that group's block bitmap
    u64 bitmap_first = 0;         // the block its bit 0 stands for
    u64 descriptor_block = 0;     // that group's descriptor: block and offset
    usize descriptor_offset = 0;
};

inline Layout layout(const std::string& path, const std::vector<u8>& bytes, u32 free_count = 6) {
    using namespace mote::ext2_test;
    Layout l;
    auto reader = Ext2Reader::open(ReadonlyBytes(bytes.data(), bytes.size()));
    EXPECT_TRUE(reader.ok());
    if (reader.is_error()) return l;
    const Geometry& g = reader.value().geometry();
    l.block_size = g.block_size;
    l.blocks = g.blocks_count;
    l.sb_block = 1024 / g.block_size;
    l.sb_offset = 1024 % g.block_size;

    auto journal = reader.value().inode(8);
    EXPECT_TRUE(journal.ok());
    if (journal.is_error()) return l;
    auto blocks = reader.value().blocks(journal.value());
    EXPECT_TRUE(blocks.ok());
    if (blocks.is_error()) return l;
    l.journal = blocks.value().data;
    // The same map as debugfs reads it.
    const auto debugfs_map = j::journal_map(path);
    EXPECT_EQ(std::vector<u64>(l.journal.begin(), l.journal.end()), debugfs_map);

    auto root = reader.value().inode(2);
    EXPECT_TRUE(root.ok());
    l.root_block = reader.value().map(root.value(), 0).value();
    const auto dir = reader.value().block(u32(l.root_block));
    const std::string name = "hello.txt";
    auto at = std::search(dir.begin(), dir.end(), name.begin(), name.end());
    EXPECT_NE(at, dir.end());
    l.hello_name = usize(at - dir.begin());

    const u64 inode_at = reader.value().inode_offset(12).value();
    l.inode_block = inode_at / g.block_size;
    l.inode_offset = usize(inode_at % g.block_size);

    std::string out;
    EXPECT_EQ(j::run("debugfs -R 'ffb " + std::to_string(free_count) + " " + std::to_string(g.blocks_count / 2) +
                         "' " + quote(path),
                     &out),
              0);
    const auto found = out.find("Free blocks found:");
    EXPECT_NE(found, std::string::npos) << out;
    std::istringstream in(out.substr(found + 18));
    u64 block;
    while (in >> block) l.free.push_back(block);
    EXPECT_EQ(l.free.size(), free_count) << out;
    const u32 group = g.group_of_block(u32(l.free.at(0)));
    EXPECT_EQ(g.group_of_block(u32(l.free.back())), group);
    l.bitmap_block = reader.value().groups()[group].block_bitmap;
    l.bitmap_first = g.group_first_block(group);
    const DescriptorLocation d = g.descriptor_location(group);
    l.descriptor_block = d.block;
    l.descriptor_offset = d.offset;
    return l;
}

inline u32 get_le16(const u8* p) { return u32(p[0]) | u32(p[1]) << 8; }
using j::get_le32;
inline void put_le16(u8* p, u32 v) {
    p[0] = u8(v);
    p[1] = u8(v >> 8);
}
inline void put_le32(u8* p, u32 v) {
    for (int i = 0; i < 4; ++i) p[i] = u8(v >> (8 * i));
}

// Block `block` of an image, a copy.
inline std::vector<u8> block_of(const std::vector<u8>& image, u64 block, u32 bs) {
    return std::vector<u8>(image.begin() + long(block * bs), image.begin() + long((block + 1) * bs));
}

// One change to one block inside a transaction.
struct Edit {
    enum class Kind { Metadata, Data, Revoke };
    Kind kind = Kind::Metadata;
    u64 block = 0;
    std::function<void(u8*)> change;  // not for Revoke
};

using Transaction = std::vector<Edit>;

inline Edit metadata(u64 block, std::function<void(u8*)> change) { return {Edit::Kind::Metadata, block, std::move(change)}; }
inline Edit data(u64 block, std::function<void(u8*)> change) { return {Edit::Kind::Data, block, std::move(change)}; }
inline Edit revoke(u64 block) { return {Edit::Kind::Revoke, block, {}}; }

// A block filled from a seed; `magic` starts it with the jbd2 magic.
inline std::function<void(u8*)> fill(u32 block_size, u32 seed, bool magic = false) {
    return [=](u8* p) {
        u32 x = seed * 2654435761u + 1;
        for (u32 i = 0; i < block_size; ++i) {
            x = x * 1103515245u + 12345u;
            p[i] = u8(x >> 16);
        }
        if (magic) j::put_be32(p, kMagic);
    };
}

// Applies a transaction's edits to a model image (revokes change nothing).
inline void apply_to_model(std::vector<u8>& image, u32 block_size, const Transaction& t) {
    for (const Edit& e : t)
        if (e.kind != Edit::Kind::Revoke) e.change(image.data() + e.block * block_size);
}

// A Journal over a block device, through its own BlockCache.
struct Mount {
    Mount(BlockDevice& device, Loop& loop, PageAllocator& pages, u32 block_size, const std::vector<u32>& log_map,
          u64 fs_blocks, usize buffers = 256)
        : cache(device, loop, pages), map(log_map),
          journal(cache, Span<const u32>(map.data(), map.size()), fs_blocks) {
        MUST(cache.initialize(block_size, buffers));
    }
    BlockCache cache;
    std::vector<u32> map;
    Journal journal;
};

// The edits of `t` through the journal, as a filesystem would make them,
// then (if `commit`) the commit.
inline Task<void> run_transaction(BlockCache& cache, Journal& journal, const Transaction* t, bool commit = true) {
    for (const Edit& e : *t) {
        if (e.kind == Edit::Kind::Revoke) {
            journal.revoke(e.block);
            continue;
        }
        BufferRef ref = CO_TRY(co_await cache.read(e.block));
        CO_TRY(co_await cache.prepare_modify(ref));
        if (e.kind == Edit::Kind::Data) journal.add_data(ref);
        else journal.add_metadata(ref);
        e.change(ref.data());
        cache.mark_dirty(ref);
    }
    if (commit) CO_TRY(co_await journal.commit());
    co_return {};
}

// The journal superblock of an image, decoded.
inline Result<JournalSuperblock> journal_superblock(const std::vector<u8>& image, const std::vector<u32>& map,
                                                    u32 block_size) {
    return JournalSuperblock::decode(ReadonlyBytes(image.data() + u64(map.at(0)) * block_size, block_size), block_size,
                                     map.size());
}

}  // namespace mote::journal_test
