// fsck's checker core (user/programs/fsck/) against e2fsck on the same
// images: mke2fs -d builds ext2 and ext3 images (1 KiB and 4 KiB blocks),
// debugfs -w breaks them one way each, and for every case
//   (a) e2fsck -fn and our -n both find problems, of the same kind (the
//       e2fsck message keyword and our Problem);
//   (b) our -y repairs, and e2fsck -fn then finds the image clean;
//   (c) our second -y (and -n) run is clean.
// Fresh images (and the ext2 format tests' richer ones) must be clean for
// us too: no false positives. Expected values come from e2fsprogs, never
// from the checker.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <algorithm>
#include <functional>
#include <set>

#include <fcntl.h>
#include <unistd.h>

#include "fsck/checker.hpp"
#include "support/e2fsprogs.hpp"
#include "support/ext2_images.hpp"

namespace {

using namespace mote;
using namespace mote::ext2_test;
using fsck::Problem;

struct FileDisk {
    int fd = -1;
    u64 writes = 0;
};

Result<void> file_read(void* context, u64 offset, Bytes out) {
    auto& disk = *static_cast<FileDisk*>(context);
    return pread(disk.fd, out.data(), out.size(), off_t(offset)) == ssize_t(out.size()) ? Result<void>() : Error::Io;
}

Result<void> file_write(void* context, u64 offset, ReadonlyBytes data) {
    auto& disk = *static_cast<FileDisk*>(context);
    ++disk.writes;
    return pwrite(disk.fd, data.data(), data.size(), off_t(offset)) == ssize_t(data.size()) ? Result<void>()
                                                                                           : Error::Io;
}

void* heap_allocate(usize bytes, void*) { return std::malloc(bytes); }
void heap_release(void* pointer, void*) { std::free(pointer); }

void collect(void* context, StringView line) {
    static_cast<std::string*>(context)->append(line.data(), line.length()).append("\n");
}

struct FsckRun {
    fsck::Summary summary;
    int status = -1;
    std::string out;
    u64 writes = 0;
};

FsckRun run_fsck(const std::string& image, bool fix, usize memory_limit = 0) {
    FsckRun run;
    FileDisk file;
    file.fd = open(image.c_str(), fix ? O_RDWR : O_RDONLY);
    EXPECT_GE(file.fd, 0) << image;
    if (file.fd < 0) return run;
    const off_t size = lseek(file.fd, 0, SEEK_END);
    fsck::Disk disk {u64(size), file_read, file_write, &file};
    fsck::Allocator allocator {heap_allocate, heap_release, nullptr};
    fsck::Output output {collect, &run.out};
    fsck::Options options;
    options.fix = fix;
    options.memory_limit = memory_limit;
    run.summary = fsck::check_filesystem(disk, allocator, output, options);
    run.status = fsck::exit_status(run.summary);
    run.writes = file.writes;
    close(file.fd);
    return run;
}

// e2fsck's passes that reported a problem: the lines between its "Pass N"
// headers (1B..1D count as 1; lines before pass 1 as 0).
std::set<int> e2fsck_problem_passes(const std::string& text, const std::string& image) {
    std::set<int> passes;
    int pass = 0;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line.rfind(image, 0) == 0 || line.rfind("e2fsck ", 0) == 0) continue;
        if (line.rfind("Pass ", 0) == 0) {
            pass = line[5] - '0';
            continue;
        }
        if (line.find("Skipping journal recovery") != std::string::npos) continue;
        if (line == "Fix? no" || line == "Fix? yes") continue;
        if (line.find("WARNING: Filesystem still has errors") != std::string::npos) continue;
        passes.insert(pass);
    }
    return passes;
}

std::set<int> our_problem_passes(const fsck::Summary& summary) {
    std::set<int> passes;
    for (usize i = 0; i < fsck::kProblemCount; ++i)
        if (summary.by_problem[i]) passes.insert(int(fsck::problem_pass(Problem(i))));
    return passes;
}

