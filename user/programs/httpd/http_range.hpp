// Byte ranges (RFC 9110 14.1, 14.2): the Range header httpd honours, and
// how one range meets a file's size.
//
// httpd serves a single range. A Range that is not one valid byte range is
// ignored and the whole file is sent with 200, which RFC 9110 14.2 allows
// ("A server MAY ignore the Range header field"; an invalid range-set "MAY
// [be ignored] or reject[ed]"). That includes several ranges: answering
// 416 would claim none of them overlaps the file, which may be false, and
// a 200 with the whole file is always a correct answer.
#pragma once

#include "base/span.hpp"
#include "base/types.hpp"

namespace mote::httpd {

struct ByteRange {
    enum class Kind : u8 {
        None,    // no usable range: serve the whole representation
        FromTo,  // "bytes=first-last"
        From,    // "bytes=first-"
        Suffix,  // "bytes=-length": the last `length` bytes
    };
    Kind kind = Kind::None;
    // Numbers too large for u64 saturate: they still mean "past any file".
    u64 first = 0;
    u64 last = 0;
    u64 suffix_length = 0;
};

// The Range field value (without the name), e.g. "bytes=0-499". The unit
// compares without case; whitespace before the '=' or inside a range-spec
// makes the value invalid, OWS around list elements is allowed. Kind::None
// for: another unit, bad syntax, last < first (RFC 9110 14.1.1 calls that
// invalid), or more than one range.
ByteRange parse_range(StringView value);

// What to send for `range` against a representation of `size` bytes.
struct RangeAnswer {
    enum class Kind : u8 {
        Full,           // 200 with every byte
        Partial,        // 206, Content-Range: bytes first-last/size
        Unsatisfiable,  // 416, Content-Range: bytes */size
    };
    Kind kind = Kind::Full;
    u64 first = 0;  // Partial: the first and last byte (inclusive) to send
    u64 last = 0;
    u64 length() const { return last - first + 1; }  // Partial only
};

// RFC 9110 14.1.2-14.1.3: a first-pos at or past the end is unsatisfiable;
// a last-pos past the end means the end; a suffix longer than the file
// means all of it, and a zero-length suffix is unsatisfiable. An empty
// file has no byte to name, so a suffix range on it gets the whole (empty)
// file with 200: a 206 would need a Content-Range that cannot be written.
RangeAnswer resolve_range(const ByteRange& range, u64 size);

}  // namespace mote::httpd
