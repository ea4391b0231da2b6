// The ext2 format layer against real images: mke2fs -d builds ext2 and ext3
// images (1, 2 and 4 KiB blocks, 128- and 256-byte inodes, with and without
// dir_index and sparse_super) and every value the decoders produce is
// compared with what dumpe2fs and debugfs print for the same image.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "support/e2fsprogs.hpp"
#include "support/ext2_images.hpp"
#include "support/ext2_reader.hpp"

using namespace mote;
using namespace mote::ext2_test;

namespace {

class Ext2Format : public ::testing::Test {
protected:
    void SetUp() override {
        if (!Ext2Images::get().ok()) GTEST_SKIP() << Ext2Images::get().error();
    }
    static const std::vector<Image>& images() { return Ext2Images::get().images(); }
};

Ext2Reader open_image(const Image& image) {
    Ext2Fault fault = Ext2Fault::BitmapFull;
    auto reader = Ext2Reader::open(ReadonlyBytes(image.bytes.data(), image.bytes.size()), &fault);
    EXPECT_TRUE(reader.ok()) << ext2_fault_name(fault);
    EXPECT_EQ(fault, Ext2Fault::None);
    return reader.release_value();
}

std::string uuid_text(const u8 (&bytes)[16]) {
    char out[40];
    std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                  bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                  bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
    return out;
}

std::set<std::string> words(const std::string& text) {
    std::set<std::string> out;
    std::istringstream in(text);
    std::string w;
    while (in >> w) out.insert(w);
    return out;
}

long long value(const std::map<std::string, std::string>& kv, const std::string& key) {
    auto it = kv.find(key);
    if (it == kv.end()) return -1;
    return std::stoll(it->second);
}

// The in-use inodes of an image, by its inode bitmaps.
std::vector<u32> used_inodes(const Ext2Reader& reader) {
    std::vector<u32> out;
    const Geometry& g = reader.geometry();
    for (u32 group = 0; group < g.group_count; ++group) {
        const auto bitmap = reader.block(reader.groups()[group].inode_bitmap);
        for (u32 i = 0; i < g.inodes_per_group; ++i)
            if (test_bit(ReadonlyBytes(bitmap.data(), bitmap.size()), i)) out.push_back(group * g.inodes_per_group + i + 1);
    }
    return out;
}

const char* debugfs_type(FileType type) {
    switch (type) {
    case FileType::Regular: return "regular";
    case FileType::Directory: return "directory";
    case FileType::Symlink: return "symlink";
    case FileType::CharDevice: return "character special";
    case FileType::BlockDevice: return "block special";
    case FileType::Fifo: return "FIFO";
    case FileType::Socket: return "socket";
    case FileType::Unknown: break;
    }
    return "?";
}

// The used records of every block of a directory, "." and ".." included.
struct Listing {
    std::multiset<std::pair<u32, std::string>> entries;
    std::map<std::string, std::pair<u32, FileType>> by_name;
    u32 parent = 0;
    usize blocks = 0;
};

Listing list_directory(const Ext2Reader& reader, u32 number, const Inode& dir) {
    Listing out;
    const Geometry& g = reader.geometry();
    for (u64 logical = 0; logical < dir.size / g.block_size; ++logical) {
        auto physical = reader.map(dir, logical);
        EXPECT_TRUE(physical.ok());
        EXPECT_NE(physical.value_or(0), 0u) << "hole in directory " << number;
        const auto bytes = reader.block(physical.value_or(0));
        Ext2Fault fault = Ext2Fault::BitmapFull;
        auto block = logical == 0 ? DirectoryBlock::decode_first(g, ReadonlyBytes(bytes.data(), bytes.size()), number, &fault)
                                  : DirectoryBlock::decode(g, ReadonlyBytes(bytes.data(), bytes.size()), &fault);
        EXPECT_TRUE(block.ok()) << "directory " << number << " block " << logical << ": " << ext2_fault_name(fault);
        if (block.is_error()) continue;
        ++out.blocks;
        if (logical == 0) out.parent = block.value().parent_inode();
        usize used = 0;
        u32 expected_offset = 0;
        for (const DirEntry& e : block.value()) {
            EXPECT_EQ(e.offset, expected_offset);
            expected_offset += e.record_length;
            if (!e.in_use()) continue;
            ++used;
            const std::string name(e.name.data(), e.name.length());
            out.entries.insert({e.inode, name});
            out.by_name[name] = {e.inode, e.type};
            auto found = block.value().find(e.name);
            EXPECT_TRUE(found.ok());
            EXPECT_EQ(found.value().offset, e.offset);
        }
        EXPECT_EQ(expected_offset, g.block_size);
        EXPECT_EQ(used, block.value().used_count());
    }
    return out;
}

}  // namespace

