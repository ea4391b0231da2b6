// Why a cpio archive was rejected.
//
// CpioArchive::decode returns only Error::Malformed; the named reason is
// for the boot log and the tests, which must tell "bad magic" from "a
// file's data runs past the end".
#pragma once

#include "base/types.hpp"

namespace mote::fs {

enum class CpioFault : u8 {
    None,                // no fault: the archive is valid
    TruncatedHeader,     // fewer than 110 bytes where a header must start
    BadMagic,            // the header does not start "070701" or "070702"
    BadHexField,         // a header field holds a byte outside [0-9A-Fa-f]
    EmptyName,           // namesize is 0 (it counts the NUL, so a name needs at least 1)
    NameOutOfBounds,     // the name or its padding runs past the end of the archive
    UnterminatedName,    // the name's last byte is not NUL
    NulInName,           // a NUL before the name's last byte
    DataOutOfBounds,     // the file data or its padding runs past the end of the archive
    BadPadding,          // a padding byte (to the next 4-byte boundary) is not zero
    BadChecksum,         // a "070702" entry whose data does not sum to its check field
    MissingTrailer,      // the archive ends without a TRAILER!!! entry
    TrailingData,        // a non-zero byte after the trailer (concatenated archives are not supported)
    UnsupportedType,     // not a regular file or a directory (symlink, device, fifo, socket)
    HardLink,            // a regular file with nlink > 1: newc stores its data only once for all links
    DirectoryWithData,   // a directory entry with a non-zero filesize
    AbsolutePath,        // the path starts with '/'
    BadPath,             // empty path, or an empty, "." or ".." component (also "a//b", "a/")
    NameTooLong,         // a component longer than abi::kNameMax, or a path longer than kCpioPathMax
    DuplicatePath,       // two entries with the same path
    ParentNotDirectory,  // an entry below a path that another entry makes a regular file
    TooManyEntries,      // more than kCpioMaxEntries entries before the trailer
};

inline constexpr usize kCpioFaultCount = 22;
static_assert(usize(CpioFault::TooManyEntries) + 1 == kCpioFaultCount, "update kCpioFaultCount and cpio_fault_name");

// A stable name ("BadMagic") for logs and tests.
const char* cpio_fault_name(CpioFault fault);

}  // namespace mote::fs
