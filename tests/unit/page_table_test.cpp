// The page-table builder (arch/radix_page_tables.hpp) with each port's
// entry format: riscv64 (Sv39), aarch64 (4 KiB granule, 48-bit) and x86_64
// (4-level), run on the host: their pools are ordinary memory here. Each
// result is checked by an independent walk written from the
// specifications' descriptor formats, not by asking the builder.
#include <gtest/gtest.h>

#include <cstring>

#include "arch/aarch64/page_table.hpp"
#include "arch/riscv64/page_table.hpp"
#include "arch/x86_64/page_table.hpp"

namespace mote {
namespace {

constexpr u64 kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;

struct Translation {
    bool valid = false;
    u64 pa = 0;
    u64 page_size = 0;
    bool read = false, write = false, execute = false;
};

// Sv39 (RISC-V privileged spec 4.4): PPN in bits 53:10, R/W/X in bits 1-3;
// a valid entry with none of R/W/X points at the next level.
Translation walk_sv39(u64 root, u64 va) {
    const u64* table = reinterpret_cast<const u64*>(root);
    for (int level = 2; level >= 0; --level) {
        u64 pte = table[(va >> (12 + 9 * level)) & 511];
        if (!(pte & 1)) return {};
        u64 base = (pte >> 10) << 12;
        if (pte & 0xe) {
            u64 size = u64(1) << (12 + 9 * level);
            return {true, base + (va & (size - 1)), size, bool(pte & 2), bool(pte & 4), bool(pte & 8)};
        }
        table = reinterpret_cast<const u64*>(base);
    }
    return {};
}

// VMSAv8-64 (ARM ARM D8.3): bit 1 set is a table at levels 0-2 and a page
// at level 3; bit 1 clear at levels 1-2 is a block. AP[2] (bit 7) makes it
// read-only; PXN (bit 53) forbids kernel execution.
Translation walk_aarch64(u64 root, u64 va) {
    const u64* table = reinterpret_cast<const u64*>(root);
    for (int level = 0; level <= 3; ++level) {
        u64 d = table[(va >> (12 + 9 * (3 - level))) & 511];
        if (!(d & 1)) return {};
        u64 base = d & 0x0000fffffffff000;
        bool table_entry = (d & 2) && level < 3;
        if (!table_entry) {
            if (level == 0) return {};
            u64 size = u64(1) << (12 + 9 * (3 - level));
            return {true, base + (va & (size - 1)), size, true, !(d & (u64(1) << 7)), !(d & (u64(1) << 53))};
        }
        table = reinterpret_cast<const u64*>(base);
    }
    return {};
}

// x86_64 4-level paging (SDM vol. 3A 5.5): P (bit 0), R/W (bit 1), PS
// (bit 7) makes a PDPT or PD entry a leaf, XD (bit 63). Table addresses are
// physical; the pool is reached at phys + `offset`.
Translation walk_x86(u64 root, u64 va, u64 offset) {
    const u64* table = reinterpret_cast<const u64*>(root + offset);
    for (int level = 3; level >= 0; --level) {
        u64 e = table[(va >> (12 + 9 * level)) & 511];
        if (!(e & 1)) return {};
        u64 base = e & 0x000ffffffffff000;
        if (level == 0 || (level < 3 && (e & 0x80))) {
            u64 size = u64(1) << (12 + 9 * level);
            return {true, base + (va & (size - 1)), size, true, bool(e & 2), !(e >> 63)};
        }
        table = reinterpret_cast<const u64*>(base + offset);
    }
    return {};
}

class Sv39Test : public ::testing::Test {
protected:
    void SetUp() override {
        riscv::page_table_pool() = {riscv::page_table_pool_address(), 0, riscv::kPoolPages, 0};
        ASSERT_TRUE(tables.init().ok());
    }
    Translation at(u64 va) { return walk_sv39(tables.root_phys(), va); }
    usize pages_used() const { return riscv::page_table_pool().used; }
    riscv::PageTables tables;
};

constexpr u64 kDevices = riscv::kDirectMapBase;
constexpr u32 kRw = arch::kRead | arch::kWrite;

TEST_F(Sv39Test, AlignedStretchesTakeMegapages) {
    // The PLIC's 6 MiB at 0x0c000000: three 2 MiB megapages, one table.
    ASSERT_TRUE(tables.map(kDevices + 0x0c000000, 0x0c000000, 6 * kMiB, kRw).ok());
    EXPECT_EQ(pages_used(), 2u);
    for (u64 off : {u64(0), u64(0x1ffff8), u64(0x200000), u64(0x5ff000)}) {
        Translation t = at(kDevices + 0x0c000000 + off);
        ASSERT_TRUE(t.valid) << off;
        EXPECT_EQ(t.pa, 0x0c000000 + off);
        EXPECT_EQ(t.page_size, 2 * kMiB);
        EXPECT_TRUE(t.read && t.write && !t.execute);
    }
    EXPECT_FALSE(at(kDevices + 0x0c600000).valid);
    EXPECT_FALSE(at(kDevices + 0x0bfff000).valid);
}

TEST_F(Sv39Test, UnalignedEndsUseSmallPages) {
    ASSERT_TRUE(tables.map(kDevices + 0x10001000, 0x10001000, 3 * 4096, kRw).ok());
    for (u64 page = 0; page < 3; ++page) {
        Translation t = at(kDevices + 0x10001000 + page * 4096 + 8);
        ASSERT_TRUE(t.valid);
        EXPECT_EQ(t.pa, 0x10001000 + page * 4096 + 8);
        EXPECT_EQ(t.page_size, 4096u);
    }
    EXPECT_FALSE(at(kDevices + 0x10000000).valid);
    EXPECT_FALSE(at(kDevices + 0x10004000).valid);
}

TEST_F(Sv39Test, RemappingInsideALargerPageTheSameWayIsAccepted) {
    ASSERT_TRUE(tables.map(kDevices + 0x0c000000, 0x0c000000, 2 * kMiB, kRw).ok());
    usize used = pages_used();
    EXPECT_TRUE(tables.map(kDevices + 0x0c001000, 0x0c001000, 4096, kRw).ok());
    EXPECT_EQ(pages_used(), used);  // no table split, nothing allocated
    EXPECT_EQ(tables.map(kDevices + 0x0c001000, 0x0c001000, 4096, arch::kRead).error(), Error::BadState);
    EXPECT_EQ(tables.map(kDevices + 0x0c001000, 0x0d001000, 4096, kRw).error(), Error::BadState);
    EXPECT_EQ(at(kDevices + 0x0c001000).pa, 0x0c001000u);
}

TEST_F(Sv39Test, ALargerMappingOverEarlierSmallPagesFillsAroundThem) {
    ASSERT_TRUE(tables.map(kDevices + 0x0c002000, 0x0c002000, 4096, kRw).ok());
    ASSERT_TRUE(tables.map(kDevices + 0x0c000000, 0x0c000000, 4 * kMiB, kRw).ok());
    // The first 2 MiB keep their 4 KiB table; the second is a megapage.
    for (u64 off = 0; off < 4 * kMiB; off += 64 * kKiB) {
        Translation t = at(kDevices + 0x0c000000 + off);
        ASSERT_TRUE(t.valid) << off;
        EXPECT_EQ(t.pa, 0x0c000000 + off);
        EXPECT_EQ(t.page_size, off < 2 * kMiB ? 4096 : 2 * kMiB) << off;
    }
    // A different frame under the small pages is still a conflict.
    EXPECT_EQ(tables.map(kDevices + 0x0c000000, 0x0e000000, 2 * kMiB, kRw).error(), Error::BadState);
}

TEST_F(Sv39Test, GigapagesWhereAlignmentAllowsAndBadArguments) {
    ASSERT_TRUE(tables.map(riscv::kDirectMapBase + 0x80000000, 0x80000000, kGiB + 2 * kMiB, kRw).ok());
    EXPECT_EQ(at(riscv::kDirectMapBase + 0x80000000 + 12345).page_size, kGiB);
    EXPECT_EQ(at(riscv::kDirectMapBase + 0xc0000000 + 12345).page_size, 2 * kMiB);
    EXPECT_EQ(tables.map(kDevices + 0x1000, 0x1001, 4096, kRw).error(), Error::InvalidArgument);
    EXPECT_EQ(tables.map(kDevices + 0x1000, 0x1000, 100, kRw).error(), Error::InvalidArgument);
}

TEST_F(Sv39Test, PoolExhaustionIsNoMemory) {
    // Each 4 KiB page in a fresh 1 GiB stretch needs its own two tables.
    Result<void> r;
    for (u64 gib = 0; gib < 64 && !r.is_error(); ++gib) r = tables.map(kDevices + gib * kGiB, gib * kGiB, 4096, kRw);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Error::NoMemory);
    EXPECT_EQ(pages_used(), riscv::kPoolPages);
}

class Aarch64TablesTest : public ::testing::Test {
protected:
    void SetUp() override {
        aarch64::page_table_pool() = {aarch64::page_table_pool_address(), 0, aarch64::kPoolPages, 0};
        ASSERT_TRUE(tables.init().ok());
    }
    Translation at(u64 va) { return walk_aarch64(tables.root_phys(), va); }
    aarch64::PageTables tables;
};

constexpr u64 kArmDevices = aarch64::kDirectMapBase;
constexpr u32 kArmRw = arch::kRead | arch::kWrite | arch::kDevice;

TEST_F(Aarch64TablesTest, AlignedStretchesTakeBlocks) {
    ASSERT_TRUE(tables.map(kArmDevices + 0x08000000, 0x08000000, 4 * kMiB, kArmRw).ok());
    for (u64 off : {u64(0), u64(0x3ffff8)}) {
        Translation t = at(kArmDevices + 0x08000000 + off);
        ASSERT_TRUE(t.valid);
        EXPECT_EQ(t.pa, 0x08000000 + off);
        EXPECT_EQ(t.page_size, 2 * kMiB);
        EXPECT_TRUE(t.write && !t.execute);
    }
    EXPECT_FALSE(at(kArmDevices + 0x08400000).valid);
}

TEST_F(Aarch64TablesTest, SmallPagesThenABlockOverThemAndSameWayRemaps) {
    ASSERT_TRUE(tables.map(kArmDevices + 0x08010000, 0x08010000, 64 * kKiB, kArmRw).ok());
    ASSERT_TRUE(tables.map(kArmDevices + 0x08000000, 0x08000000, 4 * kMiB, kArmRw).ok());
    for (u64 off = 0; off < 4 * kMiB; off += 60 * kKiB) {
        Translation t = at(kArmDevices + 0x08000000 + off);
        ASSERT_TRUE(t.valid) << off;
        EXPECT_EQ(t.pa, 0x08000000 + off);
        EXPECT_EQ(t.page_size, off < 2 * kMiB ? 4096 : 2 * kMiB) << off;
    }
    usize used = aarch64::page_table_pool().used;
    EXPECT_TRUE(tables.map(kArmDevices + 0x08201000, 0x08201000, 4096, kArmRw).ok());
    EXPECT_EQ(aarch64::page_table_pool().used, used);
    // Normal memory where a device block is: a conflict, not a silent change.
    EXPECT_EQ(tables.map(kArmDevices + 0x08201000, 0x08201000, 4096, arch::kRead | arch::kWrite).error(),
              Error::BadState);
}

class X86TablesTest : public ::testing::Test {
protected:
    void SetUp() override {
        x86::page_table_pool() = {x86::page_table_pool_phys(), x86::kKernelOffset, x86::kPoolPages, 0};
        ASSERT_TRUE(tables.init(x86::X86Format {.nx = true}).ok());
    }
    Translation at(u64 va) { return walk_x86(tables.root_phys(), va, x86::kKernelOffset); }
    x86::PageTables tables;
};

TEST_F(X86TablesTest, TwoMegabytePagesAtMostAndNxFromTheFormat) {
    // 1 GiB + 4 KiB, 1 GiB aligned: no 1 GiB page (the format's largest
    // leaf is 2 MiB), then one 4 KiB page.
    constexpr u64 base = x86::kDirectMapBase + kGiB;
    ASSERT_TRUE(tables.map(base, kGiB, kGiB + 4096, arch::kRead | arch::kWrite).ok());
    EXPECT_EQ(at(base + 12345).page_size, 2 * kMiB);
    EXPECT_EQ(at(base + kGiB - 8).pa, 2 * kGiB - 8);
    Translation last = at(base + kGiB + 8);
    ASSERT_TRUE(last.valid);
    EXPECT_EQ(last.page_size, 4096u);
    EXPECT_FALSE(last.execute);  // NX set: the format was told the CPU has it
    EXPECT_FALSE(at(base + kGiB + 4096).valid);
    EXPECT_TRUE(tables.is_mapped(base + 5 * kMiB));
    EXPECT_FALSE(tables.is_mapped(base - 4096));
}

TEST_F(X86TablesTest, ReadOnlyExecutableAndConflicts) {
    constexpr u64 va = x86::kKernelOffset + 0x100000;
    ASSERT_TRUE(tables.map(va, 0x100000, 8 * 4096, arch::kRead | arch::kExecute).ok());
    Translation t = at(va + 4096);
    ASSERT_TRUE(t.valid);
    EXPECT_FALSE(t.write);
    EXPECT_TRUE(t.execute);
    EXPECT_TRUE(tables.map(va, 0x100000, 4096, arch::kRead | arch::kExecute).ok());
    EXPECT_EQ(tables.map(va, 0x100000, 4096, arch::kRead | arch::kWrite).error(), Error::BadState);
}

}  // namespace
}  // namespace mote
