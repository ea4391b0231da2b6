// Little-endian field access at byte offsets of an on-disk structure.
//
// ext2 stores every integer little-endian at any offset; the span's bounds
// check (VERIFY) turns a wrong offset into a stop, never a stray read. The
// structures are never cast to C structs (alignment, host byte order).
#pragma once

#include "base/span.hpp"

namespace mote::fs::ext2 {

inline u8 load_u8(ReadonlyBytes bytes, usize at) { return bytes[at]; }

inline u16 load_le16(ReadonlyBytes bytes, usize at) {
    ReadonlyBytes b = bytes.slice(at, 2);
    return u16(b[0] | (b[1] << 8));
}

inline u32 load_le32(ReadonlyBytes bytes, usize at) {
    ReadonlyBytes b = bytes.slice(at, 4);
    return u32(b[0]) | u32(b[1]) << 8 | u32(b[2]) << 16 | u32(b[3]) << 24;
}

inline void store_u8(Bytes bytes, usize at, u8 value) { bytes[at] = value; }

inline void store_le16(Bytes bytes, usize at, u16 value) {
    Bytes b = bytes.slice(at, 2);
    b[0] = u8(value);
    b[1] = u8(value >> 8);
}

inline void store_le32(Bytes bytes, usize at, u32 value) {
    Bytes b = bytes.slice(at, 4);
    for (usize i = 0; i < 4; ++i) b[i] = u8(value >> (8 * i));
}

}  // namespace mote::fs::ext2
