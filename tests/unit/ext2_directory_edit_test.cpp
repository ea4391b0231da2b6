// The writer's side of the format layer on real images: rename, unlink and
// link entries, grow a directory by a block allocated from the bitmap, all
// through the format layer's edit and encode functions on a copy of an
// mke2fs image; e2fsck -fn must then find the filesystem clean and debugfs
// must list the new entries.
#include <gtest/gtest.h>

#include <sstream>

#include "support/e2fsprogs.hpp"
#include "support/ext2_images.hpp"
#include "support/ext2_reader.hpp"

using namespace mote;
using namespace mote::ext2_test;

namespace {

class Ext2DirectoryEdit : public ::testing::Test {
protected:
    void SetUp() override {
        if (!Ext2Images::get().ok()) GTEST_SKIP() << Ext2Images::get().error();
    }

    const Image& image(const char* name) {
        for (const Image& i : Ext2Images::get().images())
            if (std::string(i.spec.name) == name) return i;
        ADD_FAILURE() << name;
        return Ext2Images::get().images().front();
    }
};

// A mutable copy of an image with the format layer's view of it.
class EditableImage {
public:
    explicit EditableImage(const Image& source) : m_bytes(source.bytes), m_name(source.spec.name) { reopen(); }

    const Ext2Reader& reader() const { return *m_reader; }
    const Geometry& g() const { return m_reader->geometry(); }
    Bytes block(u32 number) { return Bytes(m_bytes.data() + u64(number) * g().block_size, g().block_size); }

    Inode inode(u32 number) {
        auto inode = m_reader->inode(number);
        EXPECT_TRUE(inode.ok()) << number;
        return inode.value_or(Inode {});
    }
    void put_inode(u32 number, const Inode& inode) {
        const u64 offset = m_reader->inode_offset(number).value();
        encode_inode(g(), inode, Bytes(m_bytes.data() + offset, g().inode_size));
    }

    // The directory block (physical number) holding `name`, and its inode.
    struct Found {
        u32 block = 0;
        u32 inode = 0;
    };
    Found find(u32 dir, const std::string& name) {
        const Inode d = inode(dir);
        for (u64 logical = 0; logical < d.size / g().block_size; ++logical) {
            const u32 physical = m_reader->map(d, logical).value();
            const Bytes b = block(physical);
            auto decoded = logical ? DirectoryBlock::decode(g(), b) : DirectoryBlock::decode_first(g(), b, dir);
            EXPECT_TRUE(decoded.ok());
            auto entry = decoded.value().find(StringView(name.data(), name.size()));
            if (entry.ok()) return {physical, entry.value().inode};
        }
        return {};
    }

    // Allocates a block in `group` (the first free one at or after `goal`):
    // bitmap, descriptor and superblock counts.
    u32 allocate_block(u32 group, u32 goal) {
        GroupDescriptor d = m_reader->groups()[group];
        const u32 first = g().group_first_block(group);
        const Bytes bitmap = block(d.block_bitmap);
        const u32 bit = find_clear_bit(bitmap, g().group_block_count(group), goal - first).value();
        set_bit(bitmap, bit);
        d.free_blocks_count -= 1;
        const DescriptorLocation at = g().descriptor_location(group);
        encode_group_descriptor(d, block(at.block).slice(at.offset, kGroupDescriptorSize));
        Superblock sb = m_reader->superblock();
        sb.free_blocks_count -= 1;
        encode_superblock(sb, Bytes(m_bytes.data() + kSuperblockOffset, kSuperblockSize));
        reopen();
        return first + bit;
    }

    void reopen() {
        m_reader.reset();
        auto reader = Ext2Reader::open(ReadonlyBytes(m_bytes.data(), m_bytes.size()));
        ASSERT_TRUE(reader.ok());
        m_reader = std::make_unique<Ext2Reader>(reader.release_value());
    }