std::string passes_text(const std::set<int>& passes) {
    std::string out;
    for (int p : passes) out += std::to_string(p) + " ";
    return out;
}

// The images the corruption cases start from.
struct Variant {
    const char* name;
    const char* type;
    unsigned block_size;
};

const Variant kVariants[] = {
    {"ext2-1k", "ext2", 1024},
    {"ext2-4k", "ext2", 4096},
    {"ext3-1k", "ext3", 1024},
    {"ext3-4k", "ext3", 4096},
};

class FsckImages {
public:
    static FsckImages& get() {
        static FsckImages instance;
        return instance;
    }
    bool ok() const { return m_ok; }
    const std::string& error() const { return m_error; }
    const stdfs::path& dir() const { return m_dir.path(); }
    std::string pristine(const Variant& v) const { return (m_dir.path() / (std::string(v.name) + ".img")).string(); }

private:
    FsckImages() {
        if (!have_e2fsprogs()) {
            m_error = "e2fsprogs not installed";
            return;
        }
        const stdfs::path tree = m_dir.path() / "tree";
        stdfs::create_directories(tree / "dir1" / "sub");
        stdfs::create_directories(tree / "dir2");
        stdfs::create_directories(tree / "many");
        auto put = [&](const std::string& name, size_t bytes, char fill) {
            write_file(tree / name, std::vector<u8>(bytes, u8(fill)));
        };
        put("file1", 5000, 'a');
        put("file2", 3000, 'b');
        put("empty", 0, 'e');
        put("dir1/inner", 100, 'i');
        put("dir1/sub/deep", 200, 'd');
        put("dir2/other", 2500, 'o');
        // Past the direct blocks at 1 KiB and at 4 KiB (double indirect at 1 KiB).
        write_file(tree / "big", big_content());
        put("huge", 1200 * 1024, 'h');
        for (int i = 0; i < 120; ++i) put("many/" + many_name(i), 10, 'm');
        stdfs::create_symlink("file1", tree / "fast");
        stdfs::create_symlink(slow_target(), tree / "slow");
        stdfs::create_hard_link(tree / "file2", tree / "dir2" / "file2-link");
        for (const Variant& v : kVariants) {
            const std::string image = pristine(v);
            const std::string cmd = "truncate -s 16M " + quote(image) + " && mke2fs -q -F -t " + v.type + " -b " +
                                    std::to_string(v.block_size) + " -E root_owner=0:0 -d " + quote(tree.string()) +
                                    " " + quote(image);
            if (run(cmd).status != 0 || run("e2fsck -fn " + quote(image)).status != 0) {
                m_error = "cannot make a clean " + std::string(v.name) + " image";
                return;
            }
        }
        m_ok = true;
    }

    TempDir m_dir;
    bool m_ok = false;
    std::string m_error;
};

#define REQUIRE_IMAGES()                                            \
    do {                                                            \
        if (!FsckImages::get().ok()) GTEST_SKIP() << FsckImages::get().error(); \
    } while (0)

// debugfs's answer to one request (bmap, stat) on an image.
std::string debugfs_ask(const std::string& image, const std::string& request) {
    return run("debugfs -R " + quote(request) + " " + quote(image)).out;
}

long long physical_block(const std::string& image, const std::string& path, int logical) {
    const std::string out = debugfs_ask(image, "bmap " + path + " " + std::to_string(logical));
    return out.empty() ? -1 : std::stoll(out);
}

long long inode_of(const std::string& image, const std::string& path) {
    const std::string out = debugfs_ask(image, "stat " + path);
    return number_after(out, "Inode:");
}

// A corruption: debugfs -w commands (built from the pristine image, whose
// block and inode numbers they may look up), what e2fsck says about it,
// and what we must find.
struct Case {
    const char* name;
    std::function<std::vector<std::string>(const std::string& image)> commands;
    const char* e2fsck_keyword;
    std::vector<Problem> ours;
    // e2fsck -fn's exit status: 4 (problems left) unless it stops at the
    // first corrupt directory block (12: it will not go on without a
    // salvage) or takes the problem for routine (0: the superblock's free
    // counts, which it recomputes anyway).
    std::vector<int> e2fsck_status = {4};
};

