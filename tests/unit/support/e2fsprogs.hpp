// Running Debian's e2fsprogs (mke2fs, debugfs, dumpe2fs, e2fsck) from the
// ext2 tests, and parsing what they print: the independent source of every
// expected value in the ext2 format tests.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "base/types.hpp"

namespace mote::ext2_test {

namespace stdfs = std::filesystem;

struct Command {
    int status = -1;
    std::string out;
};

// Runs `cmd` through the shell; stdout is captured, stderr discarded.
inline Command run(const std::string& cmd) {
    Command result;
    FILE* pipe = popen((cmd + " 2>/dev/null").c_str(), "r");
    if (!pipe) return result;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
    const int status = pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

inline std::string quote(const std::string& s) { return "'" + s + "'"; }

inline bool have_e2fsprogs() {
    return std::system("command -v mke2fs >/dev/null 2>&1 && command -v debugfs >/dev/null 2>&1 && "
                       "command -v dumpe2fs >/dev/null 2>&1 && command -v e2fsck >/dev/null 2>&1") == 0;
}

inline std::vector<u8> read_file(const stdfs::path& path) {
    // One read: images are tens of MiB and the tests run under ASan.
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    std::vector<u8> out(in ? usize(in.tellg()) : 0);
    in.seekg(0);
    in.read(reinterpret_cast<char*>(out.data()), std::streamsize(out.size()));
    return out;
}

inline void write_file(const stdfs::path& path, const std::vector<u8>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// A fresh directory under the system's temp dir, removed with the object.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (stdfs::temp_directory_path() / "mote-ext2-XXXXXX").string();
        m_path = mkdtemp(tmpl.data()) ? stdfs::path(tmpl) : stdfs::path();
    }
    ~TempDir() {
        std::error_code ignored;
        if (!m_path.empty()) stdfs::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const stdfs::path& path() const { return m_path; }

private:
    stdfs::path m_path;
};

// "Key:   value" lines (dumpe2fs -h) as a map; values trimmed.
inline std::map<std::string, std::string> key_values(const std::string& text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        const auto start = value.find_first_not_of(" \t");
        const auto end = value.find_last_not_of(" \t");
        out[line.substr(0, colon)] = start == std::string::npos ? "" : value.substr(start, end - start + 1);
    }
    return out;
}

// The unsigned number that follows `key` in `text` (decimal, or hex after
// "0x"); -1 if the key is absent.
inline long long number_after(const std::string& text, const std::string& key) {
    auto at = text.find(key);
    if (at == std::string::npos) return -1;
    at += key.size();
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
    if (text.compare(at, 2, "0x") == 0) return std::stoll(text.substr(at + 2), nullptr, 16);
    return std::stoll(text.substr(at));
}

// One group as `dumpe2fs` (without -h) prints it.
struct DumpGroup {
    long long superblock = -1;  // primary or backup superblock block, -1 if none
    long long descriptors_first = -1, descriptors_last = -1;
    long long block_bitmap = -1, inode_bitmap = -1, inode_table = -1;
    long long free_blocks = -1, free_inodes = -1, directories = -1;
};

inline std::vector<DumpGroup> dumpe2fs_groups(const std::string& image) {
    std::vector<DumpGroup> groups;
    std::istringstream in(run("dumpe2fs " + quote(image)).out);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("Group ", 0) == 0) {
            groups.emplace_back();
            continue;
        }
        if (groups.empty()) continue;
        DumpGroup& g = groups.back();
        if (line.find("superblock at ") != std::string::npos) {
            g.superblock = number_after(line, "superblock at ");
            const auto at = line.find("Group descriptors at ");
            if (at != std::string::npos) {
                std::string range = line.substr(at + 21);
                g.descriptors_first = std::stoll(range);
                g.descriptors_last = std::stoll(range.substr(range.find('-') + 1));
            }
        }
        if (line.find("Block bitmap at ") != std::string::npos) g.block_bitmap = number_after(line, "Block bitmap at ");
        if (line.find("Inode bitmap at ") != std::string::npos) g.inode_bitmap = number_after(line, "Inode bitmap at ");
        if (line.find("Inode table at ") != std::string::npos) g.inode_table = number_after(line, "Inode table at ");
        if (line.find(" free blocks, ") != std::string::npos) {
            std::istringstream fields(line);
            std::string word;
            fields >> g.free_blocks >> word >> word >> g.free_inodes >> word >> word >> g.directories;
        }
    }
    return groups;
}

// Runs debugfs commands in one process (debugfs -f) and returns each
// command's output, in order.
inline std::vector<std::string> debugfs_batch(const std::string& image, const std::vector<std::string>& commands,
                                              const stdfs::path& scratch) {
    const stdfs::path script = scratch / "debugfs.cmds";
    {
        std::ofstream out(script);
        for (const auto& c : commands) out << c << "\n";
    }
    const std::string text = run("debugfs -f " + quote(script.string()) + " " + quote(image)).out;
    // Each command's output is preceded by "debugfs: <command>".
    std::vector<std::string> outputs;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("debugfs: ", 0) == 0) {
            outputs.emplace_back();
            continue;
        }
        if (!outputs.empty()) outputs.back() += line + "\n";
    }
    return outputs;
}

// One `ls -p` line: /inode/mode/uid/gid/name/size/.
struct LsEntry {
    unsigned inode = 0;
    unsigned mode = 0;
    std::string name;
};

inline std::vector<LsEntry> parse_ls_p(const std::string& text) {
    std::vector<LsEntry> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() < 2 || line[0] != '/') continue;
        std::vector<std::string> fields;
        size_t start = 1;
        // The name may hold anything but '/', so split from both ends.
        for (int i = 0; i < 4; ++i) {
            const auto slash = line.find('/', start);
            fields.push_back(line.substr(start, slash - start));
            start = slash + 1;
        }
        const auto last = line.rfind('/', line.size() - 2);
        LsEntry e;
        e.inode = unsigned(std::stoul(fields[0]));
        e.mode = unsigned(std::stoul(fields[1], nullptr, 8));
        e.name = line.substr(start, last - start);
        out.push_back(e);
    }
    return out;
}

}  // namespace mote::ext2_test
