// The user-memory halves that every datagram-shaped socket (UDP, ping)
// shares: a write starts with an abi::DatagramHeader and the payload
// follows; a read gets the header and as much of the datagram as fits.
// Both return the socket calls' convention: a count, or a negative
// abi::Err.
#pragma once

#include "abi/syscalls.hpp"
#include "base/span.hpp"

namespace mote {

class AddressSpace;

// Reads the header at `buffer` of a write of `length` bytes. Returns the
// payload's length: InvalidArgument if the write is shorter than a header,
// Overflow if the payload is longer than abi::kDatagramMax, BadAddress if
// the header cannot be read.
i64 read_datagram_header(AddressSpace& space, u64 buffer, u64 length, abi::DatagramHeader& header);

// Writes `header` and `payload` to a read's buffer, checked whole before
// any byte is written. Returns the bytes written, or BadAddress.
i64 write_datagram(AddressSpace& space, u64 buffer, const abi::DatagramHeader& header, ReadonlyBytes payload);

}  // namespace mote
