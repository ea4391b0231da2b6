#include "fs/ext2/bitmap_search.hpp"

namespace mote::fs::ext2 {

namespace {

// The first clear bit in [from, to), or `to` if none. Bit i is bit i % 8 of
// byte i / 8 (little-endian within a byte, as ext2 stores them), so eight
// bytes loaded little-endian are 64 bits in order: full words are skipped
// at once and the first clear bit of a word is its lowest zero.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "every Mote port is little-endian");
u32 first_clear_in(ReadonlyBytes bitmap, u32 from, u32 to) {
    u32 bit = from;
    while (bit < to && bit % 64 != 0) {
        if (!test_bit(bitmap, bit)) return bit;
        ++bit;
    }
    const u8* bytes = bitmap.data();
    while (to - bit >= 64) {
        u64 word;
        __builtin_memcpy(&word, bytes + bit / 8, sizeof(word));
        if (~word != 0) return bit + u32(__builtin_ctzll(~word));
        bit += 64;
    }
    while (bit < to) {
        if (!test_bit(bitmap, bit)) return bit;
        ++bit;
    }
    return to;
}

}  // namespace

Result<u32> find_clear_bit(ReadonlyBytes bitmap, u32 bit_count, u32 goal, Ext2Fault* fault) {
    if (fault) *fault = Ext2Fault::None;
    if (u64(bitmap.size()) * 8 < bit_count) {
        if (fault) *fault = Ext2Fault::BitmapTooSmall;
        return Error::InvalidArgument;
    }
    if (goal >= bit_count) goal = 0;
    const u32 after = first_clear_in(bitmap, goal, bit_count);
    if (after < bit_count) return after;
    const u32 before = first_clear_in(bitmap, 0, goal);
    if (before < goal) return before;
    if (fault) *fault = Ext2Fault::BitmapFull;
    return Error::NotFound;
}

u32 count_set_bits(ReadonlyBytes bitmap, u32 bit_count) {
    VERIFY(u64(bitmap.size()) * 8 >= bit_count);
    u32 count = 0;
    const u32 whole = bit_count / 8;
    for (u32 i = 0; i < whole; ++i) count += u32(__builtin_popcount(bitmap[i]));
    if (bit_count % 8) count += u32(__builtin_popcount(bitmap[whole] & ((1u << (bit_count % 8)) - 1)));
    return count;
}

}  // namespace mote::fs::ext2
