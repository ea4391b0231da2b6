// Shared helpers of the devicetree parser tests (fdt_*_test.cpp): loading
// the QEMU dumps in tests/data/dtb, a builder for hand-made and malformed
// blobs, and exercise(), which walks a parsed tree through the whole API.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "firmware/fdt.hpp"

namespace mote::fdt_test {

using namespace mote;
using namespace mote::fdt;


inline constexpr u64 kMiB = 1024 * 1024;

inline std::vector<u8> load_dtb(const char* name) {
    std::string path = std::string(MOTE_TEST_DATA) + "/dtb/" + name;
    std::FILE* file = std::fopen(path.c_str(), "rb");
    EXPECT_NE(file, nullptr) << path;
    std::vector<u8> bytes;
    if (!file) return bytes;
    u8 chunk[4096];
    usize n;
    while ((n = std::fread(chunk, 1, sizeof chunk, file)) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
    std::fclose(file);
    return bytes;
}

// The blobs stay loaded for the whole run: a parsed Fdt borrows its bytes.
inline const std::vector<u8>& dtb(const char* name) {
    static std::map<std::string, std::vector<u8>> cache;
    auto it = cache.find(name);
    if (it == cache.end()) it = cache.emplace(name, load_dtb(name)).first;
    return it->second;
}

inline ReadonlyBytes bytes_of(const std::vector<u8>& v) { return ReadonlyBytes(v.data(), v.size()); }

inline Fdt parse_ok(const std::vector<u8>& blob) {
    FdtFault fault = FdtFault::BadMagic;
    auto fdt = Fdt::parse(bytes_of(blob), &fault);
    EXPECT_TRUE(fdt.ok()) << fdt_fault_name(fault);
    EXPECT_EQ(fault, FdtFault::None);
    return fdt.release_value();
}

inline std::string str(StringView s) { return std::string(s.data(), s.length()); }

inline Node node_at(const Fdt& fdt, const char* path) {
    auto node = fdt.find_node(path);
    EXPECT_TRUE(node.ok()) << path;
    return node.release_value();
}

inline usize count_compatible(const Fdt& fdt, const char* compatible) {
    usize n = 0;
    fdt.for_each_compatible(compatible, [&](const Node&) { ++n; });
    return n;
}

inline std::vector<Reg> memory_ranges(const Fdt& fdt) {
    std::vector<Reg> out;
    fdt.for_each_memory([&](Reg r) { out.push_back(r); });
    return out;
}

inline std::vector<u32> interrupt_cells(const Interrupt& irq) {
    return std::vector<u32>(irq.cells, irq.cells + irq.cell_count);
}

// ---------------------------------------------------------------------------
// A builder for crafted blobs. It lays out header, reservation map,
// structure and strings the way dtc does; tests then corrupt the result.

inline void put32(std::vector<u8>& v, u32 x) {
    for (int shift = 24; shift >= 0; shift -= 8) v.push_back(u8(x >> shift));
}
inline void put64(std::vector<u8>& v, u64 x) {
    put32(v, u32(x >> 32));
    put32(v, u32(x));
}
inline void set32(std::vector<u8>& v, usize at, u32 x) {
    for (int i = 0; i < 4; ++i) v[at + i] = u8(x >> (24 - 8 * i));
}
inline u32 get32(const std::vector<u8>& v, usize at) { return load_be32(v.data() + at); }

// Header field offsets.
constexpr usize kHTotal = 4, kHStruct = 8, kHStrings = 12, kHRsvmap = 16, kHVersion = 20, kHLastComp = 24,
                kHStringsSize = 32, kHStructSize = 36;

class Builder {
public:
    Builder& begin(const std::string& name) {
        put32(m_struct, 1);
        for (char c : name) m_struct.push_back(u8(c));
        m_struct.push_back(0);
        pad();
        return *this;
    }
    Builder& end() {
        put32(m_struct, 2);
        return *this;
    }
    Builder& nop() {
        put32(m_struct, 4);
        return *this;
    }
    Builder& finish() {
        put32(m_struct, 9);
        return *this;
    }
    Builder& word(u32 w) {
        put32(m_struct, w);
        return *this;
    }
    Builder& raw(const std::vector<u8>& bytes) {
        m_struct.insert(m_struct.end(), bytes.begin(), bytes.end());
        return *this;
    }
    Builder& prop(const std::string& name, const std::vector<u8>& value) {
        return prop_at(string_offset(name), value);
    }
    Builder& prop_at(u32 name_offset, const std::vector<u8>& value) {
        put32(m_struct, 3);
        put32(m_struct, u32(value.size()));
        put32(m_struct, name_offset);
        m_struct.insert(m_struct.end(), value.begin(), value.end());
        pad();
        return *this;
    }
    Builder& prop_u32(const std::string& name, std::vector<u32> cells) {
        std::vector<u8> value;
        for (u32 c : cells) put32(value, c);
        return prop(name, value);
    }
    Builder& prop_str(const std::string& name, const std::string& s) {
        std::vector<u8> value(s.begin(), s.end());
        value.push_back(0);
        return prop(name, value);
    }
    Builder& reserve(u64 base, u64 size) {
        m_reserved.push_back({base, size});
        return *this;
    }
    Builder& strings_raw(const std::vector<u8>& bytes) {
        m_strings.insert(m_strings.end(), bytes.begin(), bytes.end());
        return *this;
    }
    u32 string_offset(const std::string& name) {
        std::string all(m_strings.begin(), m_strings.end());
        usize at = all.find(name + '\0');
        if (at != std::string::npos) return u32(at);
        u32 offset = u32(m_strings.size());
        m_strings.insert(m_strings.end(), name.begin(), name.end());
        m_strings.push_back(0);
        return offset;
    }

    // header (40) | rsvmap | struct | strings | padding to 8
    std::vector<u8> build(bool terminate_rsvmap = true) const {
        std::vector<u8> out;
        const u32 rsvmap = 40;
        const u32 rsv_size = u32(16 * (m_reserved.size() + (terminate_rsvmap ? 1 : 0)));
        const u32 structure = rsvmap + rsv_size;
        const u32 strings = structure + u32(m_struct.size());
        u32 total = strings + u32(m_strings.size());
        total = (total + 7) & ~7u;
        put32(out, kFdtMagic);
        put32(out, total);
        put32(out, structure);
        put32(out, strings);
        put32(out, rsvmap);
        put32(out, 17);
        put32(out, 16);
        put32(out, 0);
        put32(out, u32(m_strings.size()));
        put32(out, u32(m_struct.size()));
        for (auto [base, size] : m_reserved) {
            put64(out, base);
            put64(out, size);
        }
        if (terminate_rsvmap) {
            put64(out, 0);
            put64(out, 0);
        }
        out.insert(out.end(), m_struct.begin(), m_struct.end());
        out.insert(out.end(), m_strings.begin(), m_strings.end());
        out.resize(total, 0);
        return out;
    }

private:
    void pad() {
        while (m_struct.size() % 4) m_struct.push_back(0);
    }
    std::vector<u8> m_struct;
    std::vector<u8> m_strings;
    std::vector<std::pair<u64, u64>> m_reserved;
};

// The smallest valid tree with one property and one child, for corruption.
inline Builder minimal() {
    Builder b;
    b.begin("").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {1});
    b.begin("dev@10").prop_u32("reg", {0x10, 0x20}).prop_str("compatible", "mote,dev").end();
    b.end().finish();
    return b;
}

inline FdtFault fault_of(const std::vector<u8>& blob) {
    FdtFault fault = FdtFault::None;
    auto fdt = Fdt::parse(bytes_of(blob), &fault);
    if (fdt.ok()) return FdtFault::None;
    EXPECT_EQ(fdt.error(), Error::Malformed);
    EXPECT_NE(fault, FdtFault::None);
    return fault;
}

// Walks every part of the API over a parsed tree, as a boot would and more.
// Anything may fail with an error; nothing may crash or trip a sanitizer.
inline usize exercise(const Fdt& fdt) {
    usize work = 0;
    fdt.for_each_node([&](const Node& node) {
        work += node.name().length() + node.base_name().length() + node.unit_address().length();
        for (Property p : node.properties()) {
            work += p.name().length() + p.size();
            (void)p.as_u32().value_or(0);
            (void)p.as_u64().value_or(0);
            (void)p.as_number().value_or(0);
            if (auto s = p.as_string(); s.ok()) work += s.value().length();
            if (auto list = p.as_strings(); list.ok()) {
                for (StringView s : list.value()) work += s.length() + 1;
                work += list.value().count();
            }
            (void)p.cells(1, 2).value_or(0);
        }
        for (Node c : node.children()) {
            auto again = node.child(c.name());
            EXPECT_TRUE(again.ok());
            ++work;
        }
        usize regs = node.reg_count().value_or(0);
        for (usize i = 0; i < regs && i < 16; ++i) (void)node.reg(i);
        (void)node.reg(regs);
        usize irqs = node.interrupt_count().value_or(0);
        for (usize i = 0; i < irqs && i < 8; ++i) (void)node.interrupt(i);
        (void)node.interrupt_parent();
        (void)node.phandle();
        (void)node.address_cells();
        (void)node.size_cells();
        (void)node.is_enabled();
        if (auto parent = node.parent(); parent.ok()) work += parent.value().name().length();
        return true;
    });
    for (const char* path : {"/", "/chosen", "/cpus/cpu@0", "/soc/serial", "/memory", "serial0", "/aliases"})
        (void)fdt.find_node(path);
    (void)fdt.bootargs();
    (void)fdt.stdout_node();
    fdt.for_each_reserved([&](Reg r) { work += r.size != 0; });
    fdt.for_each_memory([&](Reg r) { work += r.size != 0; });
    fdt.for_each_reserved_memory([&](const Node&, Reg r) { work += r.size != 0; });
    for (u32 ph = 0; ph < 4; ++ph) (void)fdt.find_by_phandle(ph);
    return work;
}


}  // namespace mote::fdt_test
