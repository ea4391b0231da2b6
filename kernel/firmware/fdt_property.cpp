#include "firmware/fdt_property.hpp"

#include "base/checked.hpp"
#include "firmware/fdt_view.hpp"

namespace mote::fdt {

usize StringList::Iterator::current_length() const {
    usize n = 0;
    while (m_offset + n < m_bytes.size() && m_bytes[m_offset + n] != 0) ++n;
    return n;
}

StringView StringList::Iterator::operator*() const {
    return StringView(reinterpret_cast<const char*>(m_bytes.data()) + m_offset, current_length());
}

StringList::Iterator& StringList::Iterator::operator++() {
    // The list ends with a NUL (as_strings checked), so this lands at most
    // exactly on size(), which is end().
    m_offset += current_length() + 1;
    VERIFY(m_offset <= m_bytes.size());
    return *this;
}

usize StringList::count() const {
    usize n = 0;
    for (u8 byte : m_bytes)
        if (byte == 0) ++n;
    return n;
}

Result<StringView> StringList::at(usize index) const {
    for (StringView s : *this) {
        if (index-- == 0) return s;
    }
    return Error::OutOfRange;
}

bool StringList::contains(StringView string) const {
    for (StringView s : *this)
        if (s == string) return true;
    return false;
}

Result<u32> Property::as_u32() const {
    if (m_value.size() != 4) return Error::Malformed;
    return load_be32(m_value.data());
}

Result<u64> Property::as_u64() const {
    if (m_value.size() != 8) return Error::Malformed;
    return load_be64(m_value.data());
}

Result<u64> Property::as_number() const {
    if (m_value.size() == 4) return u64(load_be32(m_value.data()));
    if (m_value.size() == 8) return load_be64(m_value.data());
    return Error::Malformed;
}

Result<StringView> Property::as_string() const {
    const usize size = m_value.size();
    if (size == 0 || m_value[size - 1] != 0) return Error::Malformed;
    // A second NUL would make this a stringlist, and a caller that wanted
    // one string would silently see only the first.
    for (usize i = 0; i + 1 < size; ++i)
        if (m_value[i] == 0) return Error::Malformed;
    return StringView(reinterpret_cast<const char*>(m_value.data()), size - 1);
}

Result<StringList> Property::as_strings() const {
    if (!m_value.empty() && m_value[m_value.size() - 1] != 0) return Error::Malformed;
    return StringList(m_value);
}

Result<u32> Property::cell(usize index) const {
    return u32(TRY(cells(index, 1)));
}

Result<u64> Property::cells(usize first_cell, u32 count) const {
    if (count > 2) return Error::Unsupported;
    const usize offset = TRY(checked_mul<usize>(first_cell, 4));
    if (check_range<usize>(offset, usize(count) * 4, m_value.size()).is_error()) return Error::OutOfRange;
    u64 value = 0;
    for (u32 i = 0; i < count; ++i) value = (value << 32) | load_be32(m_value.data() + offset + 4 * i);
    return value;
}

}  // namespace mote::fdt
