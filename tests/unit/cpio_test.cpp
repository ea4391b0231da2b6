// The newc cpio decoder: good archives from the independent writer in
// support/cpio_builder.hpp (and from the real cpio tool and tools/mkcpio.py
// when present), one crafted archive or more for every CpioFault, and
// truncation / bit-flip sweeps that must never crash.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include "fs/cpio.hpp"
#include "support/cpio_builder.hpp"

using namespace mote;
using namespace mote::fs;
using namespace mote::cpio_test;

namespace {

CpioFault fault_of(const std::vector<u8>& bytes) {
    CpioFault fault = CpioFault::TooManyEntries;  // must be overwritten
    auto archive = CpioArchive::decode(ReadonlyBytes(bytes.data(), bytes.size()), &fault);
    EXPECT_EQ(archive.ok(), fault == CpioFault::None);
    if (archive.is_error()) EXPECT_EQ(archive.error(), Error::Malformed);
    return fault;
}

struct Seen {
    std::string path;
    u32 mode;
    u32 inode;
    std::string data;
};

std::vector<Seen> entries_of(const CpioArchive& archive) {
    std::vector<Seen> out;
    for (const CpioEntry& e : archive)
        out.push_back({std::string(e.path.data(), e.path.length()), e.mode, e.inode,
                       std::string(reinterpret_cast<const char*>(e.data.data()), e.data.size())});
    return out;
}

std::string text(StringView s) { return std::string(s.data(), s.length()); }

}  // namespace

// ---------------------------------------------------------------------------
// Good archives.

TEST(Cpio, OnlyATrailer) {
    auto bytes = CpioBuilder().build();
    auto archive = CpioArchive::decode(ReadonlyBytes(bytes.data(), bytes.size()));
    ASSERT_TRUE(archive.ok());
    EXPECT_EQ(archive.value().entry_count(), 0u);
    EXPECT_EQ(archive.value().path_count(), 0u);
    EXPECT_EQ(archive.value().used_size(), bytes.size());
    EXPECT_TRUE(archive.value().begin() == archive.value().end());
}

TEST(Cpio, FilesDirectoriesAndImpliedDirectories) {
    CpioBuilder b;
    b.dir("etc", 0700).file("etc/motd", "hello\n", 0640).file("bin/ls", "LS").file("bin/sh", "SH", 0755);
    b.file("empty", "");
    auto bytes = b.build();
    auto archive = CpioArchive::decode(ReadonlyBytes(bytes.data(), bytes.size()));
    ASSERT_TRUE(archive.ok());
    EXPECT_EQ(archive.value().entry_count(), 5u);
    // etc, etc/motd, bin (implied), bin/ls, bin/sh, empty.
    EXPECT_EQ(archive.value().path_count(), 6u);

    auto seen = entries_of(archive.value());
    ASSERT_EQ(seen.size(), 5u);
    EXPECT_EQ(seen[0].path, "etc");
    EXPECT_EQ(seen[0].mode, kDirectory | 0700);
    EXPECT_EQ(seen[0].data, "");
    EXPECT_EQ(seen[1].path, "etc/motd");
    EXPECT_EQ(seen[1].mode, kRegular | 0640);
    EXPECT_EQ(seen[1].data, "hello\n");
    EXPECT_EQ(seen[2].path, "bin/ls");
    EXPECT_EQ(seen[3].path, "bin/sh");
    EXPECT_EQ(seen[3].data, "SH");
    EXPECT_EQ(seen[4].path, "empty");
    EXPECT_EQ(seen[4].data, "");
    for (usize i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].inode, 100 + i);

    // Entry offsets, permissions and type helpers.
    usize i = 0;
    for (const CpioEntry& e : archive.value()) {
        EXPECT_EQ(e.offset, b.offsets()[i]);
        EXPECT_EQ(e.permissions(), e.mode & 07777);
        EXPECT_EQ(e.is_directory(), i == 0);
        ++i;
    }
}

TEST(Cpio, FileDataIsBorrowedNotCopied) {
    std::string big(1 << 20, '\0');
    for (usize i = 0; i < big.size(); ++i) big[i] = char(i * 7 + (i >> 12));
    auto bytes = CpioBuilder().file("a", "x").file("big", big).file("z", "zz").build();
    auto archive = CpioArchive::decode(ReadonlyBytes(bytes.data(), bytes.size()));
    ASSERT_TRUE(archive.ok());
    auto it = archive.value().begin();
    ++it;
    EXPECT_EQ(text(it->path), "big");
    ASSERT_EQ(it->size(), big.size());
    EXPECT_GE(it->data.data(), bytes.data());
    EXPECT_LE(it->data.data() + it->data.size(), bytes.data() + bytes.size());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(it->data.data()), it->data.size()), big);
}