TEST_F(Ext2Format, SuperblockMatchesDumpe2fs) {
    for (const Image& image : images()) {
        SCOPED_TRACE(image.spec.name);
        const Ext2Reader reader = open_image(image);
        const Superblock& sb = reader.superblock();
        const Geometry& g = sb.geometry;
        const auto kv = key_values(run("dumpe2fs -h " + quote(image.path)).out);
        EXPECT_EQ(g.inodes_count, value(kv, "Inode count"));
        EXPECT_EQ(g.blocks_count, value(kv, "Block count"));
        EXPECT_EQ(sb.reserved_blocks_count, value(kv, "Reserved block count"));
        EXPECT_EQ(sb.free_blocks_count, value(kv, "Free blocks"));
        EXPECT_EQ(sb.free_inodes_count, value(kv, "Free inodes"));
        EXPECT_EQ(g.first_data_block, value(kv, "First block"));
        EXPECT_EQ(g.block_size, value(kv, "Block size"));
        EXPECT_EQ(g.block_size, image.spec.block_size);
        EXPECT_EQ(g.blocks_per_group, value(kv, "Blocks per group"));
        EXPECT_EQ(g.inodes_per_group, value(kv, "Inodes per group"));
        EXPECT_EQ(g.inode_table_blocks, value(kv, "Inode blocks per group"));
        EXPECT_EQ(g.inode_size, value(kv, "Inode size"));
        EXPECT_EQ(g.inode_size, image.spec.inode_size);
        EXPECT_EQ(g.first_inode, value(kv, "First inode"));
        EXPECT_EQ(g.reserved_gdt_blocks, std::max(0LL, value(kv, "Reserved GDT blocks")));
        EXPECT_EQ(sb.revision, value(kv, "Filesystem revision #"));
        EXPECT_EQ(sb.mount_count, value(kv, "Mount count"));
        EXPECT_EQ(sb.max_mount_count, value(kv, "Maximum mount count"));
        EXPECT_EQ(kv.at("Filesystem state"), "clean");
        EXPECT_TRUE(sb.state & kStateValid);
        EXPECT_EQ(uuid_text(sb.uuid), kv.at("Filesystem UUID"));
        const std::string label(sb.volume_label().data(), sb.volume_label().length());
        EXPECT_EQ(label.empty() ? "<none>" : label, kv.at("Filesystem volume name"));

        // Every feature bit, by name, as dumpe2fs lists them.
        std::set<std::string> features;
        for (u32 bit = 0; bit < 32; ++bit) {
            if (sb.feature_compat >> bit & 1) features.insert(feature_name(FeatureWord::Compat, bit));
            if (sb.feature_incompat >> bit & 1) features.insert(feature_name(FeatureWord::Incompat, bit));
            if (sb.feature_ro_compat >> bit & 1) features.insert(feature_name(FeatureWord::RoCompat, bit));
        }
        EXPECT_EQ(features, words(kv.at("Filesystem features")));
        EXPECT_EQ(sb.has_dir_index(), image.spec.dir_index);
        EXPECT_EQ(sb.has_journal(), std::string(image.spec.type) == "ext3");
        EXPECT_TRUE(g.filetype);
        EXPECT_TRUE(g.large_file);
        EXPECT_FALSE(sb.read_only);
        EXPECT_EQ(sb.read_only_feature, nullptr);
        EXPECT_FALSE(sb.needs_recovery);
        if (sb.has_journal()) {
            EXPECT_EQ(sb.journal_inode, value(kv, "Journal inode"));
            EXPECT_FALSE(sb.journal_is_external());
        }
        // The hash seed is printed as a UUID of its 16 bytes.
        u8 seed[16];
        for (usize i = 0; i < 16; ++i) seed[i] = u8(sb.hash_seed[i / 4] >> (8 * (i % 4)));
        EXPECT_EQ(uuid_text(seed), kv.at("Directory Hash Seed"));
        EXPECT_EQ(sb.default_hash_version == kHashHalfMd4 ? "half_md4" : "?", kv.at("Default directory hash"));
        EXPECT_EQ((sb.flags & kFlagSignedHash) != 0, kv.at("Filesystem flags").find("signed_directory_hash") == 0);
    }
}

