// A shell line split into words. Words are separated by spaces; a word in
// double quotes may contain spaces ("hello world"). There are no escapes.
// The views point into the caller's line, which must outlive the Arguments.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {

enum class ArgumentsFault : u8 { None, UnterminatedQuote, TooManyWords, QuoteInsideWord };

class Arguments {
public:
    static constexpr usize kMaxWords = 16;

    // Malformed when the line cannot be split; fault() says why.
    static Result<Arguments> parse(StringView line, ArgumentsFault* fault = nullptr);

    usize count() const { return m_count; }
    bool empty() const { return m_count == 0; }
    StringView operator[](usize i) const {
        VERIFY(i < m_count);
        return m_words[i];
    }
    // Whether word `i` was written in quotes ("|" is then a word, not a pipe).
    bool quoted(usize i) const { return i < m_count && (m_quoted >> i) & 1; }
    // Word `i` as a number (decimal, 0x hex, 0b binary).
    Result<u64> number(usize i) const;

private:
    StringView m_words[kMaxWords];
    usize m_count = 0;
    u32 m_quoted = 0;  // bit i: word i was quoted
    static_assert(kMaxWords <= 32);
};

const char* arguments_fault_name(ArgumentsFault);

}  // namespace mote
