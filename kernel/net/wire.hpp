// Big-endian ("network byte order", RFC 1700) loads and stores on raw
// header bytes. Headers are never cast to structs: a frame's bytes may sit
// at any alignment, and reading fields one at a time keeps every access
// inside bounds the parser has already checked.
#pragma once

#include "base/types.hpp"

namespace mote {

inline u16 load_be16(const u8* p) { return u16((u16(p[0]) << 8) | p[1]); }
inline u32 load_be32(const u8* p) { return (u32(p[0]) << 24) | (u32(p[1]) << 16) | (u32(p[2]) << 8) | p[3]; }
inline void store_be16(u8* p, u16 v) {
    p[0] = u8(v >> 8);
    p[1] = u8(v);
}
inline void store_be32(u8* p, u32 v) {
    p[0] = u8(v >> 24);
    p[1] = u8(v >> 16);
    p[2] = u8(v >> 8);
    p[3] = u8(v);
}

}  // namespace mote