TEST_F(Ext2Format, GroupDescriptorsMatchDumpe2fs) {
    for (const Image& image : images()) {
        SCOPED_TRACE(image.spec.name);
        const Ext2Reader reader = open_image(image);
        const Geometry& g = reader.geometry();
        const auto dumped = dumpe2fs_groups(image.path);
        ASSERT_EQ(dumped.size(), g.group_count);
        ASSERT_EQ(reader.groups().size(), g.group_count);
        u64 free_blocks = 0;
        u64 free_inodes = 0;
        usize backups = 0;
        for (u32 group = 0; group < g.group_count; ++group) {
            SCOPED_TRACE(group);
            const GroupDescriptor& d = reader.groups()[group];
            const DumpGroup& e = dumped[group];
            EXPECT_EQ(d.block_bitmap, e.block_bitmap);
            EXPECT_EQ(d.inode_bitmap, e.inode_bitmap);
            EXPECT_EQ(d.inode_table, e.inode_table);
            EXPECT_EQ(d.free_blocks_count, e.free_blocks);
            EXPECT_EQ(d.free_inodes_count, e.free_inodes);
            EXPECT_EQ(d.used_dirs_count, e.directories);
            EXPECT_EQ(g.group_has_superblock(group), e.superblock >= 0);
            if (e.superblock >= 0) {
                backups += group != 0;
                EXPECT_EQ(g.group_first_block(group), e.superblock);
                EXPECT_EQ(g.group_first_block(group) + 1, e.descriptors_first);
                EXPECT_EQ(g.group_first_block(group) + g.descriptor_blocks, e.descriptors_last);
            } else {
                EXPECT_EQ(g.group_metadata_blocks(group), 0u);
            }
            // The bitmaps agree with the counts (bits past the group's end
            // are set by mke2fs and must not be counted).
            const auto blocks = reader.block(d.block_bitmap);
            const auto inodes = reader.block(d.inode_bitmap);
            EXPECT_EQ(count_set_bits(ReadonlyBytes(blocks.data(), blocks.size()), g.group_block_count(group)),
                      g.group_block_count(group) - d.free_blocks_count);
            EXPECT_EQ(count_set_bits(ReadonlyBytes(inodes.data(), inodes.size()), g.inodes_per_group),
                      g.inodes_per_group - d.free_inodes_count);
            free_blocks += d.free_blocks_count;
            free_inodes += d.free_inodes_count;
            // The primary table entry is where descriptor_location says.
            const DescriptorLocation at = g.descriptor_location(group);
            EXPECT_EQ(at.block, g.descriptor_table_block() + group * kGroupDescriptorSize / g.block_size);
        }
        EXPECT_EQ(free_blocks, reader.superblock().free_blocks_count);
        EXPECT_EQ(free_inodes, reader.superblock().free_inodes_count);
        if (std::string(image.spec.name) == "ext2-1k-nosparse") EXPECT_EQ(backups, g.group_count - 1);
        if (std::string(image.spec.name) == "ext3-1k-index") EXPECT_EQ(backups, 4u);  // groups 1, 3, 5, 7
    }
}