TEST(Cpio, ChecksummedLowercaseBlockPaddedAndUnaligned) {
    CpioRecord lower;
    lower.name = "lower";
    lower.data = "abc";
    lower.lowercase = true;
    lower.mode = kRegular | 0755;  // lowercase hex digits in the mode
    auto bytes = CpioBuilder().checksummed().file("f", "\xff\xfe\x01 checksum").record(lower).pad_to(512).build();
    ASSERT_EQ(bytes.size(), 512u);
    // One byte of offset so nothing is 4-aligned in memory.
    std::vector<u8> shifted(bytes.size() + 1);
    std::copy(bytes.begin(), bytes.end(), shifted.begin() + 1);
    auto archive = CpioArchive::decode(ReadonlyBytes(shifted.data() + 1, bytes.size()));
    ASSERT_TRUE(archive.ok());
    EXPECT_EQ(archive.value().entry_count(), 2u);
    EXPECT_LT(archive.value().used_size(), 512u);
    auto seen = entries_of(archive.value());
    EXPECT_EQ(seen[0].data, "\xff\xfe\x01 checksum");
    EXPECT_EQ(seen[1].mode, kRegular | 0755);
}

TEST(Cpio, PathCountCountsEachDistinctPathOnce) {
    auto count = [](CpioBuilder b) {
        auto bytes = b.build();
        auto archive = CpioArchive::decode(ReadonlyBytes(bytes.data(), bytes.size()));
        EXPECT_TRUE(archive.ok());
        return archive.ok() ? archive.value().path_count() : 0;
    };
    EXPECT_EQ(count(CpioBuilder().file("a/b/c", "")), 3u);
    EXPECT_EQ(count(CpioBuilder().file("a/b", "").file("a/c", "")), 3u);
    EXPECT_EQ(count(CpioBuilder().dir("a").file("a/b", "")), 2u);
    EXPECT_EQ(count(CpioBuilder().file("a/b", "").dir("a")), 2u);
    EXPECT_EQ(count(CpioBuilder().file("ab", "").file("a/b", "")), 3u);
    EXPECT_EQ(count(CpioBuilder().file("a/bc", "").file("a/b", "")), 3u);
    EXPECT_EQ(count(CpioBuilder().file("x/y/z", "").file("x/y/w", "").dir("x/q").dir("x")), 5u);
}

// ---------------------------------------------------------------------------
// One crafted archive (or more) per CpioFault.

TEST(CpioFaults, EveryFaultHasAName) {
    std::set<std::string> names;
    for (usize i = 0; i < kCpioFaultCount; ++i) names.insert(cpio_fault_name(CpioFault(i)));
    EXPECT_EQ(names.size(), kCpioFaultCount);
    EXPECT_EQ(names.count("UnknownCpioFault"), 0u);
    EXPECT_STREQ(cpio_fault_name(CpioFault(kCpioFaultCount)), "UnknownCpioFault");
}

