// RamFs against the host's filesystem: the same random operations on a
// RamFs and on a directory of the host's own filesystem (through the POSIX
// calls), comparing what succeeded and what the trees look like after each
// step: names, types, sizes, link counts and contents come from the host
// kernel, not from the code under test.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "support/ram_fs_fixture.hpp"

using namespace mote;
using namespace mote::fs;
using namespace mote::test;
using namespace mote::ram_fs_test;

namespace {

// A host directory, removed afterwards.
class HostDir {
public:
    HostDir() {
        char pattern[] = "/tmp/mote-ramfs-XXXXXX";
        const char* made = ::mkdtemp(pattern);
        EXPECT_NE(made, nullptr);
        m_path = made ? made : "";
    }
    ~HostDir() {
        std::string command = "rm -rf '" + m_path + "'";
        if (!m_path.empty()) (void)std::system(command.c_str());
    }
    std::string at(const std::string& relative) const { return m_path + "/" + relative; }

private:
    std::string m_path;
};

// What an operation came to, in terms both sides can give: POSIX's errno
// and RamFs's Error both fold into these.
enum class HostOutcome { Ok, Exists, NotFound, NotEmpty, Refused };

HostOutcome from_errno(int result) {
    if (result == 0) return HostOutcome::Ok;
    switch (errno) {
    case EEXIST: return HostOutcome::Exists;
    case ENOENT: return HostOutcome::NotFound;
    case ENOTEMPTY: return HostOutcome::NotEmpty;
    default: return HostOutcome::Refused;  // EISDIR, ENOTDIR, EINVAL, EPERM: BadState's cases
    }
}

HostOutcome from_error(Result<void> result) {
    if (result.ok()) return HostOutcome::Ok;
    switch (result.error()) {
    case Error::Exists: return HostOutcome::Exists;
    case Error::NotFound: return HostOutcome::NotFound;
    case Error::NotEmpty: return HostOutcome::NotEmpty;
    default: return HostOutcome::Refused;
    }
}

// A tree as text: one line per entry, with type, size, link count and
// contents (symlink targets), in sorted order.
std::string host_tree(const std::string& path, const std::string& prefix = "") {
    std::vector<std::string> entries;
    DIR* dir = ::opendir(path.c_str());
    if (!dir) return "?";
    while (dirent* entry = ::readdir(dir)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..") entries.push_back(name);
    }
    ::closedir(dir);
    std::sort(entries.begin(), entries.end());
    std::string out;
    for (const std::string& name : entries) {
        std::string full = path + "/" + name;
        struct stat st;
        ::lstat(full.c_str(), &st);
        out += prefix + name + " links=" + std::to_string(st.st_nlink);
        if (S_ISDIR(st.st_mode)) {
            out += " dir\n" + host_tree(full, prefix + name + "/");
        } else if (S_ISLNK(st.st_mode)) {
            char target[512];
            ssize_t n = ::readlink(full.c_str(), target, sizeof target);
            out += " link " + std::string(target, n > 0 ? usize(n) : 0) + "\n";
        } else {
            std::string contents;
            int fd = ::open(full.c_str(), O_RDONLY);
            char buffer[4096];
            ssize_t n;
            while (fd >= 0 && (n = ::read(fd, buffer, sizeof buffer)) > 0) contents.append(buffer, usize(n));
            if (fd >= 0) ::close(fd);
            out += " file " + std::to_string(st.st_size) + " " + contents + "\n";
        }
    }
    return out;
}

std::string ram_tree(FsNode& dir, const std::string& prefix = "") {
    std::string out;
    for (const std::string& name : names(dir)) {
        NodeRef node = lookup_now(dir, name.c_str()).value();
        Stat stat = node->stat();
        out += prefix + name + " links=" + std::to_string(stat.links);
        if (stat.type == NodeType::Directory) out += " dir\n" + ram_tree(*node, prefix + name + "/");
        else if (stat.type == NodeType::Symlink) out += " link " + read_all(*node) + "\n";
        else out += " file " + std::to_string(stat.size) + " " + read_all(*node) + "\n";
    }
    return out;
}

TEST_F(RamFsTest, BehavesLikeTheHostsFilesystem) {
    make({.bytes = 4 * kMiB, .nodes = 1000});
    HostDir host;
    std::mt19937 random(20261205);
    // A small name space, so operations collide: the interesting cases.
    const std::vector<std::string> dirs = {"", "d1/", "d2/", "d1/d3/"};
    const std::vector<std::string> leaves = {"d1", "d2", "d3", "f", "g", "h"};
    auto pick = [&](const std::vector<std::string>& from) { return from[random() % from.size()]; };
    auto ram_dir = [&](const std::string& dir) -> FsNode* {
        if (dir.empty()) return &root();
        return at(StringView(dir.data(), dir.size() - 1));
    };
    int compared = 0;
    for (int step = 0; step < 3000; ++step) {
        std::string dir = pick(dirs), name = pick(leaves);
        std::string path = dir + name;
        FsNode* parent = ram_dir(dir);
        int op = int(random() % 8);
        HostOutcome host_outcome, ram_outcome;
        std::string what;
        if (!parent || !parent->is_directory()) continue;  // the host would say ENOENT/ENOTDIR: not this layer's business
        switch (op) {
        case 0: {  // mkdir
            what = "mkdir " + path;
            host_outcome = from_errno(::mkdir(host.at(path).c_str(), 0755));
            auto made = mkdir_now(*parent, name.c_str());
            ram_outcome = made.ok() ? HostOutcome::Ok : from_error(made.error());
            break;
        }
        case 1: {  // create a file with O_EXCL, and write a few bytes
            what = "create " + path;
            std::string text = std::to_string(step);
            int fd = ::open(host.at(path).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
            host_outcome = from_errno(fd >= 0 ? 0 : -1);
            if (fd >= 0) {
                EXPECT_EQ(::write(fd, text.data(), text.size()), ssize_t(text.size()));
                ::close(fd);
            }
            auto made = create_now(*parent, name.c_str());
            ram_outcome = made.ok() ? HostOutcome::Ok : from_error(made.error());
            if (made.ok()) ASSERT_TRUE(write_string(*made.value(), 0, text).ok());
            break;
        }
        case 2: {  // unlink
            what = "unlink " + path;
            host_outcome = from_errno(::unlink(host.at(path).c_str()));
            ram_outcome = from_error(unlink_now(*parent, name.c_str(), false));
            break;
        }
        case 3: {  // rmdir
            what = "rmdir " + path;
            host_outcome = from_errno(::rmdir(host.at(path).c_str()));
            ram_outcome = from_error(unlink_now(*parent, name.c_str(), true));
            break;
        }
        case 4: case 5: {  // rename
            std::string to_dir = pick(dirs), to_name = pick(leaves);
            FsNode* to_parent = ram_dir(to_dir);
            if (!to_parent || !to_parent->is_directory()) continue;
            what = "rename " + path + " " + to_dir + to_name;
            host_outcome = from_errno(::rename(host.at(path).c_str(), host.at(to_dir + to_name).c_str()));
            ram_outcome = from_error(rename_now(*parent, name.c_str(), *to_parent, to_name.c_str()));
            break;
        }
        case 6: {  // link
            std::string from_dir = pick(dirs), from_name = pick(leaves);
            FsNode* from_parent = ram_dir(from_dir);
            if (!from_parent || !from_parent->is_directory()) continue;
            what = "link " + from_dir + from_name + " " + path;
            host_outcome = from_errno(::link(host.at(from_dir + from_name).c_str(), host.at(path).c_str()));
            auto source = lookup_now(*from_parent, from_name.c_str());
            ram_outcome = source.is_error() ? from_error(source.error()) : from_error(link_now(*parent, name.c_str(), *source.value()));
            break;
        }
        default: {  // symlink
            std::string target = pick(leaves);
            what = "symlink " + target + " " + path;
            host_outcome = from_errno(::symlink(target.c_str(), host.at(path).c_str()));
            auto made = symlink_now(*parent, name.c_str(), target.c_str());
            ram_outcome = made.ok() ? HostOutcome::Ok : from_error(made.error());
            break;
        }
        }
        ASSERT_EQ(int(ram_outcome), int(host_outcome)) << "step " << step << ": " << what;
        std::string expect = host_tree(host.at(""));
        ASSERT_EQ(ram_tree(root()), expect) << "step " << step << ": " << what;
        ++compared;
    }
    EXPECT_GT(compared, 1000);
}

}  // namespace
