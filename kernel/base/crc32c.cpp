#include "base/crc32c.hpp"

namespace mote {

namespace {

// One byte of the reflected CRC per lookup; the table is built by the
// compiler from the polynomial, so no 1 KiB of magic numbers in the source.
constexpr u32 kPolynomialReflected = 0x82F63B78;

struct Table {
    u32 entries[256];
};

constexpr Table make_table() {
    Table table {};
    for (u32 i = 0; i < 256; ++i) {
        u32 crc = i;
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kPolynomialReflected : crc >> 1;
        table.entries[i] = crc;
    }
    return table;
}

constexpr Table kTable = make_table();

}  // namespace

u32 crc32c_update(u32 crc, ReadonlyBytes bytes) {
    for (u8 byte : bytes) crc = kTable.entries[(crc ^ byte) & 0xFF] ^ (crc >> 8);
    return crc;
}

}  // namespace mote