const std::vector<Case>& cases() {
    static const std::vector<Case> list = {
        {"links_count", [](const std::string&) { return std::vector<std::string> {"sif /file1 links_count 5"}; },
         "ref count is 5, should be 1", {Problem::LinkCount}},
        {"clri", [](const std::string&) { return std::vector<std::string> {"clri /dir2/other"}; },
         "deleted/unused inode", {Problem::EntryUnusedInode, Problem::BlockBitmap, Problem::InodeBitmap}},
        {"freeb",
         [](const std::string& image) {
             return std::vector<std::string> {"freeb " + std::to_string(physical_block(image, "/big", 3))};
         },
         "Block bitmap differences", {Problem::BlockBitmap}},
        {"setb",
         [](const std::string& image) {
             const long long blocks = number_after(run("dumpe2fs -h " + quote(image)).out, "Block count:");
             return std::vector<std::string> {"setb " + std::to_string(blocks - 5)};
         },
         "Block bitmap differences", {Problem::BlockBitmap}},
        {"freei", [](const std::string&) { return std::vector<std::string> {"freei /file2"}; },
         "Inode bitmap differences", {Problem::InodeBitmap}},
        {"seti", [](const std::string&) { return std::vector<std::string> {"seti <1000>"}; },
         "Inode bitmap differences", {Problem::InodeBitmap}},
        {"free_blocks_count", [](const std::string&) { return std::vector<std::string> {"ssv free_blocks_count 0"}; },
         "Free blocks count wrong", {Problem::SuperblockCounts}, {0}},
        {"group_counts",
         [](const std::string&) {
             return std::vector<std::string> {"set_bg 0 free_inodes_count 3", "set_bg 0 used_dirs_count 1"};
         },
         "count wrong for group #0", {Problem::GroupCounts}},
        {"unlink_file", [](const std::string&) { return std::vector<std::string> {"unlink /file1"}; },
         "Unattached inode", {Problem::UnattachedInode}},
        {"unlink_empty", [](const std::string&) { return std::vector<std::string> {"unlink /empty"}; },
         "Unattached zero-length inode", {Problem::UnattachedEmpty}},
        {"unlink_directory", [](const std::string&) { return std::vector<std::string> {"unlink /dir1"}; },
         "Unconnected directory inode", {Problem::UnconnectedDirectory}},
        {"illegal_block", [](const std::string&) { return std::vector<std::string> {"sif /file1 block[1] 99999999"}; },
         "Illegal block", {Problem::IllegalBlock}},
        {"illegal_indirect",
         [](const std::string&) { return std::vector<std::string> {"sif /huge block[IND] 4000000000"}; },
         "Illegal indirect block", {Problem::IllegalBlock}, {4, 12}},
        {"crossed_blocks",
         [](const std::string& image) {
             return std::vector<std::string> {"sif /file2 block[0] " + std::to_string(physical_block(image, "/big", 0))};
         },
         "multiply-claimed", {Problem::DuplicateBlock}},
        {"block_in_inode_table",
         [](const std::string& image) {
             const long long table = number_after(run("dumpe2fs " + quote(image)).out, "Inode table at ");
             return std::vector<std::string> {"sif /file1 block[0] " + std::to_string(table + 1)};
         },
         "multiply-claimed", {Problem::DuplicateBlock}},
        {"zero_directory_block",
         [](const std::string& image) {
             return std::vector<std::string> {"zap_block " + std::to_string(physical_block(image, "/dir1", 0))};
         },
         "directory corrupted", {Problem::DirectoryCorrupt}, {4, 12}},
        {"zero_many_block",
         [](const std::string& image) {
             return std::vector<std::string> {"zap_block " + std::to_string(physical_block(image, "/many", 1))};
         },
         "directory corrupted", {Problem::DirectoryCorrupt, Problem::UnattachedInode}, {4, 12}},
        {"garbage_directory_block",
         [](const std::string& image) {
             return std::vector<std::string> {"zap_block -o 24 -l 8 -p 0xff " +
                                              std::to_string(physical_block(image, "/dir2", 0))};
         },
         "directory corrupted", {Problem::DirectoryCorrupt}, {4, 12}},
        {"directory_hard_link", [](const std::string&) { return std::vector<std::string> {"link /dir1 /dir2/again"}; },
         "is a link to directory", {Problem::DirectoryHardLink}},
        {"directory_loop",
         [](const std::string&) { return std::vector<std::string> {"link /dir1 /dir1/sub/loop", "unlink /dir1"}; },
         // e2fsck only sees the ".." that no longer fits (and leaves the
         // loop detached); we cut the loop and reconnect it.
         "'..' in", {Problem::UnconnectedDirectory, Problem::BadDotDot}},
        {"bad_dotdot", [](const std::string&) {
             return std::vector<std::string> {"unlink /dir1/sub/deep", "link /dir1/sub /dir2/sub", "unlink /dir1/sub"};
         },
         "'..' in", {Problem::BadDotDot}},
        {"file_type",
         [](const std::string&) { return std::vector<std::string> {"sif /empty mode 010644"}; },
         "incorrect filetype", {Problem::EntryFileType}},
        {"directory_size", [](const std::string&) { return std::vector<std::string> {"sif /dir1 size 5000"}; },
         "i_size is 5000", {Problem::BadSize}},
        {"file_size", [](const std::string&) { return std::vector<std::string> {"sif /big size 10"}; },
         "i_size is 10", {Problem::BadSize}},
        {"i_blocks", [](const std::string&) { return std::vector<std::string> {"sif /big blocks 2"}; },
         "i_blocks is 2", {Problem::BlockCount}},
        {"dtime_in_use", [](const std::string&) { return std::vector<std::string> {"sif /file1 dtime 1234567"}; },
         "has dtime set", {Problem::DtimeSet}},
        {"bad_mode", [](const std::string&) { return std::vector<std::string> {"sif /file2 mode 0170644"}; },
         "invalid mode", {Problem::BadMode}},
        {"orphan_list",
         [](const std::string& image) {
             const std::string ino = std::to_string(inode_of(image, "/file1"));
             return std::vector<std::string> {"unlink /file1", "sif <" + ino + "> links_count 0",
                                              "ssv last_orphan " + ino};
         },
         "Inode bitmap differences", {Problem::OrphanDeleted}},
        // Found by fsck_fuzz: with its one block cleared, a slow symlink
        // read back as a fast one too long for the inode, and the next
        // check cleared it; the first must.
        {"slow_symlink_block", [](const std::string&) { return std::vector<std::string> {"sif /slow block[0] 99999999"}; },
         "is invalid", {Problem::BadSymlink}},
    };
    return list;
}