    std::string save() {
        const std::string path = (Ext2Images::get().scratch() / ("edited-" + m_name + ".img")).string();
        write_file(path, m_bytes);
        return path;
    }

private:
    std::vector<u8> m_bytes;
    std::string m_name;
    std::unique_ptr<Ext2Reader> m_reader;
};

void expect_clean(const std::string& path) {
    const Command fsck = run("e2fsck -fn " + quote(path) + " 2>&1");
    EXPECT_EQ(fsck.status, 0) << fsck.out;
}

std::vector<std::string> ls(const std::string& path, const std::string& dir) {
    std::vector<std::string> names;
    for (const LsEntry& e : parse_ls_p(run("debugfs -R " + quote("ls -p " + dir) + " " + quote(path)).out))
        if (e.inode) names.push_back(e.name);
    return names;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

TEST_F(Ext2DirectoryEdit, RenameLinkUnlinkAndGrowStayClean) {
    for (const char* name : {"ext2-1k", "ext3-2k"}) {
        SCOPED_TRACE(name);
        EditableImage img(image(name));
        const Geometry g = img.g();  // a copy: reopen() replaces the reader

        // Rename in "many": remove from its block, insert the new name there.
        const u32 many = img.find(kRootInode, "many").inode;
        ASSERT_NE(many, 0u);
        const auto old_entry = img.find(many, many_name(5));
        ASSERT_NE(old_entry.block, 0u);
        EXPECT_EQ(remove_entry(g, img.block(old_entry.block), many_name(5).c_str()).value(), old_entry.inode);
        ASSERT_TRUE(insert_entry(g, img.block(old_entry.block), "renamed_005", old_entry.inode, FileType::Regular).ok());

        // Unlink "hardlink": its inode keeps one link.
        const auto hard = img.find(kRootInode, "hardlink");
        ASSERT_NE(hard.inode, 0u);
        EXPECT_EQ(remove_entry(g, img.block(hard.block), "hardlink").value(), hard.inode);
        Inode linked = img.inode(hard.inode);
        ASSERT_EQ(linked.links_count, 2);
        linked.links_count = 1;
        img.put_inode(hard.inode, linked);

        // Link "one" again as "newlink".
        const auto one = img.find(kRootInode, "one");
        ASSERT_NE(one.inode, 0u);
        ASSERT_TRUE(insert_entry(g, img.block(one.block), "newlink", one.inode, FileType::Regular).ok());
        Inode target = img.inode(one.inode);
        target.links_count += 1;
        img.put_inode(one.inode, target);

        // Grow directory "a" by one block and move "b" into it.
        const auto a = img.find(kRootInode, "a");
        Inode dir = img.inode(a.inode);
        ASSERT_EQ(dir.size, g.block_size);
        const u32 fresh = img.allocate_block(0, dir.block[0]);
        dir = img.inode(a.inode);
        dir.block[1] = fresh;
        dir.size += g.block_size;
        dir.sectors += g.block_size / 512;
        img.put_inode(a.inode, dir);
        init_empty_directory_block(g, img.block(fresh));
        const auto b = img.find(a.inode, "b");
        ASSERT_EQ(b.block, dir.block[0]);
        EXPECT_EQ(remove_entry(g, img.block(b.block), "b").value(), b.inode);
        EXPECT_EQ(insert_entry(g, img.block(fresh), "b", b.inode, FileType::Directory).value(), 0u);

        img.reopen();
        EXPECT_EQ(img.find(a.inode, "b").block, fresh);
        const std::string path = img.save();
        expect_clean(path);
        const auto root = ls(path, "/");
        EXPECT_TRUE(contains(root, "newlink"));
        EXPECT_FALSE(contains(root, "hardlink"));
        const auto in_many = ls(path, "/many");
        EXPECT_TRUE(contains(in_many, "renamed_005"));
        EXPECT_FALSE(contains(in_many, many_name(5)));
        EXPECT_TRUE(contains(ls(path, "/a"), "b"));
        EXPECT_EQ(run("debugfs -R " + quote("cat /a/b/c/deep.txt") + " " + quote(path)).out, "deep\n");
    }
}

TEST_F(Ext2DirectoryEdit, IndexedDirectoryEditedLinearly) {
    // An htree directory edited through the linear record functions: the
    // writer clears INDEX_FL (the index is stale), as Linux's ext2 does.
    for (const char* name : {"ext2-4k-index", "ext3-1k-index"}) {
        SCOPED_TRACE(name);
        EditableImage img(image(name));
        const Geometry g = img.g();  // a copy: reopen() replaces the reader
        const u32 many = img.find(kRootInode, "many").inode;
        Inode dir = img.inode(many);
        ASSERT_TRUE(dir.has_index());
        dir.flags &= ~kInodeFlagIndex;
        img.put_inode(many, dir);
        // Rename ten entries, and put an eleventh name into the htree root's
        // former index area (block 0, after ".." ).
        for (int i = 10; i < 20; ++i) {
            const auto entry = img.find(many, many_name(i));
            ASSERT_NE(entry.block, 0u);
            ASSERT_TRUE(remove_entry(g, img.block(entry.block), many_name(i).c_str()).ok());
            ASSERT_TRUE(insert_entry(g, img.block(entry.block), ("moved_" + std::to_string(i)).c_str(), entry.inode,
                                     FileType::Regular)
                            .ok());
        }
        const auto victim = img.find(many, many_name(30));
        ASSERT_TRUE(remove_entry(g, img.block(victim.block), many_name(30).c_str()).ok());
        auto offset = insert_entry(g, img.block(dir.block[0]), "in_the_root_block", victim.inode, FileType::Regular);
        ASSERT_TRUE(offset.ok());
        EXPECT_EQ(offset.value(), 24u);  // after "." (12) and ".." (12): the index's old place
        const std::string path = img.save();
        expect_clean(path);
        const auto names = ls(path, "/many");
        EXPECT_EQ(names.size(), usize(kManyEntries + 3));
        EXPECT_TRUE(contains(names, "moved_15"));
        EXPECT_TRUE(contains(names, "in_the_root_block"));
        EXPECT_FALSE(contains(names, many_name(15)));
    }
}
