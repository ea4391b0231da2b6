// Fixed-size bitmap over caller-owned or inline words.
#pragma once

#include "base/types.hpp"
#include "base/verify.hpp"

namespace mote {

// A view over `bit_count` bits stored in caller-owned 64-bit words.
class BitmapView {
public:
    static constexpr usize kNotFound = ~usize(0);
    static constexpr usize words_for(usize bits) { return (bits + 63) / 64; }

    BitmapView() = default;
    BitmapView(u64* words, usize bit_count) : m_words(words), m_bits(bit_count) {}

    usize size() const { return m_bits; }

    bool get(usize i) const {
        VERIFY(i < m_bits);
        return (m_words[i / 64] >> (i % 64)) & 1;
    }
    void set(usize i, bool value = true) {
        VERIFY(i < m_bits);
        u64 mask = u64(1) << (i % 64);
        if (value) m_words[i / 64] |= mask;
        else m_words[i / 64] &= ~mask;
    }
    void clear(usize i) { set(i, false); }

    void fill(bool value) {
        for (usize w = 0; w < words_for(m_bits); ++w) m_words[w] = value ? ~u64(0) : 0;
        trim_tail();
    }

    usize count_set() const {
        usize n = 0;
        for (usize w = 0; w < words_for(m_bits); ++w) n += usize(__builtin_popcountll(m_words[w]));
        return n;
    }

    // Lowest index >= `from` whose bit equals `value`, or kNotFound.
    usize find_first(bool value, usize from = 0) const {
        for (usize w = from / 64; w < words_for(m_bits); ++w) {
            u64 word = value ? m_words[w] : ~m_words[w];
            if (w == from / 64) word &= ~u64(0) << (from % 64);
            if (word) {
                usize i = w * 64 + usize(__builtin_ctzll(word));
                return i < m_bits ? i : kNotFound;
            }
        }
        return kNotFound;
    }

private:
    // Bits past the end stay zero so counts and searches never see them.
    void trim_tail() {
        if (m_bits % 64) m_words[m_bits / 64] &= (u64(1) << (m_bits % 64)) - 1;
    }

    u64* m_words = nullptr;
    usize m_bits = 0;
};

// A bitmap of a compile-time size with inline storage.
template <usize Bits>
class Bitmap : public BitmapView {
public:
    Bitmap() : BitmapView(m_storage, Bits) {}
    Bitmap(const Bitmap&) = delete;
    Bitmap& operator=(const Bitmap&) = delete;

private:
    u64 m_storage[BitmapView::words_for(Bits)] {};
};

}  // namespace mote
