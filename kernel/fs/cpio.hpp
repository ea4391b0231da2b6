// The "newc" cpio archive: the initramfs format (Linux's
// Documentation/driver-api/early-userspace/buffer-format.rst; cpio(5)).
//
// Each entry is a 110-byte ASCII header of fourteen fields, the name, and
// the data:
//
//   magic "070701" (or "070702": the check field is the sum of the data
//   bytes), then 8 hex digits each of ino, mode, uid, gid, nlink, mtime,
//   filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check;
//   the name (namesize bytes, NUL included), zero-padded so the data starts
//   4-byte aligned; the data (filesize bytes), zero-padded to 4 bytes.
//   The entry named "TRAILER!!!" ends the archive; only zero bytes may
//   follow it (the cpio tool pads to 512-byte blocks).
//
//     CpioFault fault;
//     auto archive = CpioArchive::decode(bytes, &fault);
//     if (archive.is_error()) log_warn(..., cpio_fault_name(fault));
//     for (const CpioEntry& entry : archive.value()) { ... }
//
// Decode, then perform: decode() checks the whole archive once (every
// header, name, padding byte and path, and that the paths form a tree: no
// duplicates, nothing below a regular file), so iterating a decoded archive
// cannot meet bad data and a tree builder cannot fail half way. Only regular
// files and directories are accepted. Paths are relative and clean: "bin/sh",
// never "/bin/sh", "./bin/sh" or "bin//sh" (tools/mkcpio.py writes them so).
//
// The archive is borrowed, never copied: it must stay mapped and unchanged
// while the CpioArchive or any entry's path or data is in use. Nothing
// allocates; the bytes may sit at any alignment.
//
// Cost: the tree check compares every pair of entries, O(entries^2 x path
// length); kCpioMaxEntries bounds it (an initramfs holds tens of files).
#pragma once

#include "abi/syscalls.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/cpio_fault.hpp"

namespace mote::fs {

inline constexpr usize kCpioHeaderSize = 110;
inline constexpr usize kCpioMaxEntries = 1024;
// Longest accepted path in bytes (without the NUL).
inline constexpr usize kCpioPathMax = 1024;

// File type bits of the mode field (the S_IFMT values every cpio writer uses).
inline constexpr u32 kCpioTypeMask = 0170000;
inline constexpr u32 kCpioTypeRegular = 0100000;
inline constexpr u32 kCpioTypeDirectory = 0040000;

struct CpioEntry {
    StringView path;     // relative, clean, no NUL: "bin/sh"
    u32 mode = 0;        // as stored: type bits and permissions
    u32 inode = 0;       // the archive's ino field (not necessarily unique)
    ReadonlyBytes data;  // inside the archive; empty for a directory
    usize offset = 0;    // where the entry's header starts in the archive

    bool is_directory() const { return (mode & kCpioTypeMask) == kCpioTypeDirectory; }
    u32 permissions() const { return mode & 07777; }
    usize size() const { return data.size(); }
};

class CpioArchive;

// Walks a decoded archive in archive order, up to (not including) the
// trailer. Made by CpioArchive::begin()/end().
class CpioIterator {
public:
    const CpioEntry& operator*() const { return m_entry; }
    const CpioEntry* operator->() const { return &m_entry; }
    CpioIterator& operator++();
    bool operator==(const CpioIterator& other) const { return m_offset == other.m_offset; }

private:
    friend class CpioArchive;
    CpioIterator(ReadonlyBytes bytes, usize offset, usize end);
    void load();

    ReadonlyBytes m_bytes;
    usize m_offset;  // of the current entry's header; the trailer's offset at the end
    usize m_end;     // the trailer's offset
    usize m_next = 0;
    CpioEntry m_entry;
};

class CpioArchive {
public:
    // Checks `bytes` as a whole archive. On failure returns Error::Malformed,
    // stores the reason in `fault`
    // if non-null (CpioFault::None on success) and logs one warning naming
    // the fault and the offset of the entry at fault.
    static Result<CpioArchive> decode(ReadonlyBytes bytes, CpioFault* fault = nullptr);

    // Entries before the trailer.
    usize entry_count() const { return m_entry_count; }
    // Distinct paths the archive names, as entries or as their parent
    // directories ("bin/ls" alone names "bin" and "bin/ls": 2). A tree
    // built from it has this many nodes plus its root.
    usize path_count() const { return m_path_count; }
    // Bytes up to the end of the trailer record (its padding included);
    // only zeros follow in the archive.
    usize used_size() const { return m_used_size; }
    ReadonlyBytes bytes() const { return m_bytes; }

    CpioIterator begin() const { return CpioIterator(m_bytes, 0, m_trailer_offset); }
    CpioIterator end() const { return CpioIterator(m_bytes, m_trailer_offset, m_trailer_offset); }

private:
    CpioArchive() = default;

    ReadonlyBytes m_bytes;
    usize m_entry_count = 0;
    usize m_path_count = 0;
    usize m_trailer_offset = 0;
    usize m_used_size = 0;
};

}  // namespace mote::fs
