// What httpd serves from: the files and directories below its root, reached
// through this narrow interface so the connection logic stays pure. The
// program implements it over open/stat/read/readdir (sys_file_source.hpp);
// the unit tests over a table in memory.
//
// A path here is what the request parser decoded and normalised
// (http_target.hpp): it starts with '/', which names the served root, has
// no "." or ".." segments, and ends with '/' when the client named a
// directory. Whether it may leave the root through a symlink is the
// source's business (the kernel refuses that with Escapes).
#pragma once

#include "abi/syscalls.hpp"
#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::httpd {

enum class FileKind : u8 {
    File,
    Directory,
    Other,  // a device, a socket, a process, ...: never served
};

struct FileInfo {
    FileKind kind = FileKind::Other;
    u64 size = 0;
    i64 modified = 0;  // Unix seconds of the last change of the contents
};

// An open file or directory, as the source numbers it.
using FileId = u32;

struct OpenFile {
    FileId id = 0;
    FileInfo info;
};

// One name in a directory, copied out (the source's buffers are reused).
struct DirectoryEntry {
    char name[abi::kNameMax];
    usize name_length = 0;
    bool is_directory = false;
    StringView view() const { return StringView(name, name_length); }
};

class FileSource {
public:
    // Opens what `path` names and says what it is. NotFound when there is
    // nothing by that name (or a file was named as a directory);
    // AccessDenied when the source will not let it be read or it would
    // lead out of the root; anything else is the source failing.
    virtual Result<OpenFile> open(StringView path) = 0;
    // Up to out.size() bytes of `file` from `offset`; 0 at its end.
    virtual Result<usize> read(FileId file, u64 offset, Span<char> out) = 0;
    // The entry at position `index` of directory `dir` (positions count
    // from 0 in the source's own order, "." and ".." included if it has
    // them); false past the last one.
    virtual Result<bool> read_entry(FileId dir, u64 index, DirectoryEntry& out) = 0;
    virtual void close(FileId file) = 0;

protected:
    ~FileSource() = default;
};

}  // namespace mote::httpd