class FsckCase : public ::testing::TestWithParam<std::tuple<usize, usize>> {};

TEST_P(FsckCase, FoundFixedThenClean) {
    REQUIRE_IMAGES();
    const Variant& variant = kVariants[std::get<0>(GetParam())];
    const Case& c = cases()[std::get<1>(GetParam())];
    const std::string pristine = FsckImages::get().pristine(variant);
    const std::string image =
        (FsckImages::get().dir() / (std::string(variant.name) + "-" + c.name + ".img")).string();
    ASSERT_TRUE(stdfs::copy_file(pristine, image, stdfs::copy_options::overwrite_existing));
    const auto commands = c.commands(pristine);
    debugfs_batch(image, {}, FsckImages::get().dir());
    {
        const stdfs::path script = FsckImages::get().dir() / (std::string(c.name) + ".cmds");
        std::ofstream out(script);
        for (const auto& command : commands) out << command << "\n";
        out.close();
        ASSERT_EQ(run("debugfs -w -f " + quote(script.string()) + " " + quote(image)).status, 0);
    }

    // (a) Both find it, the same kind of thing.
    const Command e2fsck = run("e2fsck -fn " + quote(image));
    EXPECT_NE(std::find(c.e2fsck_status.begin(), c.e2fsck_status.end(), e2fsck.status), c.e2fsck_status.end())
        << e2fsck.status << "\n" << e2fsck.out;
    EXPECT_NE(e2fsck.out.find(c.e2fsck_keyword), std::string::npos) << e2fsck.out;
    const FsckRun check = run_fsck(image, false);
    EXPECT_EQ(check.status, fsck::kExitProblems) << check.out;
    EXPECT_EQ(check.writes, 0u);
    for (Problem p : c.ours) EXPECT_GT(check.summary.count(p), 0u) << fsck::problem_name(p) << "\n" << check.out;
    // Every pass where e2fsck saw something, we did too (we may see more:
    // e2fsck -n stops at a corrupt directory, and reports some follow-on
    // problems where we report their cause).
    const auto theirs = e2fsck_problem_passes(e2fsck.out, image);
    const auto ours = our_problem_passes(check.summary);
    EXPECT_TRUE(std::includes(ours.begin(), ours.end(), theirs.begin(), theirs.end()))
        << "ours: " << passes_text(ours) << "e2fsck: " << passes_text(theirs) << "\nours:\n" << check.out
        << "e2fsck:\n" << e2fsck.out;

    // (b) We repair it; e2fsck agrees it is repaired.
    const FsckRun repair = run_fsck(image, true);
    EXPECT_EQ(repair.status, fsck::kExitFixed) << repair.out;
    const Command after = run("e2fsck -fn " + quote(image));
    EXPECT_EQ(after.status, 0) << "ours:\n" << repair.out << "e2fsck:\n" << after.out;

    // (c) And we find nothing more to do.
    const FsckRun again = run_fsck(image, true);
    EXPECT_EQ(again.status, fsck::kExitClean) << again.out;
    EXPECT_EQ(again.writes, 0u);
    std::error_code ignored;
    stdfs::remove(image, ignored);
}

