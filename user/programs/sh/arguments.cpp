#include "arguments.hpp"

#include "base/parse_number.hpp"

namespace mote {

const char* arguments_fault_name(ArgumentsFault f) {
    switch (f) {
    case ArgumentsFault::None: return "none";
    case ArgumentsFault::UnterminatedQuote: return "unterminated quote";
    case ArgumentsFault::TooManyWords: return "too many words";
    case ArgumentsFault::QuoteInsideWord: return "quote inside a word";
    }
    return "?";
}

Result<Arguments> Arguments::parse(StringView line, ArgumentsFault* fault) {
    auto fail = [&](ArgumentsFault f) -> Result<Arguments> {
        if (fault) *fault = f;
        return Error::Malformed;
    };
    Arguments args;
    usize i = 0;
    while (true) {
        while (i < line.length() && line[i] == ' ') ++i;
        if (i == line.length()) break;
        if (args.m_count == kMaxWords) return fail(ArgumentsFault::TooManyWords);
        usize start = i;
        if (line[i] == '"') {
            ++start;
            ++i;
            while (i < line.length() && line[i] != '"') ++i;
            if (i == line.length()) return fail(ArgumentsFault::UnterminatedQuote);
            args.m_quoted |= 1u << args.m_count;
            args.m_words[args.m_count++] = line.substr(start, i - start);
            ++i;
            if (i < line.length() && line[i] != ' ') return fail(ArgumentsFault::QuoteInsideWord);
        } else {
            while (i < line.length() && line[i] != ' ') {
                if (line[i] == '"') return fail(ArgumentsFault::QuoteInsideWord);
                ++i;
            }
            args.m_words[args.m_count++] = line.substr(start, i - start);
        }
    }
    if (fault) *fault = ArgumentsFault::None;
    return args;
}

Result<u64> Arguments::number(usize i) const {
    if (i >= m_count) return Error::InvalidArgument;
    return parse_u64(m_words[i]);
}

}  // namespace mote
