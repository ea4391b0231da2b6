#include "proc/abi_error.hpp"

namespace mote {

abi::Err to_abi(Error error) {
    switch (error) {
    case Error::InvalidArgument: return abi::Err::InvalidArgument;
    case Error::Malformed: return abi::Err::Malformed;
    case Error::OutOfRange: return abi::Err::OutOfRange;
    case Error::Overflow: return abi::Err::Overflow;
    case Error::NoMemory: return abi::Err::NoMemory;
    case Error::Busy: return abi::Err::Busy;
    case Error::WouldBlock: return abi::Err::WouldBlock;
    case Error::Timeout: return abi::Err::Timeout;
    case Error::Cancelled: return abi::Err::Cancelled;
    case Error::Io: return abi::Err::Io;
    case Error::ReadOnly: return abi::Err::ReadOnly;
    case Error::NotFound: return abi::Err::NotFound;
    case Error::Unsupported: return abi::Err::Unsupported;
    case Error::BadState: return abi::Err::BadState;
    case Error::AccessDenied: return abi::Err::AccessDenied;
    case Error::PeerClosed: return abi::Err::PeerClosed;
    case Error::Exists: return abi::Err::Exists;
    case Error::NotEmpty: return abi::Err::NotEmpty;
    case Error::NoSpace: return abi::Err::NoSpace;
    case Error::CrossDevice: return abi::Err::CrossDevice;
    case Error::Untrusted: return abi::Err::Untrusted;
    }
    return abi::Err::InvalidArgument;
}

Error from_abi(abi::Err error) {
    for (usize i = 0; i < kErrorCount; ++i)
        if (to_abi(Error(i)) == error) return Error(i);
    return Error::InvalidArgument;
}

const char* abi_error_name(abi::Err error) {
    switch (error) {
    case abi::Err::InvalidArgument: return "InvalidArgument";
    case abi::Err::Malformed: return "Malformed";
    case abi::Err::OutOfRange: return "OutOfRange";
    case abi::Err::Overflow: return "Overflow";
    case abi::Err::NoMemory: return "NoMemory";
    case abi::Err::Busy: return "Busy";
    case abi::Err::WouldBlock: return "WouldBlock";
    case abi::Err::Timeout: return "Timeout";
    case abi::Err::Cancelled: return "Cancelled";
    case abi::Err::Io: return "Io";
    case abi::Err::ReadOnly: return "ReadOnly";
    case abi::Err::NotFound: return "NotFound";
    case abi::Err::Unsupported: return "Unsupported";
    case abi::Err::BadState: return "BadState";
    case abi::Err::BadAddress: return "BadAddress";
    case abi::Err::BadHandle: return "BadHandle";
    case abi::Err::WrongType: return "WrongType";
    case abi::Err::NoSyscall: return "NoSyscall";
    case abi::Err::NotDirectory: return "NotDirectory";
    case abi::Err::IsDirectory: return "IsDirectory";
    case abi::Err::TooMany: return "TooMany";
    case abi::Err::AccessDenied: return "AccessDenied";
    case abi::Err::PeerClosed: return "PeerClosed";
    case abi::Err::Escapes: return "Escapes";
    case abi::Err::Exists: return "Exists";
    case abi::Err::NotEmpty: return "NotEmpty";
    case abi::Err::NoSpace: return "NoSpace";
    case abi::Err::CrossDevice: return "CrossDevice";
    case abi::Err::SymlinkLoop: return "SymlinkLoop";
    case abi::Err::Untrusted: return "Untrusted";
    }
    return "UnknownErr";  // a value outside the ABI: say so, never crash
}

}  // namespace mote
