// The big-endian (MSB-first, unreflected) CRC-32 with the IEEE polynomial
// 0x04C11DB7, as Linux's crc32_be() computes it.
//
// jbd2's version-1 transaction checksum (the journal's compat "checksum"
// feature) is this CRC over the descriptor and data blocks of a transaction,
// started at ~0 and stored in the commit block without a final inversion.
// crc32_be_update is that raw register step; from ~0 over "123456789" it
// gives 0x0376E6E7 (the catalogue's CRC-32/MPEG-2), and its inversion
// 0xFC891918 (CRC-32/BZIP2).
#pragma once

#include "base/span.hpp"
#include "base/types.hpp"

namespace mote {

u32 crc32_be_update(u32 crc, ReadonlyBytes bytes);

}  // namespace mote