TEST_F(Ext2Format, InodesMatchDebugfsStat) {
    for (const Image& image : images()) {
        SCOPED_TRACE(image.spec.name);
        const Ext2Reader reader = open_image(image);
        const Geometry& g = reader.geometry();
        const auto numbers = used_inodes(reader);
        std::vector<std::string> commands;
        for (u32 n : numbers) commands.push_back("stat <" + std::to_string(n) + ">");
        const auto outputs = debugfs_batch(image.path, commands, Ext2Images::get().scratch());
        ASSERT_EQ(outputs.size(), numbers.size());
        std::map<FileType, int> seen;
        int fast = 0, slow = 0;
        for (usize i = 0; i < numbers.size(); ++i) {
            const u32 n = numbers[i];
            const std::string& text = outputs[i];
            SCOPED_TRACE("inode " + std::to_string(n));
            Ext2Fault fault = Ext2Fault::BitmapFull;
            auto decoded = reader.inode(n, &fault);
            if (number_after(text, "Links:") == 0) {
                // Reserved inodes mke2fs marks used but never fills (1, 3..6, 9, 10).
                EXPECT_EQ(fault, Ext2Fault::InodeNotInUse);
                continue;
            }
            ASSERT_TRUE(decoded.ok()) << ext2_fault_name(fault);
            const Inode& inode = decoded.value();
            ++seen[inode.type];
            EXPECT_EQ(number_after(text, "Inode:"), n);
            EXPECT_NE(text.find(std::string("Type: ") + debugfs_type(inode.type) + " "), std::string::npos) << text;
            EXPECT_EQ(inode.permissions(), std::stoll(text.substr(text.find("Mode:") + 5), nullptr, 8));
            EXPECT_EQ(inode.flags, number_after(text, "Flags:"));
            EXPECT_EQ(inode.generation, number_after(text, "Generation:"));
            EXPECT_EQ(inode.uid, number_after(text, "User:"));
            EXPECT_EQ(inode.gid, number_after(text, "Group:"));
            EXPECT_EQ(inode.size, number_after(text, "Size:"));
            EXPECT_EQ(inode.file_acl, number_after(text, "File ACL:"));
            EXPECT_EQ(inode.links_count, number_after(text, "Links:"));
            EXPECT_EQ(inode.sectors, number_after(text, "Blockcount:"));
            EXPECT_EQ(inode.ctime, number_after(text, "ctime:"));
            EXPECT_EQ(inode.atime, number_after(text, "atime:"));
            EXPECT_EQ(inode.mtime, number_after(text, "mtime:"));
            if (text.find("dtime:") != std::string::npos) EXPECT_EQ(inode.dtime, number_after(text, "dtime:"));
            else EXPECT_EQ(inode.dtime, 0u);
            EXPECT_EQ(inode.has_index(), (number_after(text, "Flags:") & 0x1000) != 0);

            const auto link = text.find("Fast link dest: \"");
            if (inode.type == FileType::Symlink) {
                EXPECT_EQ(inode.fast_symlink, link != std::string::npos);
                if (inode.fast_symlink) {
                    ++fast;
                    const auto start = link + 17;
                    const std::string expected = text.substr(start, text.find('"', start) - start);
                    char target[64];
                    const usize length = inode.fast_symlink_target(Bytes(reinterpret_cast<u8*>(target), sizeof target));
                    EXPECT_EQ(std::string(target, length), expected);
                } else {
                    ++slow;
                    auto physical = reader.map(inode, 0);
                    ASSERT_TRUE(physical.ok());
                    const auto block = reader.block(physical.value());
                    const std::string target(reinterpret_cast<const char*>(block.data()), usize(inode.size));
                    EXPECT_TRUE(target == slow_target() || target == std::string(60, 's')) << target;
                }
            } else {
                EXPECT_EQ(link, std::string::npos);
            }
            if (inode.type == FileType::CharDevice || inode.type == FileType::BlockDevice) {
                const auto at = text.find("Device major/minor number: ");
                ASSERT_NE(at, std::string::npos);
                unsigned major = 0, minor = 0;
                std::sscanf(text.c_str() + at + 27, "%u:%u", &major, &minor);
                EXPECT_EQ(inode.device().major, major);
                EXPECT_EQ(inode.device().minor, minor);
            }
            // Re-encoding into the original bytes changes nothing.
            auto bytes = reader.inode_bytes(n);
            auto copy = bytes;
            encode_inode(g, inode, Bytes(copy.data(), copy.size()));
            EXPECT_EQ(copy, bytes);
        }
        EXPECT_EQ(seen[FileType::Symlink], 4);
        EXPECT_EQ(fast, 2);  // "fast" and the 59-byte target
        EXPECT_EQ(slow, 2);  // "slow" and the 60-byte target
        EXPECT_EQ(seen[FileType::Fifo], 1);
        EXPECT_EQ(seen[FileType::CharDevice], 1);
        EXPECT_EQ(seen[FileType::BlockDevice], 1);
        EXPECT_EQ(seen[FileType::Directory], 6);  // root, lost+found, many, a, a/b, a/b/c
    }
}

