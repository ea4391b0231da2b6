// Little-endian field access at byte offsets of an on-disk structure.
//
// ext2 stores every integer little-endian at any offset; the span's bounds
// check (VERIFY) turns a wrong offset into a stop, never a stray read. The
// structures are never cast to C structs (alignment, host byte order).
#pragma once

#include "base/span.hpp"

namespace mote::fs::ext2 {

inline u8 load_u8(ReadonlyBytes bytes, usize at) { return bytes[at]; }

// Every port is little-endian, so a field is one unaligned load or store
// after the bounds check.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "every Mote port is little-endian");

inline u16 load_le16(ReadonlyBytes bytes, usize at) {
    u16 value;
    __builtin_memcpy(&value, bytes.slice(at, 2).data(), 2);
    return value;
}

inline u32 load_le32(ReadonlyBytes bytes, usize at) {
    u32 value;
    __builtin_memcpy(&value, bytes.slice(at, 4).data(), 4);
    return value;
}

inline void store_u8(Bytes bytes, usize at, u8 value) { bytes[at] = value; }

inline void store_le16(Bytes bytes, usize at, u16 value) { __builtin_memcpy(bytes.slice(at, 2).data(), &value, 2); }

inline void store_le32(Bytes bytes, usize at, u32 value) { __builtin_memcpy(bytes.slice(at, 4).data(), &value, 4); }

}  // namespace mote::fs::ext2
