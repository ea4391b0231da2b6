#include "sys_error.hpp"

namespace mote::httpd {

Error error_from(abi::Err error) {
    switch (error) {
    case abi::Err::WouldBlock: return Error::WouldBlock;
    case abi::Err::Timeout: return Error::Timeout;
    case abi::Err::Cancelled: return Error::Cancelled;
    case abi::Err::PeerClosed: return Error::PeerClosed;
    // Nothing to serve there: a missing name, a file where the path needs
    // a directory, or a chain of symlinks that never ends.
    case abi::Err::NotFound:
    case abi::Err::NotDirectory:
    case abi::Err::SymlinkLoop: return Error::NotFound;
    // Not to be served: no right to it, or (through a symlink) outside
    // the directory httpd was given.
    case abi::Err::AccessDenied:
    case abi::Err::Escapes: return Error::AccessDenied;
    case abi::Err::Malformed: return Error::Malformed;
    case abi::Err::NoMemory:
    case abi::Err::TooMany: return Error::NoMemory;
    // A call httpd got wrong, kept apart from the device failures below so
    // that a report names it.
    case abi::Err::InvalidArgument:
    case abi::Err::Overflow:
    case abi::Err::BadAddress:
    case abi::Err::BadHandle:
    case abi::Err::WrongType:
    case abi::Err::NoSyscall: return Error::InvalidArgument;
    case abi::Err::Busy: return Error::Busy;
    case abi::Err::BadState: return Error::BadState;
    case abi::Err::Unsupported: return Error::Unsupported;
    default: return Error::Io;
    }
}

}  // namespace mote::httpd
