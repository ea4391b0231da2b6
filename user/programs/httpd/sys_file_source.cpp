#include "sys_file_source.hpp"

#include "base/memory.hpp"
#include "sys.hpp"
#include "sys_error.hpp"

namespace mote::httpd {

using namespace mote::user;

namespace {

FileKind kind_of(u32 type) {
    switch (abi::NodeType(type)) {
    case abi::NodeType::File: return FileKind::File;
    case abi::NodeType::Directory: return FileKind::Directory;
    default: return FileKind::Other;
    }
}

// Whole seconds, rounded down also before 1970.
i64 seconds_of(i64 ns) {
    constexpr i64 kNs = 1'000'000'000;
    return ns >= 0 ? ns / kNs : -((-ns + kNs - 1) / kNs);
}

}  // namespace

Result<OpenFile> SysFileSource::open(StringView path) {
    // "/a/b" is a/b below the root, which itself is "." (a path may not be
    // empty, and a leading '/' would be refused). A '/' at the end stays:
    // it asks the walk for a directory.
    StringView relative = path.starts_with("/") ? path.substr(1) : path;
    if (relative.empty()) relative = ".";
    auto opened = sys::open(m_root, relative, abi::kOpenRead);
    if (opened.is_error()) return error_from(opened.error());
    abi::Stat stat {};
    auto stated = sys::stat(opened.value(), stat);
    if (stated.is_error()) {
        (void)sys::close(opened.value());
        return error_from(stated.error());
    }
    OpenFile file;
    file.id = opened.value();
    file.info.kind = kind_of(stat.type);
    file.info.size = stat.size;
    file.info.modified = seconds_of(stat.mtime_ns);
    return file;
}

Result<usize> SysFileSource::read(FileId file, u64 offset, Span<char> out) {
    auto got = sys::read(file, out.data(), out.size(), offset);
    if (got.is_error()) return error_from(got.error());
    return got.value();
}

Result<bool> SysFileSource::read_entry(FileId dir, u64 index, DirectoryEntry& out) {
    const bool cached = dir == m_batch_dir && index >= m_batch_first && index - m_batch_first < m_batch_count;
    if (!cached) {
        m_batch_dir = abi::kNoHandle;
        auto got = sys::readdir(dir, m_batch, kBatch, index);
        if (got.is_error()) return error_from(got.error());
        m_batch_dir = dir;
        m_batch_first = index;
        m_batch_count = min(got.value(), kBatch);
        if (m_batch_count == 0) return false;
    }
    const abi::DirEntry& entry = m_batch[index - m_batch_first];
    out.name_length = min(usize(entry.name_length), sizeof(out.name));
    mem_copy(out.name, entry.name, out.name_length);
    out.is_directory = abi::NodeType(entry.type) == abi::NodeType::Directory;
    return true;
}

void SysFileSource::close(FileId file) {
    // A handle's value may come back for another object once closed.
    if (file == m_batch_dir) m_batch_dir = abi::kNoHandle;
    (void)sys::close(file);
}

}  // namespace mote::httpd
