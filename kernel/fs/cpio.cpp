#include "fs/cpio.hpp"

#include "base/checked.hpp"
#include "core/log.hpp"

namespace mote::fs {

const char* cpio_fault_name(CpioFault fault) {
    switch (fault) {
    case CpioFault::None: return "None";
    case CpioFault::TruncatedHeader: return "TruncatedHeader";
    case CpioFault::BadMagic: return "BadMagic";
    case CpioFault::BadHexField: return "BadHexField";
    case CpioFault::EmptyName: return "EmptyName";
    case CpioFault::NameOutOfBounds: return "NameOutOfBounds";
    case CpioFault::UnterminatedName: return "UnterminatedName";
    case CpioFault::NulInName: return "NulInName";
    case CpioFault::DataOutOfBounds: return "DataOutOfBounds";
    case CpioFault::BadPadding: return "BadPadding";
    case CpioFault::BadChecksum: return "BadChecksum";
    case CpioFault::MissingTrailer: return "MissingTrailer";
    case CpioFault::TrailingData: return "TrailingData";
    case CpioFault::UnsupportedType: return "UnsupportedType";
    case CpioFault::HardLink: return "HardLink";
    case CpioFault::DirectoryWithData: return "DirectoryWithData";
    case CpioFault::AbsolutePath: return "AbsolutePath";
    case CpioFault::BadPath: return "BadPath";
    case CpioFault::NameTooLong: return "NameTooLong";
    case CpioFault::DuplicatePath: return "DuplicatePath";
    case CpioFault::ParentNotDirectory: return "ParentNotDirectory";
    case CpioFault::TooManyEntries: return "TooManyEntries";
    }
    return "UnknownCpioFault";
}

namespace {

// The thirteen 8-digit fields after the 6-byte magic, in header order.
enum Field : usize { kIno, kMode, kUid, kGid, kNlink, kMtime, kFileSize, kDevMajor, kDevMinor,
                     kRdevMajor, kRdevMinor, kNameSize, kCheck, kFieldCount };
constexpr usize kMagicSize = 6;
constexpr usize kFieldDigits = 8;
static_assert(kMagicSize + kFieldCount * kFieldDigits == kCpioHeaderSize);

constexpr StringView kTrailerName = "TRAILER!!!";

// One record as it sits in the archive: the header's fields, the name
// without its NUL, the data, and where the next header starts.
struct Record {
    u32 fields[kFieldCount];
    StringView name;
    ReadonlyBytes data;
    usize next;
};

// Failure of a check: the fault, and the kernel's one error for all of them.
Error fail(CpioFault& out, CpioFault fault) {
    out = fault;
    return Error::Malformed;
}

int hex_digit(u8 c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool all_zero(ReadonlyBytes bytes) {
    for (u8 b : bytes)
        if (b != 0) return false;
    return true;
}

// Decodes the record whose header starts at `offset` (4-byte aligned, at
// most bytes.size()): the header, the name and the data with their padding.
// What the record means (type, path) is checked by the caller.
Result<Record> read_record(ReadonlyBytes bytes, usize offset, CpioFault& fault) {
    if (bytes.size() - offset < kCpioHeaderSize) return fail(fault, CpioFault::TruncatedHeader);
    ReadonlyBytes header = bytes.slice(offset, kCpioHeaderSize);
    static constexpr char kMagicPrefix[] = "07070";
    for (usize i = 0; i < 5; ++i)
        if (header[i] != u8(kMagicPrefix[i])) return fail(fault, CpioFault::BadMagic);
    // 070702 is newc with a checksum of the data; anything else is another
    // cpio dialect (070707 odc, binary) or not cpio at all.
    const u8 variant = header[5];
    if (variant != '1' && variant != '2') return fail(fault, CpioFault::BadMagic);

    Record record {};
    for (usize f = 0; f < kFieldCount; ++f) {
        u32 value = 0;
        for (usize d = 0; d < kFieldDigits; ++d) {
            int digit = hex_digit(header[kMagicSize + f * kFieldDigits + d]);
            if (digit < 0) return fail(fault, CpioFault::BadHexField);
            value = (value << 4) | u32(digit);
        }
        record.fields[f] = value;
    }

    // The name, NUL included, then zeros up to a 4-byte boundary. Offsets
    // are checked: a namesize of 0xffffffff must not wrap.
    const usize name_size = record.fields[kNameSize];
    if (name_size == 0) return fail(fault, CpioFault::EmptyName);
    const usize name_start = offset + kCpioHeaderSize;
    auto name_end = checked_add(name_start, name_size);
    if (name_end.is_error()) return fail(fault, CpioFault::NameOutOfBounds);
    auto name_padded = align_up(name_end.value(), usize(4));
    if (name_padded.is_error() || name_padded.value() > bytes.size()) return fail(fault, CpioFault::NameOutOfBounds);
    ReadonlyBytes name = bytes.slice(name_start, name_size);
    if (name[name_size - 1] != 0) return fail(fault, CpioFault::UnterminatedName);
    for (usize i = 0; i + 1 < name_size; ++i)
        if (name[i] == 0) return fail(fault, CpioFault::NulInName);
    if (!all_zero(bytes.slice(name_end.value(), name_padded.value() - name_end.value())))
        return fail(fault, CpioFault::BadPadding);
    record.name = StringView(reinterpret_cast<const char*>(name.data()), name_size - 1);

    // The data, then zeros up to a 4-byte boundary.
    const usize data_start = name_padded.value();
    auto data_end = checked_add(data_start, usize(record.fields[kFileSize]));
    if (data_end.is_error()) return fail(fault, CpioFault::DataOutOfBounds);
    auto data_padded = align_up(data_end.value(), usize(4));
    if (data_padded.is_error() || data_padded.value() > bytes.size()) return fail(fault, CpioFault::DataOutOfBounds);
    record.data = bytes.slice(data_start, record.fields[kFileSize]);
    if (!all_zero(bytes.slice(data_end.value(), data_padded.value() - data_end.value())))
        return fail(fault, CpioFault::BadPadding);
    record.next = data_padded.value();

    if (variant == '2') {
        // The newc "crc" is no CRC: the 32-bit wrapping sum of the data bytes.
        u32 sum = 0;
        for (u8 b : record.data) sum += b;
        if (sum != record.fields[kCheck]) return fail(fault, CpioFault::BadChecksum);
    }
    return record;
}

bool is_trailer(const Record& record) { return record.name == kTrailerName; }

// A relative path of clean components: no leading '/', no empty, "." or
// ".." component, each at most abi::kNameMax bytes.
Result<void> check_path(StringView path, CpioFault& fault) {
    if (path.empty()) return fail(fault, CpioFault::BadPath);
    if (path.length() > kCpioPathMax) return fail(fault, CpioFault::NameTooLong);
    if (path[0] == '/') return fail(fault, CpioFault::AbsolutePath);
    usize start = 0;
    while (start <= path.length()) {
        usize end = start;
        while (end < path.length() && path[end] != '/') ++end;
        StringView component = path.substr(start, end - start);
        if (component.empty() || component == "." || component == "..") return fail(fault, CpioFault::BadPath);
        if (component.length() > abi::kNameMax) return fail(fault, CpioFault::NameTooLong);
        start = end + 1;
    }
    return {};
}

// What an entry is: only regular files (with one link) and empty
// directories are accepted.
Result<void> check_entry(const Record& record, CpioFault& fault) {
    const u32 type = record.fields[kMode] & kCpioTypeMask;
    if (type == kCpioTypeRegular) {
        // newc writes a hard-linked file's data only with its last link and
        // gives the others filesize 0; accepting them would make empty files.
        if (record.fields[kNlink] > 1) return fail(fault, CpioFault::HardLink);
    } else if (type == kCpioTypeDirectory) {
        if (!record.data.empty()) return fail(fault, CpioFault::DirectoryWithData);
    } else {
        return fail(fault, CpioFault::UnsupportedType);
    }
    return check_path(record.name, fault);
}

// What pass 2 needs of a record that read_record() already accepted.
struct Brief {
    StringView name;
    bool is_directory;
    usize next;
};

u32 field_of(ReadonlyBytes bytes, usize header, Field field) {
    const u8* digits = bytes.data() + header + kMagicSize + field * kFieldDigits;
    u32 value = 0;
    for (usize d = 0; d < kFieldDigits; ++d) value = (value << 4) | u32(hex_digit(digits[d]));
    return value;
}

Brief brief_record(ReadonlyBytes bytes, usize header) {
    const usize name_size = field_of(bytes, header, kNameSize);
    const usize file_size = field_of(bytes, header, kFileSize);
    const usize data_start = (header + kCpioHeaderSize + name_size + 3) & ~usize(3);
    return Brief {
        .name = StringView(reinterpret_cast<const char*>(bytes.data() + header + kCpioHeaderSize), name_size - 1),
        .is_directory = (field_of(bytes, header, kMode) & kCpioTypeMask) == kCpioTypeDirectory,
        .next = (data_start + file_size + 3) & ~usize(3),
    };
}

usize depth_of(StringView path) {
    usize depth = 1;
    for (char c : path) depth += c == '/';
    return depth;
}

// How many leading components two clean paths share: "a/b/c" and "a/b/d"
// share 2, "a/b" and "a/bc" share 1, "a/b" and "a/b/c" share 2.
usize common_components(StringView a, StringView b) {
    const usize n = min(a.length(), b.length());
    const char* pa = a.data();
    const char* pb = b.data();
    usize k = 0;
    usize common = 0;
    while (k < n && pa[k] == pb[k]) {
        if (pa[k] == '/') ++common;
        ++k;
    }
    // Stopped at the end of one path: the component there is shared when
    // the other path ends too or continues with '/'.
    const bool a_done = k == a.length();
    const bool b_done = k == b.length();
    if ((a_done && (b_done || b[k] == '/')) || (b_done && a[k] == '/')) ++common;
    return common;
}

}  // namespace

Result<CpioArchive> CpioArchive::decode(ReadonlyBytes bytes, CpioFault* fault_out) {
    CpioFault fault = CpioFault::None;
    usize fault_offset = 0;
    auto reject = [&]() -> Result<CpioArchive> {
        if (fault_out) *fault_out = fault;
        log_warn("cpio", "archive rejected: {} (entry at offset {})", cpio_fault_name(fault), fault_offset);
        return Error::Malformed;
    };

    // Pass 1, linear: every record's framing and meaning, up to the trailer.
    CpioArchive archive;
    archive.m_bytes = bytes;
    usize offset = 0;
    while (true) {
        fault_offset = offset;
        if (offset == bytes.size()) {
            fault = CpioFault::MissingTrailer;
            return reject();
        }
        auto record = read_record(bytes, offset, fault);
        if (record.is_error()) return reject();
        if (is_trailer(record.value())) {
            archive.m_trailer_offset = offset;
            archive.m_used_size = record.value().next;
            break;
        }
        if (++archive.m_entry_count > kCpioMaxEntries) {
            fault = CpioFault::TooManyEntries;
            return reject();
        }
        if (check_entry(record.value(), fault).is_error()) return reject();
        offset = record.value().next;
    }
    if (!all_zero(bytes.slice(archive.m_used_size))) {
        fault = CpioFault::TrailingData;
        return reject();
    }

    // Pass 2, pairwise: the paths form a tree. Each entry is compared with
    // every earlier one; its components not shared with any earlier entry
    // are the new paths it adds (itself and implied parent directories).
    // The inner loop re-reads only what it needs of records pass 1 checked.
    for (usize i = 0; i != archive.m_trailer_offset;) {
        const Brief entry = brief_record(bytes, i);
        const usize depth = depth_of(entry.name);
        usize shared = 0;
        for (usize j = 0; j != i;) {
            const Brief earlier = brief_record(bytes, j);
            const usize earlier_depth = depth_of(earlier.name);
            const usize common = common_components(entry.name, earlier.name);
            fault_offset = i;
            if (common == depth && common == earlier_depth) fault = CpioFault::DuplicatePath;
            else if (common == earlier_depth && !earlier.is_directory) fault = CpioFault::ParentNotDirectory;
            else if (common == depth && !entry.is_directory) fault = CpioFault::ParentNotDirectory;
            if (fault != CpioFault::None) return reject();
            shared = max(shared, common);
            j = earlier.next;
        }
        archive.m_path_count += depth - shared;
        i = entry.next;
    }

    if (fault_out) *fault_out = CpioFault::None;
    return archive;
}

CpioIterator::CpioIterator(ReadonlyBytes bytes, usize offset, usize end) : m_bytes(bytes), m_offset(offset), m_end(end) {
    load();
}

void CpioIterator::load() {
    if (m_offset == m_end) return;
    // decode() accepted every record before the trailer.
    CpioFault fault = CpioFault::None;
    const Record record = MUST(read_record(m_bytes, m_offset, fault));
    m_entry.path = record.name;
    m_entry.mode = record.fields[kMode];
    m_entry.inode = record.fields[kIno];
    m_entry.data = record.data;
    m_entry.offset = m_offset;
    m_next = record.next;
}

CpioIterator& CpioIterator::operator++() {
    VERIFY(m_offset != m_end);
    m_offset = m_next;
    load();
    return *this;
}

}  // namespace mote::fs