std::string case_name(const ::testing::TestParamInfo<FsckCase::ParamType>& info) {
    std::string name = std::string(kVariants[std::get<0>(info.param)].name) + "_" + cases()[std::get<1>(info.param)].name;
    for (char& ch : name)
        if (ch == '-') ch = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Fsck, FsckCase,
                         ::testing::Combine(::testing::Range<usize>(0, std::size(kVariants)),
                                            ::testing::Range<usize>(0, 29)),
                         case_name);

TEST(Fsck, CaseTableSize) { EXPECT_EQ(cases().size(), 29u); }

TEST(Fsck, FreshImagesAreClean) {
    REQUIRE_IMAGES();
    for (const Variant& v : kVariants) {
        const FsckRun check = run_fsck(FsckImages::get().pristine(v), false);
        EXPECT_EQ(check.status, fsck::kExitClean) << v.name << "\n" << check.out;
        EXPECT_EQ(check.writes, 0u);
        const long long blocks = number_after(run("dumpe2fs -h " + quote(FsckImages::get().pristine(v))).out,
                                              "Free blocks:");
        EXPECT_EQ(check.summary.blocks_used, check.summary.blocks_count - u32(blocks)) << v.name;
    }
}

TEST(Fsck, FormatTestImagesAreClean) {
    // dir_index, devices, symlinks of every length, a sparse file reaching
    // the triple-indirect blocks, sparse_super off: all clean to e2fsck.
    auto& images = Ext2Images::get();
    if (!images.ok()) GTEST_SKIP() << images.error();
    for (const Image& image : images.images()) {
        const FsckRun check = run_fsck(image.path, false);
        EXPECT_EQ(check.status, fsck::kExitClean) << image.spec.name << "\n" << check.out;
        const FsckRun fix = run_fsck(image.path, true);
        EXPECT_EQ(fix.status, fsck::kExitClean) << image.spec.name << "\n" << fix.out;
        EXPECT_EQ(fix.writes, 0u) << image.spec.name;
    }
}

