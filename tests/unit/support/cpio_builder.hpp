// A newc cpio writer for the tests, written from the format description
// (cpio(5), Linux's early-userspace buffer-format.rst) and independent of
// kernel/fs/cpio.cpp. Every field can be overridden so the tests can craft
// each way an archive can be wrong.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "base/types.hpp"

namespace mote::cpio_test {

using namespace mote;

inline constexpr u32 kRegular = 0100000;
inline constexpr u32 kDirectory = 0040000;
inline constexpr usize kHeader = 110;

// Header field numbers, after the 6-byte magic, 8 hex digits each.
enum HeaderField : usize { kFIno, kFMode, kFUid, kFGid, kFNlink, kFMtime, kFFileSize, kFDevMajor, kFDevMinor,
                           kFRdevMajor, kFRdevMinor, kFNameSize, kFCheck };

struct CpioRecord {
    std::string name;  // written as is; a NUL follows unless `nul` is false
    std::string data;
    u32 mode = kRegular | 0644;
    u32 ino = 0;
    u32 nlink = 1;
    std::string magic = "070701";
    std::optional<u32> namesize;  // default: name.size() + 1 (or + 0 without the NUL)
    std::optional<u32> filesize;  // default: data.size()
    std::optional<u32> check;     // default: the data's byte sum for 070702, else 0
    bool nul = true;
    u8 pad = 0;  // the padding byte after the name and after the data
    bool lowercase = false;
};

class CpioBuilder {
public:
    CpioBuilder& file(std::string path, std::string data, u32 perms = 0644) {
        CpioRecord r;
        r.name = std::move(path);
        r.data = std::move(data);
        r.mode = kRegular | perms;
        return record(std::move(r));
    }
    CpioBuilder& dir(std::string path, u32 perms = 0755) {
        CpioRecord r;
        r.name = std::move(path);
        r.mode = kDirectory | perms;
        r.nlink = 2;
        return record(std::move(r));
    }
    CpioBuilder& record(CpioRecord r) {
        if (r.ino == 0) r.ino = u32(m_records.size() + 100);
        m_records.push_back(std::move(r));
        return *this;
    }
    CpioBuilder& no_trailer() {
        m_trailer = false;
        return *this;
    }
    // Zero bytes after the trailer up to a multiple of `block` (the cpio tool pads to 512).
    CpioBuilder& pad_to(usize block) {
        m_block = block;
        return *this;
    }
    CpioBuilder& checksummed() {
        m_magic = "070702";
        return *this;
    }

    std::vector<u8> build() {
        std::vector<u8> out;
        m_offsets.clear();
        for (CpioRecord r : m_records) {
            if (m_magic == "070702" && r.magic == "070701") r.magic = m_magic;
            append(out, r);
        }
        if (m_trailer) {
            CpioRecord t;
            t.name = "TRAILER!!!";
            t.mode = 0;
            t.nlink = 1;
            t.magic = m_magic;
            append(out, t);
        }
        if (m_block)
            while (out.size() % m_block) out.push_back(0);
        return out;
    }

    // Where each record's header starts in the last build(), the trailer last.
    const std::vector<usize>& offsets() const { return m_offsets; }

private:
    void append(std::vector<u8>& out, const CpioRecord& r) {
        m_offsets.push_back(out.size());
        u32 sum = 0;
        for (unsigned char c : r.data) sum += c;
        const u32 fields[13] = {r.ino, r.mode, 0, 0, r.nlink, 0,
                                r.filesize.value_or(u32(r.data.size())), 0, 0, 0, 0,
                                r.namesize.value_or(u32(r.name.size() + (r.nul ? 1 : 0))),
                                r.check.value_or(r.magic == "070702" ? sum : 0)};
        out.insert(out.end(), r.magic.begin(), r.magic.end());
        for (u32 f : fields) {
            char hex[9];
            std::snprintf(hex, sizeof hex, r.lowercase ? "%08x" : "%08X", f);
            out.insert(out.end(), hex, hex + 8);
        }
        out.insert(out.end(), r.name.begin(), r.name.end());
        if (r.nul) out.push_back(0);
        while (out.size() % 4) out.push_back(r.pad);
        out.insert(out.end(), r.data.begin(), r.data.end());
        while (out.size() % 4) out.push_back(r.pad);
    }

    std::vector<CpioRecord> m_records;
    std::vector<usize> m_offsets;
    std::string m_magic = "070701";
    bool m_trailer = true;
    usize m_block = 0;
};

// Overwrites header field `field` of the record at `header` with `text` (8 characters).
inline void set_field(std::vector<u8>& archive, usize header, usize field, const char* text) {
    for (usize i = 0; i < 8; ++i) archive[header + 6 + field * 8 + i] = u8(text[i]);
}

}  // namespace mote::cpio_test
