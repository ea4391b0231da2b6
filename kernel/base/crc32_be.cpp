#include "base/crc32_be.hpp"

namespace mote {

namespace {

constexpr u32 kPolynomial = 0x04C11DB7;

struct Table {
    u32 entries[256];
};

// Entry i is the register after shifting byte i through from the top.
constexpr Table make_table() {
    Table table {};
    for (u32 i = 0; i < 256; ++i) {
        u32 crc = i << 24;
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 0x80000000u) ? (crc << 1) ^ kPolynomial : crc << 1;
        table.entries[i] = crc;
    }
    return table;
}

constexpr Table kTable = make_table();

}  // namespace

u32 crc32_be_update(u32 crc, ReadonlyBytes bytes) {
    for (u8 byte : bytes) crc = kTable.entries[((crc >> 24) ^ byte) & 0xFF] ^ (crc << 8);
    return crc;
}

}  // namespace mote
