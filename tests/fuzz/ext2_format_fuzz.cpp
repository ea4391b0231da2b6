// Treats the input as a small ext2 image (bytes past its end read as zeros)
// and runs the whole format layer over it, with bounded work: the
// superblock, the descriptors of the first groups, the first inodes of the
// first groups, the bitmaps, and every directory block reachable from the
// root through the block map. Each decoder's promises are VERIFYed on what
// it accepts (geometry consistent, pointers in range, records covering the
// block, names clean), encoders must re-create the bytes they decoded, and
// each accepted directory block takes an insert and a remove that must
// leave it decodable. Any crash, sanitizer report or VERIFY failure is a bug.
//
// The image is decoded from an unaligned copy. Seeds: seeds/ext2_format_fuzz
// (tests/fuzz/make_ext2_format_seeds.py).
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "../unit/support/ext2_reader.hpp"
#include "base/verify.hpp"

using namespace mote;
using namespace mote::ext2_test;

namespace {

constexpr u32 kMaxGroups = 8;
constexpr u32 kInodesPerGroupChecked = 48;
constexpr usize kMaxDirectories = 24;
constexpr u64 kMaxBlocksPerDirectory = 12;

volatile usize g_sink;

bool valid_error(Error e) {
    return e == Error::Malformed || e == Error::Unsupported || e == Error::OutOfRange || e == Error::InvalidArgument;
}

void check_geometry(const Superblock& sb) {
    const Geometry& g = sb.geometry;
    VERIFY(g.block_size == 1024 || g.block_size == 2048 || g.block_size == 4096);
    VERIFY(g.block_size == 1u << g.block_size_log2);
    VERIFY(g.first_data_block == (g.block_size == 1024 ? 1u : 0u));
    VERIFY(g.blocks_count > g.first_data_block + 1);
    VERIFY(g.group_count >= 1 && u64(g.group_count) * g.inodes_per_group == g.inodes_count);
    VERIFY(u64(g.group_count - 1) * g.blocks_per_group + g.first_data_block < g.blocks_count);
    VERIFY(u64(g.group_count) * g.blocks_per_group + g.first_data_block >= g.blocks_count);
    VERIFY(g.inode_size >= 128 && g.inode_size <= g.block_size && (g.inode_size & (g.inode_size - 1)) == 0);
    VERIFY(g.inodes_per_block * g.inode_size == g.block_size);
    VERIFY(u64(g.inode_table_blocks) * g.inodes_per_block >= g.inodes_per_group);
    VERIFY(g.first_inode >= 11 && g.first_inode <= g.inodes_count);
    VERIFY(1 + g.descriptor_blocks + g.reserved_gdt_blocks <= g.group_block_count(0));
    VERIFY(sb.free_blocks_count <= g.blocks_count && sb.free_inodes_count <= g.inodes_count);
    VERIFY((sb.feature_incompat & ~kIncompatSupported) == 0);
    VERIFY(sb.read_only == (sb.read_only_feature != nullptr));
    VERIFY(sb.needs_recovery == ((sb.feature_incompat & kIncompatRecover) != 0));
    VERIFY(g.group_has_superblock(0));
    VERIFY(g.group_metadata_blocks(0) == 1 + g.descriptor_blocks + g.reserved_gdt_blocks);
    usize sink = 0;
    for (u32 group = 0; group < min(g.group_count, kMaxGroups); ++group) {
        VERIFY(g.group_block_count(group) >= 1 && g.group_block_count(group) <= g.blocks_per_group);
        VERIFY(g.group_of_block(g.group_first_block(group)) == group);
        const DescriptorLocation at = g.descriptor_location(group);
        VERIFY(at.block >= g.descriptor_table_block() && at.block < g.descriptor_table_block() + g.descriptor_blocks);
        sink += g.group_has_superblock(group);
    }
    g_sink = sink;
}

void check_inode(const Ext2Reader& reader, u32 number, std::vector<u8>& bytes) {
    const Geometry& g = reader.geometry();
    Ext2Fault fault = Ext2Fault::BitmapFull;
    auto decoded = decode_inode(g, ReadonlyBytes(bytes.data(), bytes.size()), &fault);
    VERIFY(decoded.ok() == (fault == Ext2Fault::None));
    VERIFY(ext2_fault_name(fault) != nullptr);
    if (decoded.is_error()) {
        VERIFY(decoded.error() == Error::Malformed || decoded.error() == Error::Unsupported);
        return;
    }
    const Inode& inode = decoded.value();
    VERIFY(inode.type != FileType::Unknown && file_type_of_mode(inode.mode) == inode.type);
    VERIFY(!(inode.flags & (kInodeFlagExtents | kInodeFlagInlineData)));
    VERIFY(inode.file_acl == 0 || g.is_data_block(inode.file_acl));
    if (inode.has_block_map())
        for (u32 pointer : inode.block) VERIFY(pointer == 0 || g.is_data_block(pointer));
    if (inode.type == FileType::Directory) VERIFY(inode.size > 0 && inode.size % g.block_size == 0);
    if (inode.type == FileType::Regular) VERIFY(inode.size <= addressable_size(g.block_size));
    if (inode.type == FileType::Symlink) {
        VERIFY(inode.size > 0);
        if (inode.fast_symlink) {
            u8 target[kFastSymlinkMax];
            const usize n = inode.fast_symlink_target(Bytes(target, sizeof target));
            VERIFY(n == inode.size);
            for (usize i = 0; i < n; ++i) VERIFY(target[i] != 0);
        } else {
            VERIFY(inode.size < g.block_size);
        }
    }
    if (inode.type == FileType::CharDevice || inode.type == FileType::BlockDevice) {
        const DeviceNumber dev = inode.device();
        VERIFY(dev.major < 4096 && dev.minor < (1u << 20));
    }
    // Encoding what was decoded gives back the same bytes.
    std::vector<u8> copy = bytes;
    encode_inode(g, inode, Bytes(copy.data(), copy.size()));
    VERIFY(copy == bytes);
    // The last block of a file maps (or is a hole), never beyond the map.
    if (inode.has_block_map() && inode.size > 0) {
        auto physical = reader.map(inode, (inode.size - 1) / g.block_size);
        VERIFY(physical.ok() || physical.error() == Error::Malformed);
        if (physical.ok()) VERIFY(physical.value() == 0 || g.is_data_block(physical.value()));
    }
    (void)number;
}

// Checks a decoded block, then inserts and removes a name in a copy.
void check_directory_block(const Geometry& g, const DirectoryBlock& block, std::vector<u8> bytes, bool first,
                           u32 self, std::vector<u32>& subdirs) {
    u32 offset = 0;
    usize records = 0, used = 0;
    for (const DirEntry& e : block) {
        VERIFY(e.offset == offset && e.record_length % 4 == 0 && e.record_length >= 8);
        offset += e.record_length;
        VERIFY(offset <= g.block_size);
        ++records;
        if (!e.in_use()) continue;
        ++used;
        VERIFY(e.inode <= g.inodes_count);
        VERIFY(!e.name.empty() && e.name.length() <= kDirNameMax);
        VERIFY(e.record_length >= dir_record_length(u32(e.name.length())));
        for (char c : e.name) VERIFY(c != 0 && c != '/');
        if (g.filetype) VERIFY(e.type >= FileType::Regular && e.type <= FileType::Symlink);
        else VERIFY(e.type == FileType::Unknown);
        if (e.is_dot()) VERIFY(first && e.offset == 0 && e.inode == self);
        if (e.is_dotdot()) VERIFY(first && records == 2);
        auto found = block.find(e.name);
        VERIFY(found.ok() && found.value().in_use() && found.value().name == e.name && found.value().offset <= e.offset);
        if (!e.is_dot() && !e.is_dotdot() && (!g.filetype || e.type == FileType::Directory)) subdirs.push_back(e.inode);
    }
    VERIFY(offset == g.block_size);
    VERIFY(records == block.record_count() && used == block.used_count());
    if (first) VERIFY(block.parent_inode() != 0);

    const Bytes span(bytes.data(), bytes.size());
    const u32 inode = min(g.inodes_count, 11u);
    Ext2Fault fault = Ext2Fault::BitmapFull;
    if (block.find("fuzz-new").ok()) return;
    auto inserted = insert_entry(g, span, "fuzz-new", inode, FileType::Regular, &fault);
    if (inserted.is_error()) {
        VERIFY(inserted.error() == Error::Overflow && fault == Ext2Fault::NoRoom);
        return;
    }
    auto after = first ? DirectoryBlock::decode_first(g, span, self) : DirectoryBlock::decode(g, span);
    VERIFY(after.ok());
    VERIFY(after.value().used_count() == used + 1);
    VERIFY(after.value().find("fuzz-new").value().offset == inserted.value());
    auto removed = remove_entry(g, span, "fuzz-new", &fault);
    VERIFY(removed.ok() && removed.value() == inode);
    auto back = first ? DirectoryBlock::decode_first(g, span, self) : DirectoryBlock::decode(g, span);
    VERIFY(back.ok() && back.value().used_count() == used);
    VERIFY(back.value().find("fuzz-new").is_error());
}

void walk_directories(const Ext2Reader& reader) {
    const Geometry& g = reader.geometry();
    std::vector<u32> queue = {kRootInode};
    std::vector<u32> visited;
    usize sink = 0;
    while (!queue.empty() && visited.size() < kMaxDirectories) {
        const u32 number = queue.back();
        queue.pop_back();
        bool seen = false;
        for (u32 v : visited) seen |= v == number;
        if (seen) continue;
        visited.push_back(number);
        auto dir = reader.inode(number);
        if (dir.is_error() || dir.value().type != FileType::Directory) continue;
        const u64 blocks = min(dir.value().size / g.block_size, kMaxBlocksPerDirectory);
        for (u64 logical = 0; logical < blocks; ++logical) {
            auto physical = reader.map(dir.value(), logical);
            if (physical.is_error() || physical.value() == 0) continue;
            const std::vector<u8> bytes = reader.block(physical.value());
            const ReadonlyBytes span(bytes.data(), bytes.size());
            Ext2Fault fault = Ext2Fault::BitmapFull;
            auto block = logical == 0 ? DirectoryBlock::decode_first(g, span, number, &fault)
                                      : DirectoryBlock::decode(g, span, &fault);
            VERIFY(block.ok() == (fault == Ext2Fault::None));
            if (block.is_error()) {
                VERIFY(block.error() == Error::Malformed);
                continue;
            }
            std::vector<u32> subdirs;
            check_directory_block(g, block.value(), bytes, logical == 0, number, subdirs);
            for (u32 sub : subdirs) queue.push_back(sub);
            sink += block.value().used_count();
        }
    }
    g_sink = sink;
}

void check_bitmaps(const Ext2Reader& reader) {
    const Geometry& g = reader.geometry();
    for (u32 group = 0; group < reader.groups().size(); ++group) {
        const GroupDescriptor& d = reader.groups()[group];
        const struct {
            u32 block;
            u32 bits;
        } maps[2] = {{d.block_bitmap, g.group_block_count(group)}, {d.inode_bitmap, g.inodes_per_group}};
        for (const auto& map : maps) {
            const std::vector<u8> bytes = reader.block(map.block);
            const ReadonlyBytes span(bytes.data(), bytes.size());
            const u32 set = count_set_bits(span, map.bits);
            VERIFY(set <= map.bits);
            const u32 goal = u32(bytes[0]) * 37 % (map.bits + 1);
            Ext2Fault fault = Ext2Fault::None;
            auto clear = find_clear_bit(span, map.bits, goal, &fault);
            if (clear.ok()) VERIFY(clear.value() < map.bits && !test_bit(span, clear.value()));
            else VERIFY(clear.error() == Error::NotFound && fault == Ext2Fault::BitmapFull && set == map.bits);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    uint8_t* copy = static_cast<uint8_t*>(malloc(size + 1));
    if (!copy) return 0;
    if (size) memcpy(copy + 1, data, size);
    const ReadonlyBytes image(copy + 1, size);

    Ext2Fault fault = Ext2Fault::BitmapFull;
    auto opened = Ext2Reader::open(image, &fault, kMaxGroups);
    VERIFY(opened.ok() == (fault == Ext2Fault::None));
    VERIFY(ext2_fault_name(fault) != nullptr);
    if (opened.is_error()) {
        VERIFY(valid_error(opened.error()));
        free(copy);
        return 0;
    }
    const Ext2Reader& reader = opened.value();
    check_geometry(reader.superblock());

    // The superblock and descriptors re-encode to their own bytes.
    {
        std::vector<u8> raw(kSuperblockSize, 0);
        for (usize i = 0; i < raw.size() && kSuperblockOffset + i < size; ++i) raw[i] = image[kSuperblockOffset + i];
        std::vector<u8> again = raw;
        encode_superblock(reader.superblock(), Bytes(again.data(), again.size()));
        VERIFY(again == raw);
        const Geometry& g = reader.geometry();
        for (u32 group = 0; group < reader.groups().size(); ++group) {
            const DescriptorLocation at = g.descriptor_location(group);
            std::vector<u8> table = reader.block(at.block);
            const Bytes entry = Bytes(table.data(), table.size()).slice(at.offset, kGroupDescriptorSize);
            std::vector<u8> before(entry.begin(), entry.end());
            encode_group_descriptor(reader.groups()[group], entry);
            VERIFY(std::vector<u8>(entry.begin(), entry.end()) == before);
        }
    }

    const Geometry& g = reader.geometry();
    for (u32 group = 0; group < reader.groups().size() && group < 4; ++group) {
        for (u32 index = 0; index < min(g.inodes_per_group, kInodesPerGroupChecked); ++index) {
            const u32 number = group * g.inodes_per_group + index + 1;
            auto at = locate_inode(g, number);
            VERIFY(at.ok() && at.value().group == group && at.value().index == index);
            VERIFY(at.value().table_block < g.inode_table_blocks && at.value().offset % g.inode_size == 0);
            std::vector<u8> bytes = reader.inode_bytes(number);
            check_inode(reader, number, bytes);
        }
    }
    check_bitmaps(reader);
    walk_directories(reader);

    free(copy);
    return 0;
}
