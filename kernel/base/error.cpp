#include "base/error.hpp"

namespace mote {

const char* error_name(Error e) {
    switch (e) {
    case Error::InvalidArgument: return "InvalidArgument";
    case Error::Malformed: return "Malformed";
    case Error::OutOfRange: return "OutOfRange";
    case Error::Overflow: return "Overflow";
    case Error::NoMemory: return "NoMemory";
    case Error::Busy: return "Busy";
    case Error::WouldBlock: return "WouldBlock";
    case Error::Timeout: return "Timeout";
    case Error::Cancelled: return "Cancelled";
    case Error::Io: return "Io";
    case Error::ReadOnly: return "ReadOnly";
    case Error::NotFound: return "NotFound";
    case Error::Unsupported: return "Unsupported";
    case Error::BadState: return "BadState";
    case Error::AccessDenied: return "AccessDenied";
    case Error::PeerClosed: return "PeerClosed";
    case Error::Exists: return "Exists";
    case Error::NotEmpty: return "NotEmpty";
    case Error::NoSpace: return "NoSpace";
    case Error::CrossDevice: return "CrossDevice";
    case Error::Untrusted: return "Untrusted";
    }
    return "UnknownError";
}

}  // namespace mote
