// The ext2/ext3 images the ext2 format tests decode: made once per test
// process with mke2fs -d from a tree written here (files of every size
// class, a sparse file reaching the triple-indirect blocks at 1 KiB, fast and
// slow symlinks, a fifo, devices, a hard link, a deep path and a directory
// of ~500 entries), in a temp dir removed at exit.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <sys/stat.h>

#include "e2fsprogs.hpp"

namespace mote::ext2_test {

struct ImageSpec {
    const char* name;
    const char* type;  // mke2fs -t: ext2 or ext3
    unsigned block_size;
    unsigned inode_size;
    bool dir_index;     // -O dir_index and e2fsck -D to index the big directory
    const char* extra;  // more mke2fs options
    unsigned size_mib;
};

inline const std::vector<ImageSpec>& image_specs() {
    static const std::vector<ImageSpec> specs = {
        {"ext2-1k", "ext2", 1024, 128, false, "-L mote-volume", 16},
        {"ext2-4k-index", "ext2", 4096, 256, true, "", 32},
        {"ext3-1k-index", "ext3", 1024, 256, true, "-g 2048", 16},
        {"ext3-2k", "ext3", 2048, 128, false, "-L ext3", 24},
        {"ext2-1k-nosparse", "ext2", 1024, 128, false, "-O ^sparse_super,^resize_inode -g 1024", 16},
    };
    return specs;
}

struct Image {
    ImageSpec spec;
    std::string path;
    std::vector<u8> bytes;
};

// The source tree's names, for tests that look things up.
inline constexpr int kManyEntries = 500;
inline std::string many_name(int i) {
    char name[64];
    std::snprintf(name, sizeof name, "entry_with_a_longer_name_%03d", i);
    return name;
}
inline std::string long_name() { return std::string(255, 'L'); }
inline std::string slow_target() { return std::string(100, 's') + "/end"; }

inline std::vector<u8> big_content() {
    std::vector<u8> out(300000);
    u32 x = 12345;
    for (auto& b : out) {
        x = x * 1103515245 + 12345;
        b = u8(x >> 16);
    }
    return out;
}

class Ext2Images {
public:
    static Ext2Images& get() {
        static Ext2Images instance;
        return instance;
    }
    bool ok() const { return m_ok; }
    const std::string& error() const { return m_error; }
    const std::vector<Image>& images() const { return m_images; }
    const stdfs::path& tree() const { return m_tree; }
    const stdfs::path& scratch() const { return m_dir.path(); }

private:
    Ext2Images() {
        if (!have_e2fsprogs()) {
            m_error = "e2fsprogs (mke2fs, debugfs, dumpe2fs, e2fsck) not installed";
            return;
        }
        m_tree = m_dir.path() / "tree";
        make_tree();
        for (const ImageSpec& spec : image_specs()) {
            Image image {spec, (m_dir.path() / (std::string(spec.name) + ".img")).string(), {}};
            if (!make_image(image)) return;
            image.bytes = read_file(image.path);
            m_images.push_back(std::move(image));
        }
        m_ok = true;
    }

    void put(const std::string& name, const std::vector<u8>& data) { write_file(m_tree / name, data); }

    void make_tree() {
        stdfs::create_directories(m_tree / "a" / "b" / "c");
        stdfs::create_directories(m_tree / "many");
        put("empty", {});
        put("one", {'x'});
        put("twelve", std::vector<u8>(12 * 1024, 'T'));
        put("thirteen", std::vector<u8>(12 * 1024 + 1, 'U'));
        put("big", big_content());
        put("a/b/c/deep.txt", {'d', 'e', 'e', 'p', '\n'});
        // 70 MiB of hole, then a few bytes: the last block is reached through
        // the triple-indirect pointer with 1 KiB blocks.
        {
            std::ofstream out(m_tree / "sparse", std::ios::binary);
            out.seekp(70 * 1024 * 1024);
            out << "tail";
        }
        for (int i = 0; i < kManyEntries; ++i) put("many/" + many_name(i), {});
        put("many/" + long_name(), {'l'});
        stdfs::create_symlink("target/of/a/fast/link", m_tree / "fast");
        stdfs::create_symlink(slow_target(), m_tree / "slow");
        stdfs::create_symlink(std::string(59, 'f'), m_tree / "edge59");
        stdfs::create_symlink(std::string(60, 's'), m_tree / "edge60");
        mkfifo((m_tree / "fifo").c_str(), 0644);
        stdfs::create_hard_link(m_tree / "many" / many_name(0), m_tree / "hardlink");
    }

    bool make_image(const Image& image) {
        const ImageSpec& s = image.spec;
        std::string cmd = "truncate -s " + std::to_string(s.size_mib) + "M " + quote(image.path) + " && mke2fs -q -F -t " +
                          s.type + " -b " + std::to_string(s.block_size) + " -I " + std::to_string(s.inode_size) +
                          (s.dir_index ? " -O dir_index " : " -O ^dir_index ") + s.extra + " -E root_owner=0:0 -d " +
                          quote(m_tree.string()) + " " + quote(image.path);
        if (run(cmd).status != 0) {
            m_error = "mke2fs failed: " + cmd;
            return false;
        }
        // Devices (mke2fs -d would need them in the tree, which needs root):
        // one in the old 8:8 encoding, one needing the new one.
        run("debugfs -w -R 'mknod chr c 4 5' " + quote(image.path));
        run("debugfs -w -R 'mknod blk b 8 300' " + quote(image.path));
        // mke2fs -d does not index directories; e2fsck -D does (exit 1: fixed).
        if (s.dir_index && run("e2fsck -fyD " + quote(image.path)).status > 1) {
            m_error = "e2fsck -D failed on " + image.path;
            return false;
        }
        if (run("e2fsck -fn " + quote(image.path)).status != 0) {
            m_error = "e2fsck finds the fresh image unclean: " + image.path;
            return false;
        }
        return true;
    }

    TempDir m_dir;
    stdfs::path m_tree;
    std::vector<Image> m_images;
    bool m_ok = false;
    std::string m_error;
};

}  // namespace mote::ext2_test