namespace {

CpioRecord rec(std::string name, std::string data = "", u32 mode = kRegular | 0644) {
    CpioRecord r;
    r.name = std::move(name);
    r.data = std::move(data);
    r.mode = mode;
    return r;
}

// A clean path of exactly `length` bytes: components of 99 bytes.
std::string long_path(usize length) {
    std::string path(length, 'p');
    for (usize i = 99; i < length - 1; i += 100) path[i] = '/';
    return path;
}

std::vector<u8> one(CpioRecord r) { return CpioBuilder().record(std::move(r)).build(); }

// `bytes` with a field of its first header (at offset 0) replaced.
std::vector<u8> with_field(std::vector<u8> bytes, usize field, const char* value) {
    set_field(bytes, 0, field, value);
    return bytes;
}

struct FaultCase {
    const char* what;
    std::function<std::vector<u8>()> make;
    CpioFault expect;
};

std::vector<FaultCase> fault_cases() {
    std::vector<FaultCase> cases;
    auto good = [] { return CpioBuilder().file("a", "data").build(); };
    auto add = [&](const char* what, CpioFault f, std::function<std::vector<u8>()> make) {
        cases.push_back({what, std::move(make), f});
    };

    add("short header", CpioFault::TruncatedHeader, [&] {
        auto b = good();
        b.resize(50);
        return b;
    });
    add("trailer cut inside its header", CpioFault::TruncatedHeader, [&] {
        auto b = good();
        b.resize(b.size() - 30);
        return b;
    });
    add("odc magic 070707", CpioFault::BadMagic, [&] {
        auto b = good();
        b[5] = '7';
        return b;
    });
    add("magic 070703", CpioFault::BadMagic, [&] {
        auto b = good();
        b[5] = '3';
        return b;
    });
    add("magic x70701", CpioFault::BadMagic, [&] {
        auto b = good();
        b[0] = 'x';
        return b;
    });
    add("zeros where a header should be", CpioFault::BadMagic, [] { return std::vector<u8>(200, 0); });
    add("'g' in the mode", CpioFault::BadHexField, [&] { return with_field(good(), kFMode, "000081g4"); });
    add("space in the filesize", CpioFault::BadHexField, [&] { return with_field(good(), kFFileSize, " 0000004"); });
    add("'-' in the check field", CpioFault::BadHexField, [&] { return with_field(good(), kFCheck, "-0000000"); });
    add("'x' in the trailer's namesize", CpioFault::BadHexField, [&] {
        auto b = good();
        CpioBuilder builder;
        builder.file("a", "data").build();
        set_field(b, builder.offsets()[1], kFNameSize, "0x00000b");
        return b;
    });
    add("namesize 0", CpioFault::EmptyName, [] {
        auto r = rec("a");
        r.namesize = 0;
        return one(r);
    });
    add("namesize 0xffffffff", CpioFault::NameOutOfBounds, [] {
        auto r = rec("a");
        r.namesize = 0xffffffff;
        return one(r);
    });
    add("name past the end", CpioFault::NameOutOfBounds, [] {
        auto b = CpioBuilder().no_trailer().file("abc", "").build();  // 110 + 4 + 2 padding
        set_field(b, 0, kFNameSize, "00000007");
        return b;
    });
    add("no NUL at the name's end", CpioFault::UnterminatedName, [] {
        auto r = rec("abcd");
        r.nul = false;
        return one(r);
    });
    add("namesize one short of the NUL", CpioFault::UnterminatedName, [] {
        auto r = rec("abcdef");
        r.namesize = 6;
        return one(r);
    });
    add("NUL inside the name", CpioFault::NulInName, [] { return one(rec(std::string("a\0b", 3))); });
    add("filesize 0xffffffff", CpioFault::DataOutOfBounds, [] {
        auto r = rec("a", "data");
        r.filesize = 0xffffffff;
        return one(r);
    });
    add("data one byte past the end", CpioFault::DataOutOfBounds, [] {
        auto b = CpioBuilder().no_trailer().file("a", "data").build();
        set_field(b, 0, kFFileSize, "00000005");
        return b;
    });
    add("data padding missing at the end", CpioFault::DataOutOfBounds, [] {
        auto b = CpioBuilder().no_trailer().file("a", "dat").build();
        b.pop_back();
        return b;
    });
    add("non-zero name padding", CpioFault::BadPadding, [] {
        auto r = rec("ab", "data");  // 110 + 3: one byte of padding
        r.pad = 0x20;
        return one(r);
    });
    add("non-zero data padding", CpioFault::BadPadding, [] {
        auto r = rec("a", "x");  // the name needs no padding, the data 3 bytes
        r.pad = 1;
        return one(r);
    });
    add("070702 with a wrong sum", CpioFault::BadChecksum, [] {
        auto r = rec("a", "data");
        r.magic = "070702";
        r.check = 'd' + 'a' + 't' + 'a' + 1;
        return one(r);
    });
    add("070702 with sum of 070701 default", CpioFault::BadChecksum, [] {
        auto r = rec("a", "data");
        r.magic = "070702";
        r.check = 0;
        return one(r);
    });
    add("empty archive", CpioFault::MissingTrailer, [] { return std::vector<u8>(); });
    add("no trailer", CpioFault::MissingTrailer, [] { return CpioBuilder().no_trailer().file("a", "b").build(); });
    add("a byte after the trailer", CpioFault::TrailingData, [] {
        auto b = CpioBuilder().file("a", "b").pad_to(512).build();
        b[b.size() - 1] = 1;
        return b;
    });
    add("a second archive after the trailer", CpioFault::TrailingData, [] {
        auto b = CpioBuilder().file("a", "b").build();
        auto c = CpioBuilder().file("c", "d").build();
        b.insert(b.end(), c.begin(), c.end());
        return b;
    });
    add("symlink", CpioFault::UnsupportedType, [] { return one(rec("l", "target", 0120777)); });
    add("character device", CpioFault::UnsupportedType, [] { return one(rec("dev/console", "", 0020600)); });
    add("block device", CpioFault::UnsupportedType, [] { return one(rec("vda", "", 0060600)); });
    add("fifo", CpioFault::UnsupportedType, [] { return one(rec("p", "", 0010644)); });
    add("socket", CpioFault::UnsupportedType, [] { return one(rec("s", "", 0140755)); });
    add("type bits 0", CpioFault::UnsupportedType, [] { return one(rec("z", "", 0644)); });
    add("hard-linked file", CpioFault::HardLink, [] {
        auto r = rec("a", "data");
        r.nlink = 2;
        return one(r);
    });
    add("directory with data", CpioFault::DirectoryWithData, [] { return one(rec("d", "x", kDirectory | 0755)); });
    add("absolute path", CpioFault::AbsolutePath, [] { return one(rec("/bin/sh")); });
    add("the root", CpioFault::AbsolutePath, [] { return one(rec("/", "", kDirectory | 0755)); });
    for (const char* bad : {"", ".", "..", "./a", "a/.", "a/./b", "a/..", "../a", "a//b", "a/", "a/b/"}) {
        add(bad, CpioFault::BadPath, [bad] { return one(rec(bad)); });
    }
    add("a 256-byte component", CpioFault::NameTooLong, [] { return one(rec("d/" + std::string(256, 'n'))); });
    add("a 1025-byte path", CpioFault::NameTooLong, [] { return one(rec(long_path(1025))); });
    add("the same file twice", CpioFault::DuplicatePath, [] {
        return CpioBuilder().file("a", "1").file("a", "2").build();
    });
    add("the same directory twice", CpioFault::DuplicatePath, [] {
        return CpioBuilder().dir("d").file("d/x", "").dir("d").build();
    });
    add("a nested file twice", CpioFault::DuplicatePath, [] {
        return CpioBuilder().file("a/b", "1").file("c", "").file("a/b", "2").build();
    });
    add("a file then a directory of the same name", CpioFault::DuplicatePath, [] {
        return CpioBuilder().file("a", "1").dir("a").build();
    });
    add("below an earlier file", CpioFault::ParentNotDirectory, [] {
        return CpioBuilder().file("a", "1").file("a/b", "2").build();
    });
    add("a file where an earlier path has a directory", CpioFault::ParentNotDirectory, [] {
        return CpioBuilder().file("a/b", "1").file("a", "2").build();
    });
    add("deep", CpioFault::ParentNotDirectory, [] {
        return CpioBuilder().file("x/y/z", "1").file("x/y", "2").build();
    });
    add("1025 entries", CpioFault::TooManyEntries, [] {
        CpioBuilder b;
        for (int i = 0; i < 1025; ++i) b.file("f" + std::to_string(i), "");
        return b.build();
    });
    return cases;
}

}  // namespace

