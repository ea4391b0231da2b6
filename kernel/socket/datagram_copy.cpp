#include "socket/datagram_copy.hpp"

#include "proc/abi_error.hpp"
#include "proc/address_space.hpp"

namespace mote {

i64 read_datagram_header(AddressSpace& space, u64 buffer, u64 length, abi::DatagramHeader& header) {
    if (length < sizeof(abi::DatagramHeader)) return abi_failure(abi::Err::InvalidArgument);
    const u64 payload = length - sizeof(abi::DatagramHeader);
    if (payload > abi::kDatagramMax) return abi_failure(abi::Err::Overflow);
    header = {};
    if (space.copy_in(Span<u8>(reinterpret_cast<u8*>(&header), sizeof(header)), buffer).is_error())
        return abi_failure(abi::Err::BadAddress);
    return i64(payload);
}

i64 write_datagram(AddressSpace& space, u64 buffer, const abi::DatagramHeader& header, ReadonlyBytes payload) {
    const u64 total = sizeof(header) + payload.size();
    if (space.check_access(buffer, total, true).is_error()) return abi_failure(abi::Err::BadAddress);
    if (space.copy_out(buffer, Span<const u8>(reinterpret_cast<const u8*>(&header), sizeof(header))).is_error() ||
        space.copy_out(buffer + sizeof(header), payload).is_error())
        return abi_failure(abi::Err::BadAddress);
    return i64(total);
}

}  // namespace mote