TEST_F(Ext2Format, BlockMapMatchesDebugfsBlocks) {
    for (const Image& image : images()) {
        SCOPED_TRACE(image.spec.name);
        const Ext2Reader reader = open_image(image);
        const Geometry& g = reader.geometry();
        std::vector<u32> numbers;
        std::vector<Inode> inodes;
        for (u32 n : used_inodes(reader)) {
            auto inode = reader.inode(n);
            if (inode.ok() && inode.value().has_block_map()) {
                numbers.push_back(n);
                inodes.push_back(inode.value());
            }
        }
        std::vector<std::string> commands;
        for (u32 n : numbers) commands.push_back("blocks <" + std::to_string(n) + ">");
        const auto outputs = debugfs_batch(image.path, commands, Ext2Images::get().scratch());
        ASSERT_EQ(outputs.size(), numbers.size());
        int deepest = 0;
        for (usize i = 0; i < numbers.size(); ++i) {
            SCOPED_TRACE("inode " + std::to_string(numbers[i]));
            const Inode& inode = inodes[i];
            std::vector<u32> expected;
            std::istringstream in(outputs[i]);
            for (u32 b; in >> b;) expected.push_back(b);
            auto walked = reader.blocks(inode);
            ASSERT_TRUE(walked.ok());
            // debugfs lists the indirect blocks among the data blocks.
            std::vector<u32> all = walked.value().data;
            all.insert(all.end(), walked.value().indirect.begin(), walked.value().indirect.end());
            std::sort(all.begin(), all.end());
            std::sort(expected.begin(), expected.end());
            if (numbers[i] != kResizeInode) EXPECT_EQ(all, expected);
            // i_blocks counts data, indirect and xattr blocks.
            const u64 acl = inode.file_acl ? 1 : 0;
            if (numbers[i] != kResizeInode)
                EXPECT_EQ(inode.sectors, (walked.value().data.size() + walked.value().indirect.size() + acl) * (g.block_size / 512));
            // A dense file needs exactly the indirect blocks the formula says.
            const u64 logical_blocks = (inode.size + g.block_size - 1) / g.block_size;
            if (walked.value().data.size() == logical_blocks && numbers[i] != kResizeInode)
                EXPECT_EQ(walked.value().indirect.size(), indirect_blocks_for(g.block_size, logical_blocks));
            for (u32 slot = kIndirectSlot; slot <= kTripleIndirectSlot; ++slot)
                if (inode.block[slot]) deepest = std::max(deepest, int(slot - kIndirectSlot + 1));
        }
        EXPECT_EQ(deepest, g.block_size == 1024 ? 3 : 2);  // the sparse file's tail
    }
}

TEST_F(Ext2Format, DirectoriesMatchDebugfsLs) {
    for (const Image& image : images()) {
        SCOPED_TRACE(image.spec.name);
        const Ext2Reader reader = open_image(image);
        std::vector<u32> numbers;
        std::vector<Inode> dirs;
        for (u32 n : used_inodes(reader)) {
            auto inode = reader.inode(n);
            if (inode.ok() && inode.value().type == FileType::Directory) {
                numbers.push_back(n);
                dirs.push_back(inode.value());
            }
        }
        std::vector<std::string> commands;
        for (u32 n : numbers) commands.push_back("ls -p <" + std::to_string(n) + ">");
        const auto outputs = debugfs_batch(image.path, commands, Ext2Images::get().scratch());
        ASSERT_EQ(outputs.size(), numbers.size());
        bool saw_many = false;
        for (usize i = 0; i < numbers.size(); ++i) {
            SCOPED_TRACE("directory " + std::to_string(numbers[i]));
            const Listing listing = list_directory(reader, numbers[i], dirs[i]);
            std::multiset<std::pair<u32, std::string>> expected;
            for (const LsEntry& e : parse_ls_p(outputs[i]))
                if (e.inode != 0) expected.insert({e.inode, e.name});  // debugfs also lists blocks' empty records
            EXPECT_EQ(listing.entries, expected);
            EXPECT_EQ(listing.by_name.at(".").first, numbers[i]);
            EXPECT_EQ(listing.parent, listing.by_name.at("..").first);
            // Each record's type is its inode's type.
            for (const auto& [name, entry] : listing.by_name) {
                auto target = reader.inode(entry.first);
                ASSERT_TRUE(target.ok()) << name;
                EXPECT_EQ(entry.second, target.value().type) << name;
            }
            if (listing.by_name.count(many_name(0))) {
                saw_many = true;
                EXPECT_EQ(listing.entries.size(), usize(kManyEntries + 3));
                EXPECT_TRUE(listing.by_name.count(long_name()));
                // The directory is indexed exactly when the image has dir_index
                // (e2fsck -D built the htree); linear reading must not care.
                EXPECT_EQ(dirs[i].has_index(), image.spec.dir_index);
                EXPECT_GT(listing.blocks, 2u);
            }
        }
        EXPECT_TRUE(saw_many);
    }
}

