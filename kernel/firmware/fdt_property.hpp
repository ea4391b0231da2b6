// A devicetree property: a name and a byte string, with the typed readings
// that the specification defines for it (2.2.4: <empty>, <u32>, <u64>,
// <string>, <prop-encoded-array>, <stringlist>).
//
// Every value is big-endian and may sit at any alignment. A reading that does
// not fit the value (as_u32 of 8 bytes, a string without its NUL) is
// Error::Malformed; reading past the end of an array is Error::OutOfRange.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "base/types.hpp"

namespace mote::fdt {

// A <stringlist>: NUL-terminated strings back to back ("ns16550a\0uart\0").
//
//     for (StringView s : TRY(prop.as_strings())) ...
class StringList {
public:
    StringList() = default;

    class Iterator {
    public:
        Iterator(ReadonlyBytes bytes, usize offset) : m_bytes(bytes), m_offset(offset) {}
        StringView operator*() const;
        Iterator& operator++();
        bool operator!=(const Iterator& other) const { return m_offset != other.m_offset; }

    private:
        usize current_length() const;
        ReadonlyBytes m_bytes;
        usize m_offset;
    };

    Iterator begin() const { return Iterator(m_bytes, 0); }
    Iterator end() const { return Iterator(m_bytes, m_bytes.size()); }

    usize count() const;
    Result<StringView> at(usize index) const;  // OutOfRange past the last
    bool contains(StringView string) const;

private:
    friend class Property;
    // `bytes` is empty or ends with a NUL (checked by Property::as_strings).
    explicit StringList(ReadonlyBytes bytes) : m_bytes(bytes) {}
    ReadonlyBytes m_bytes;
};

class Property {
public:
    Property(StringView name, ReadonlyBytes value) : m_name(name), m_value(value) {}

    StringView name() const { return m_name; }
    ReadonlyBytes value() const { return m_value; }
    usize size() const { return m_value.size(); }
    bool is_empty() const { return m_value.empty(); }

    // <u32>: exactly 4 bytes.
    Result<u32> as_u32() const;
    // <u64>: exactly 8 bytes.
    Result<u64> as_u64() const;
    // 4 or 8 bytes, for properties like clock-frequency that are either.
    Result<u64> as_number() const;
    // <string>: exactly one string and its NUL; the view excludes the NUL.
    Result<StringView> as_string() const;
    // <stringlist>: empty, or NUL-terminated strings back to back.
    Result<StringList> as_strings() const;

    // Number of whole 32-bit cells in the value.
    usize cell_count() const { return m_value.size() / 4; }
    // One cell of a <prop-encoded-array>.
    Result<u32> cell(usize index) const;
    // `count` cells (0, 1 or 2) starting at cell `first_cell`, read as one
    // big-endian number: how addresses and sizes are stored (2.3.5, 2.3.6).
    // Zero cells read as 0; more than two do not fit a u64 (Unsupported).
    Result<u64> cells(usize first_cell, u32 count) const;

private:
    StringView m_name;
    ReadonlyBytes m_value;
};

}  // namespace mote::fdt
