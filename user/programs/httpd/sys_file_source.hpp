// httpd's FileSource over the system calls: paths are opened below one
// directory handle (the served root), so the kernel's walk keeps every
// lookup inside it, symlinks included (Escapes, served as 403).
#pragma once

#include "abi/syscalls.hpp"
#include "file_source.hpp"

namespace mote::httpd {

class SysFileSource final : public FileSource {
public:
    explicit SysFileSource(abi::Handle root) : m_root(root) {}

    Result<OpenFile> open(StringView path) override;
    Result<usize> read(FileId file, u64 offset, Span<char> out) override;
    Result<bool> read_entry(FileId dir, u64 index, DirectoryEntry& out) override;
    void close(FileId file) override;

private:
    // A listing reads each directory twice (to measure, then to write),
    // one position at a time: entries are fetched kBatch at a time and
    // kept until another directory or position is asked for.
    static constexpr usize kBatch = 8;

    abi::Handle m_root;
    abi::Handle m_batch_dir = abi::kNoHandle;
    u64 m_batch_first = 0;
    usize m_batch_count = 0;
    abi::DirEntry m_batch[kBatch];
};

}  // namespace mote::httpd