TEST(Fsck, NeedsRecoveryIsRefused) {
    REQUIRE_IMAGES();
    const std::string image = (FsckImages::get().dir() / "recover.img").string();
    ASSERT_TRUE(stdfs::copy_file(FsckImages::get().pristine(kVariants[2]), image,
                                 stdfs::copy_options::overwrite_existing));
    ASSERT_EQ(run("debugfs -w -R 'feature needs_recovery' " + quote(image)).status, 0);
    const auto before = read_file(image);
    const FsckRun check = run_fsck(image, false);
    EXPECT_EQ(check.status, fsck::kExitNeedsRecovery) << check.out;
    const FsckRun fix = run_fsck(image, true);
    EXPECT_EQ(fix.status, fsck::kExitNeedsRecovery) << fix.out;
    EXPECT_EQ(fix.writes, 0u);
    EXPECT_EQ(read_file(image), before);
    EXPECT_NE(fix.out.find("journal"), std::string::npos);
}

TEST(Fsck, CheckOnlyNeverWrites) {
    REQUIRE_IMAGES();
    const std::string image = (FsckImages::get().dir() / "readonly.img").string();
    ASSERT_TRUE(stdfs::copy_file(FsckImages::get().pristine(kVariants[0]), image,
                                 stdfs::copy_options::overwrite_existing));
    ASSERT_EQ(run("debugfs -w -R 'sif /file1 links_count 7' " + quote(image)).status, 0);
    ASSERT_EQ(run("debugfs -w -R 'unlink /dir1' " + quote(image)).status, 0);
    const auto before = read_file(image);
    const FsckRun check = run_fsck(image, false);
    EXPECT_EQ(check.status, fsck::kExitProblems);
    EXPECT_EQ(check.writes, 0u);
    EXPECT_EQ(read_file(image), before);
    EXPECT_NE(check.out.find("link count 7 -> 1 (not fixed)"), std::string::npos) << check.out;
}

TEST(Fsck, FixLinesAndSummary) {
    REQUIRE_IMAGES();
    const std::string image = (FsckImages::get().dir() / "lines.img").string();
    ASSERT_TRUE(stdfs::copy_file(FsckImages::get().pristine(kVariants[0]), image,
                                 stdfs::copy_options::overwrite_existing));
    const long long ino = inode_of(image, "/file1");
    ASSERT_EQ(run("debugfs -w -R 'sif /file1 links_count 2' " + quote(image)).status, 0);
    const FsckRun fix = run_fsck(image, true);
    EXPECT_EQ(fix.status, fsck::kExitFixed);
    EXPECT_NE(fix.out.find("fsck: inode " + std::to_string(ino) + ": link count 2 -> 1 (fixed)"), std::string::npos)
        << fix.out;
    const Command e2fsck = run("e2fsck -fn " + quote(image));
    const long long files = std::stoll(e2fsck.out.substr(e2fsck.out.find(": ", e2fsck.out.rfind(image)) + 2));
    EXPECT_NE(fix.out.find("fsck: " + std::to_string(files) + " inodes, "), std::string::npos) << fix.out;
    EXPECT_NE(fix.out.find("; 1 problems, 1 fixed"), std::string::npos) << fix.out;
}

TEST(Fsck, MemoryLimitIsHonoured) {
    REQUIRE_IMAGES();
    const FsckRun starved = run_fsck(FsckImages::get().pristine(kVariants[0]), false, 4096);
    EXPECT_EQ(starved.status, fsck::kExitFailed);
    EXPECT_EQ(starved.summary.error, Error::NoMemory);
    const FsckRun fed = run_fsck(FsckImages::get().pristine(kVariants[0]), false, 1 << 20);
    EXPECT_EQ(fed.status, fsck::kExitClean) << fed.out;
    EXPECT_LE(fed.summary.memory_bytes, usize(1) << 20);
}

