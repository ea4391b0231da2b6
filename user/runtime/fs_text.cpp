#include "fs_text.hpp"

#include "base/memory.hpp"

namespace mote::user {

void mode_string(u32 type, u32 mode, char out[11]) {
    switch (abi::NodeType(type)) {
    case abi::NodeType::File: out[0] = '-'; break;
    case abi::NodeType::Directory: out[0] = 'd'; break;
    case abi::NodeType::Symlink: out[0] = 'l'; break;
    case abi::NodeType::Device: out[0] = 'c'; break;
    default: out[0] = '?'; break;
    }
    const char letters[] = "rwx";
    for (u32 i = 0; i < 9; ++i) out[1 + i] = (mode & (0400u >> i)) ? letters[i % 3] : '-';
    // The special bits replace the execute letters of their class.
    auto special = [&](usize at, u32 bit, char set) {
        if (!(mode & bit)) return;
        out[at] = out[at] == 'x' ? set : char(set - 'a' + 'A');
    };
    special(3, 04000, 's');
    special(6, 02000, 's');
    special(9, 01000, 't');
    out[10] = '\0';
}

void format_date(i64 ns, FormatBuffer& out) {
    i64 seconds = ns < 0 ? 0 : ns / 1'000'000'000;
    i64 days = seconds / 86400;
    i64 rest = seconds % 86400;
    // Days since 1970-01-01 to a civil date, counting in 400-year eras of
    // 146097 days from 0000-03-01 (so leap days fall at the end of a year).
    i64 z = days + 719468;
    i64 era = z / 146097;
    i64 day_of_era = z - era * 146097;
    i64 year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    i64 day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    i64 month_index = (5 * day_of_year + 2) / 153;  // 0 is March
    i64 day = day_of_year - (153 * month_index + 2) / 5 + 1;
    i64 month = month_index < 10 ? month_index + 3 : month_index - 9;
    i64 year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
    format_append(out, "{:04}-{:02}-{:02} {:02}:{:02}", u64(year), u64(month), u64(day), u64(rest / 3600),
                  u64(rest % 3600 / 60));
}

void human_size(u64 bytes, FormatBuffer& out) {
    const char units[] = "KMGTPE";
    if (bytes < 1024) {
        format_append(out, "{}", bytes);
        return;
    }
    u32 unit = 0;
    u64 scaled = bytes;  // in units of 1024^(unit+1), times 10 when shown with a decimal
    u64 divisor = 1024;
    while (unit + 1 < sizeof(units) - 1 && bytes / divisor >= 1024) {
        divisor *= 1024;
        ++unit;
    }
    scaled = bytes / divisor;
    if (scaled < 10) {
        u64 tenths = (bytes % divisor) * 10 / divisor;
        format_append(out, "{}.{}{}", scaled, tenths, units[unit]);
    } else {
        format_append(out, "{}{}", scaled, units[unit]);
    }
}

StringView base_name(StringView path) {
    usize end = path.length();
    while (end > 0 && path[end - 1] == '/') --end;
    usize start = end;
    while (start > 0 && path[start - 1] != '/') --start;
    return path.substr(start, end - start);
}

StringView join_path(StringView dir, StringView name, Span<char> storage) {
    bool slash = !dir.empty() && dir[dir.length() - 1] != '/';
    usize length = dir.length() + (slash ? 1 : 0) + name.length();
    if (length > storage.size()) return StringView();
    mem_copy(storage.data(), dir.data(), dir.length());
    if (slash) storage[dir.length()] = '/';
    mem_copy(storage.data() + dir.length() + (slash ? 1 : 0), name.data(), name.length());
    return StringView(storage.data(), length);
}

}  // namespace mote::user