TEST(CpioFaults, EachCraftedArchiveGetsItsFault) {
    std::set<CpioFault> covered;
    for (const FaultCase& c : fault_cases()) {
        EXPECT_EQ(cpio_fault_name(fault_of(c.make())), std::string(cpio_fault_name(c.expect))) << c.what;
        covered.insert(c.expect);
    }
    // Every fault but None has at least one case.
    EXPECT_EQ(covered.size(), kCpioFaultCount - 1);
}

TEST(CpioFaults, LimitsAreInclusive) {
    EXPECT_EQ(fault_of(one(rec("d/" + std::string(255, 'n')))), CpioFault::None);
    EXPECT_EQ(fault_of(one(rec(long_path(1024)))), CpioFault::None);
    CpioBuilder b;
    for (int i = 0; i < 1024; ++i) b.file("f" + std::to_string(i), "");
    EXPECT_EQ(fault_of(b.build()), CpioFault::None);
}

TEST(CpioFaults, NullFaultPointerIsFine) {
    std::vector<u8> bad(10, 'x');
    auto archive = CpioArchive::decode(ReadonlyBytes(bad.data(), bad.size()));
    ASSERT_TRUE(archive.is_error());
    EXPECT_EQ(archive.error(), Error::Malformed);
}

// Every prefix of a good archive is rejected (the trailer comes last), and
// no single flipped bit can crash the decoder or make it accept an archive
// whose entries then fail to iterate.
TEST(CpioFaults, TruncationAndBitFlipSweeps) {
    auto good = CpioBuilder().dir("bin").file("bin/sh", "#!shell").file("etc/motd", "hi").file("e", "").build();
    for (usize n = 0; n < good.size(); ++n) {
        std::vector<u8> cut(good.begin(), good.begin() + n);
        EXPECT_NE(fault_of(cut), CpioFault::None) << n;
    }
    for (usize i = 0; i < good.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto b = good;
            b[i] ^= u8(1 << bit);
            CpioFault fault = CpioFault::None;
            auto archive = CpioArchive::decode(ReadonlyBytes(b.data(), b.size()), &fault);
            if (archive.ok()) {
                usize n = 0;
                for (const CpioEntry& e : archive.value()) n += e.data.size() <= b.size();
                EXPECT_EQ(n, archive.value().entry_count());
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Archives from real writers.

namespace {

namespace stdfs = std::filesystem;

stdfs::path make_tree() {
    stdfs::path root = stdfs::temp_directory_path() / ("mote_cpio_" + std::to_string(::getpid()));
    stdfs::remove_all(root);
    stdfs::create_directories(root / "bin");
    stdfs::create_directories(root / "etc" / "empty.d");
    auto write = [&](const char* name, const std::string& data) {
        std::ofstream(root / name, std::ios::binary) << data;
    };
    write("bin/sh", "#!shell\n");
    write("bin/ls", std::string(5000, 'L'));
    write("etc/motd", "hello from the initramfs\n");
    write("zero", "");
    return root;
}

void expect_tree(const std::vector<u8>& bytes) {
    CpioFault fault = CpioFault::None;
    auto archive = CpioArchive::decode(ReadonlyBytes(bytes.data(), bytes.size()), &fault);
    ASSERT_TRUE(archive.ok()) << cpio_fault_name(fault);
    std::map<std::string, Seen> by_path;
    for (auto& s : entries_of(archive.value())) by_path[s.path] = s;
    std::set<std::string> paths;
    for (auto& [p, s] : by_path) paths.insert(p);
    EXPECT_EQ(paths, (std::set<std::string> {"bin", "bin/ls", "bin/sh", "etc", "etc/empty.d", "etc/motd", "zero"}));
    EXPECT_EQ(by_path["bin/sh"].data, "#!shell\n");
    EXPECT_EQ(by_path["bin/ls"].data, std::string(5000, 'L'));
    EXPECT_EQ(by_path["etc/motd"].data, "hello from the initramfs\n");
    EXPECT_EQ(by_path["zero"].data, "");
    EXPECT_EQ(by_path["etc/empty.d"].mode & 0170000, kDirectory);
    EXPECT_EQ(by_path["bin/sh"].mode & 0170000, kRegular);
    EXPECT_EQ(archive.value().path_count(), 7u);
}

std::vector<u8> read_file(const stdfs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<u8>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST(CpioCrossCheck, RealCpioTool) {
    if (std::system("command -v cpio >/dev/null 2>&1") != 0) GTEST_SKIP() << "no cpio tool on this machine";
    stdfs::path root = make_tree();
    stdfs::path out = root.string() + ".cpio";
    std::string cmd = "cd '" + root.string() + "' && find bin etc zero | LC_ALL=C sort | cpio -o -H newc --quiet > '" +
                      out.string() + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    expect_tree(read_file(out));
    stdfs::remove_all(root);
    stdfs::remove(out);
}

TEST(CpioCrossCheck, MkcpioTool) {
    if (std::system("command -v python3 >/dev/null 2>&1") != 0) GTEST_SKIP() << "no python3";
    stdfs::path tool = stdfs::path(MOTE_TEST_DATA) / ".." / ".." / "tools" / "mkcpio.py";
    ASSERT_TRUE(stdfs::exists(tool)) << tool;
    stdfs::path root = make_tree();
    stdfs::path out = root.string() + ".cpio";
    std::string cmd = "python3 '" + tool.string() + "' '" + root.string() + "' '" + out.string() + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    auto bytes = read_file(out);
    expect_tree(bytes);
    // Deterministic: the same tree gives the same bytes.
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    EXPECT_EQ(read_file(out), bytes);
    stdfs::remove_all(root);
    stdfs::remove(out);
}
