// Why a flattened devicetree blob was rejected.
//
// Fdt::parse returns only Error::Malformed (the kernel's one closed error
// set); the named reason is for the boot log and the tests, which must be
// able to tell "wrong magic" from "a property runs past the end".
#pragma once

#include "base/types.hpp"

namespace mote::fdt {

enum class FdtFault : u8 {
    None,                     // no fault: the blob is valid
    TruncatedHeader,          // fewer bytes than the header needs
    BadMagic,                 // the first word is not 0xd00dfeed
    UnsupportedVersion,       // version < 16, or last_comp_version > 17
    TruncatedBlob,            // header.totalsize is larger than the bytes supplied
    BlockOutOfBounds,         // a block starts inside the header or ends past totalsize
    Misaligned,               // reservation map not 8-aligned, structure block not 4-aligned
    BlocksOverlap,            // reservation map, structure and strings blocks share bytes
    UnterminatedReserveMap,   // no (0, 0) entry before the end of the blob
    BadToken,                 // a structure token that the format does not define
    MissingEnd,               // the structure block ends without FDT_END
    UnterminatedName,         // a node name has no NUL inside the structure block
    BadNodeName,              // an empty non-root node name, or one containing '/'
    PropertyOutOfBounds,      // a property header or value runs past the structure block
    BadStringOffset,          // a property name offset outside the strings block
    BadPropertyName,          // a property name empty, unterminated or too long
    PropertyOutsideNode,      // FDT_PROP before the root node opened or after it closed
    PropertyAfterChild,       // a property after a child node (spec 5.4.2: properties first)
    UnbalancedNodes,          // stray FDT_END_NODE, FDT_END with nodes open, none or two roots
    TooDeep,                  // nesting deeper than kMaxDepth
};

inline constexpr usize kFdtFaultCount = 20;
static_assert(usize(FdtFault::TooDeep) + 1 == kFdtFaultCount, "update kFdtFaultCount and fdt_fault_name");

// A stable name ("BadMagic") for logs and tests.
const char* fdt_fault_name(FdtFault fault);

}  // namespace mote::fdt
