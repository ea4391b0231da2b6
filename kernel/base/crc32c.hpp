// CRC-32C (Castagnoli): the reflected CRC with polynomial 0x1EDC6F41
// (0x82F63B78 bit-reversed) that ext4 and jbd2 put in their metadata.
//
// Two ways to call it, because the on-disk formats do not use the textbook
// form:
//
//   crc32c(bytes)                the standard CRC-32C: register starts at
//                                ~0 and is inverted at the end
//                                ("123456789" -> 0xE3069283).
//   crc32c_update(crc, bytes)    the raw register step: no inversion on the
//                                way in or out. ext4 and jbd2 checksums are
//                                crc32c_update(~0, ...) (or chained from a
//                                previous result, such as the journal's
//                                UUID seed) and are stored without the final
//                                inversion.
//
// Chaining is split-independent: crc32c_update(crc32c_update(c, a), b) equals
// one update over a followed by b.
#pragma once

#include "base/span.hpp"
#include "base/types.hpp"

namespace mote {

u32 crc32c_update(u32 crc, ReadonlyBytes bytes);

inline u32 crc32c(ReadonlyBytes bytes) { return ~crc32c_update(~u32(0), bytes); }

}  // namespace mote