TEST_F(Ext2Format, ReadsFilesThroughTheBlockMap) {
    const std::vector<u8> big = big_content();
    for (const Image& image : images()) {
        SCOPED_TRACE(image.spec.name);
        const Ext2Reader reader = open_image(image);
        const Geometry& g = reader.geometry();
        // Walk a path with find() from the root.
        auto lookup = [&](const std::string& path) -> u32 {
            u32 current = kRootInode;
            std::istringstream parts(path);
            std::string part;
            while (std::getline(parts, part, '/')) {
                auto dir = reader.inode(current);
                if (dir.is_error() || dir.value().type != FileType::Directory) return 0;
                u32 next = 0;
                for (u64 logical = 0; logical < dir.value().size / g.block_size && !next; ++logical) {
                    const auto bytes = reader.block(reader.map(dir.value(), logical).value_or(0));
                    const ReadonlyBytes span(bytes.data(), bytes.size());
                    auto block = logical ? DirectoryBlock::decode(g, span) : DirectoryBlock::decode_first(g, span, current);
                    if (block.is_error()) return 0;
                    auto found = block.value().find(StringView(part.data(), part.size()));
                    if (found.ok()) next = found.value().inode;
                    else EXPECT_EQ(found.error(), Error::NotFound);
                }
                if (!next) return 0;
                current = next;
            }
            return current;
        };
        auto read_all = [&](u32 number) {
            std::vector<u8> out;
            const Inode inode = reader.inode(number).value();
            for (u64 logical = 0; logical * g.block_size < inode.size; ++logical) {
                const u32 physical = reader.map(inode, logical).value();
                const auto bytes = physical ? reader.block(physical) : std::vector<u8>(g.block_size, 0);
                const usize n = usize(std::min<u64>(g.block_size, inode.size - logical * g.block_size));
                out.insert(out.end(), bytes.begin(), bytes.begin() + n);
            }
            return out;
        };
        EXPECT_EQ(read_all(lookup("big")), big);
        EXPECT_EQ(read_all(lookup("a/b/c/deep.txt")), (std::vector<u8> {'d', 'e', 'e', 'p', '\n'}));
        EXPECT_EQ(read_all(lookup("twelve")), std::vector<u8>(12 * 1024, 'T'));
        EXPECT_EQ(read_all(lookup("thirteen")), std::vector<u8>(12 * 1024 + 1, 'U'));
        EXPECT_TRUE(read_all(lookup("empty")).empty());
        EXPECT_EQ(lookup("hardlink"), lookup("many/" + many_name(0)));
        EXPECT_EQ(reader.inode(lookup("hardlink")).value().links_count, 2);
        EXPECT_EQ(lookup("missing"), 0u);
        // The sparse file: 70 MiB of hole, then "tail".
        const u32 sparse = lookup("sparse");
        const Inode inode = reader.inode(sparse).value();
        EXPECT_EQ(inode.size, 70u * 1024 * 1024 + 4);
        EXPECT_EQ(reader.map(inode, 0).value(), 0u);
        const u64 last = inode.size / g.block_size;
        const u32 physical = reader.map(inode, last).value();
        ASSERT_NE(physical, 0u);
        const auto tail = reader.block(physical);
        EXPECT_EQ(std::memcmp(tail.data() + inode.size % g.block_size - 4, "tail", 4), 0);
        // The path debugfs' stat shows for it: (TIND) at 1 KiB, (DIND) else.
        const BlockPath path = block_path(g.block_size, last).value();
        EXPECT_EQ(path.depth, g.block_size == 1024 ? 3u : 2u);
    }
}
