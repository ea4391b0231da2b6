#include "sys_or.hpp"

namespace mote::user {

const char* error_name(abi::Err error) {
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
    }
    return "UnknownErr";
}

}  // namespace mote::user
