#include "http_range.hpp"

#include "http_syntax.hpp"

namespace mote::httpd {

ByteRange parse_range(StringView value) {
    // ranges-specifier = range-unit "=" range-set
    usize equals = 0;
    while (equals < value.length() && value[equals] != '=') ++equals;
    if (equals == value.length()) return {};
    if (!equals_ignoring_case(value.substr(0, equals), "bytes")) return {};

    ListCursor list(value.substr(equals + 1));
    StringView spec;
    if (!list.next(spec)) return {};
    StringView extra;
    if (list.next(extra)) return {};  // more than one range: ignored, see the header

    // int-range = first-pos "-" [ last-pos ];  suffix-range = "-" suffix-length
    usize dash = 0;
    while (dash < spec.length() && spec[dash] != '-') ++dash;
    if (dash == spec.length()) return {};
    StringView before = spec.substr(0, dash);
    StringView after = spec.substr(dash + 1);
    ByteRange range;
    if (before.empty()) {
        Decimal length = parse_decimal(after);
        if (!length.valid) return {};
        range.kind = ByteRange::Kind::Suffix;
        range.suffix_length = length.value;
        return range;
    }
    Decimal first = parse_decimal(before);
    if (!first.valid) return {};
    range.first = first.value;
    if (after.empty()) {
        range.kind = ByteRange::Kind::From;
        return range;
    }
    Decimal last = parse_decimal(after);
    if (!last.valid || last.value < first.value) return {};
    range.kind = ByteRange::Kind::FromTo;
    range.last = last.value;
    return range;
}

RangeAnswer resolve_range(const ByteRange& range, u64 size) {
    RangeAnswer answer;
    switch (range.kind) {
    case ByteRange::Kind::None:
        return answer;
    case ByteRange::Kind::Suffix:
        if (range.suffix_length == 0) {
            answer.kind = RangeAnswer::Kind::Unsatisfiable;
            return answer;
        }
        if (size == 0) return answer;
        answer.kind = RangeAnswer::Kind::Partial;
        answer.first = range.suffix_length >= size ? 0 : size - range.suffix_length;
        answer.last = size - 1;
        return answer;
    case ByteRange::Kind::From:
    case ByteRange::Kind::FromTo:
        if (range.first >= size) {
            answer.kind = RangeAnswer::Kind::Unsatisfiable;
            return answer;
        }
        answer.kind = RangeAnswer::Kind::Partial;
        answer.first = range.first;
        answer.last = range.kind == ByteRange::Kind::From || range.last >= size ? size - 1 : range.last;
        return answer;
    }
    return answer;
}

}  // namespace mote::httpd
