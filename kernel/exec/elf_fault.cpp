#include "exec/elf_fault.hpp"

#include "base/verify.hpp"

namespace mote {

const char* elf_fault_name(ElfFault fault) {
    switch (fault) {
    case ElfFault::None: return "None";
    case ElfFault::TruncatedHeader: return "TruncatedHeader";
    case ElfFault::BadMagic: return "BadMagic";
    case ElfFault::BadClass: return "BadClass";
    case ElfFault::BadEncoding: return "BadEncoding";
    case ElfFault::BadVersion: return "BadVersion";
    case ElfFault::BadOsAbi: return "BadOsAbi";
    case ElfFault::NotExecutable: return "NotExecutable";
    case ElfFault::PositionIndependent: return "PositionIndependent";
    case ElfFault::WrongMachine: return "WrongMachine";
    case ElfFault::BadHeaderSize: return "BadHeaderSize";
    case ElfFault::BadProgramHeaderSize: return "BadProgramHeaderSize";
    case ElfFault::ProgramHeadersWrap: return "ProgramHeadersWrap";
    case ElfFault::ProgramHeadersOutOfBounds: return "ProgramHeadersOutOfBounds";
    case ElfFault::TooManyProgramHeaders: return "TooManyProgramHeaders";
    case ElfFault::HasInterpreter: return "HasInterpreter";
    case ElfFault::HasDynamic: return "HasDynamic";
    case ElfFault::ExecutableStack: return "ExecutableStack";
    case ElfFault::BadAlignment: return "BadAlignment";
    case ElfFault::SegmentFileWraps: return "SegmentFileWraps";
    case ElfFault::SegmentOutOfFile: return "SegmentOutOfFile";
    case ElfFault::FileSizeExceedsMemSize: return "FileSizeExceedsMemSize";
    case ElfFault::SegmentMisaligned: return "SegmentMisaligned";
    case ElfFault::SegmentWraps: return "SegmentWraps";
    case ElfFault::SegmentBelowBase: return "SegmentBelowBase";
    case ElfFault::SegmentAboveLimit: return "SegmentAboveLimit";
    case ElfFault::WritableAndExecutable: return "WritableAndExecutable";
    case ElfFault::TooManySegments: return "TooManySegments";
    case ElfFault::SegmentsOverlap: return "SegmentsOverlap";
    case ElfFault::NoLoadSegment: return "NoLoadSegment";
    case ElfFault::EntryNotExecutable: return "EntryNotExecutable";
    }
    return "UnknownElfFault";
}

Error elf_fault_error(ElfFault fault) {
    switch (fault) {
    case ElfFault::None: break;
    case ElfFault::BadClass:
    case ElfFault::BadEncoding:
    case ElfFault::BadOsAbi:
    case ElfFault::PositionIndependent:
    case ElfFault::WrongMachine:
    case ElfFault::TooManyProgramHeaders:
    case ElfFault::HasInterpreter:
    case ElfFault::HasDynamic:
    case ElfFault::ExecutableStack:
    case ElfFault::WritableAndExecutable:
    case ElfFault::TooManySegments: return Error::Unsupported;
    case ElfFault::TruncatedHeader:
    case ElfFault::BadMagic:
    case ElfFault::BadVersion:
    case ElfFault::NotExecutable:
    case ElfFault::BadHeaderSize:
    case ElfFault::BadProgramHeaderSize:
    case ElfFault::ProgramHeadersWrap:
    case ElfFault::ProgramHeadersOutOfBounds:
    case ElfFault::BadAlignment:
    case ElfFault::SegmentFileWraps:
    case ElfFault::SegmentOutOfFile:
    case ElfFault::FileSizeExceedsMemSize:
    case ElfFault::SegmentMisaligned:
    case ElfFault::SegmentWraps:
    case ElfFault::SegmentBelowBase:
    case ElfFault::SegmentAboveLimit:
    case ElfFault::SegmentsOverlap:
    case ElfFault::NoLoadSegment:
    case ElfFault::EntryNotExecutable: return Error::Malformed;
    }
    // None, or a value outside the enum: a caller bug, not bad input.
    VERIFY_NOT_REACHED();
}

}  // namespace mote