// A 256 MiB image, 1 KiB blocks, with ~160 MiB in 2,500 files over 50
// directories: clean to us and e2fsck; then a link count, a freed block and
// an unlinked file, repaired and clean. Prints how long each check took
// (this build has ASan and no optimisation: the release build is faster).
TEST(Fsck, Populated256MiB) {
    REQUIRE_IMAGES();
    TempDir dir;
    const stdfs::path tree = dir.path() / "tree";
    std::vector<u8> data(64 * 1024);
    u32 x = 7;
    for (auto& b : data) b = u8((x = x * 1103515245 + 12345) >> 16);
    for (int d = 0; d < 50; ++d) {
        const stdfs::path sub = tree / ("d" + std::to_string(d));
        stdfs::create_directories(sub);
        for (int f = 0; f < 50; ++f) {
            data[0] = u8(f);
            write_file(sub / ("f" + std::to_string(f)), data);
        }
    }
    write_file(tree / "large", std::vector<u8>(size_t(2) << 20, 'L'));
    const std::string image = (dir.path() / "big.img").string();
    ASSERT_EQ(run("truncate -s 256M " + quote(image) + " && mke2fs -q -F -t ext3 -b 1024 -E root_owner=0:0 -d " +
                  quote(tree.string()) + " " + quote(image))
                  .status,
              0);
    ASSERT_EQ(run("e2fsck -fn " + quote(image)).status, 0);
    auto timed = [&](bool fix) {
        const auto start = std::chrono::steady_clock::now();
        FsckRun r = run_fsck(image, fix, 16u << 20);
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
        std::printf("fsck %s on 256 MiB: %lld ms, %zu KiB of memory\n", fix ? "-y" : "-n", (long long)ms,
                    r.summary.memory_bytes / 1024);
        return r;
    };
    const FsckRun clean = timed(false);
    EXPECT_EQ(clean.status, fsck::kExitClean) << clean.out;
    EXPECT_GT(clean.summary.blocks_used, 160u * 1024);

    const long long block = physical_block(image, "/d7/f3", 20);
    ASSERT_EQ(run("debugfs -w -R 'sif /d1/f1 links_count 3' " + quote(image)).status, 0);
    ASSERT_EQ(run("debugfs -w -R 'freeb " + std::to_string(block) + "' " + quote(image)).status, 0);
    ASSERT_EQ(run("debugfs -w -R 'unlink /d9/f9' " + quote(image)).status, 0);
    ASSERT_EQ(run("e2fsck -fn " + quote(image)).status, 4);
    const FsckRun fix = timed(true);
    EXPECT_EQ(fix.status, fsck::kExitFixed) << fix.out;
    EXPECT_EQ(fix.summary.count(Problem::LinkCount), 1u) << fix.out;  // /d1/f1 (/d9/f9 keeps its one link)
    EXPECT_EQ(fix.summary.count(Problem::UnattachedInode), 1u) << fix.out;
    EXPECT_GE(fix.summary.count(Problem::BlockBitmap), 1u) << fix.out;
    EXPECT_EQ(run("e2fsck -fn " + quote(image)).status, 0);
    const FsckRun again = timed(false);
    EXPECT_EQ(again.status, fsck::kExitClean) << again.out;
}

TEST(Fsck, NotAnExt2Image) {
    TempDir dir;
    const std::string image = (dir.path() / "zeros.img").string();
    write_file(image, std::vector<u8>(1 << 20, 0));
    const FsckRun check = run_fsck(image, false);
    EXPECT_EQ(check.status, fsck::kExitFailed);
    EXPECT_NE(check.out.find("BadMagic"), std::string::npos) << check.out;
}

}  // namespace
