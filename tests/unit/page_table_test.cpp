// The page-table builder (arch/radix_page_tables.hpp) with each port's
// entry format: riscv64 (Sv39), aarch64 (4 KiB granule, 48-bit) and x86_64
// (4-level), run on the host: their pools are ordinary memory here. Each
// result is checked by an independent walk written from the
// specifications' descriptor formats, not by asking the builder.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>
#include <type_traits>
#include <vector>

#include "arch/aarch64/page_table.hpp"
#include "arch/riscv64/page_table.hpp"
#include "arch/x86_64/page_table.hpp"
#include "mm/page_allocator.hpp"

namespace mote {
namespace {

constexpr u64 kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;

struct Translation {
    bool valid = false;
    u64 pa = 0;
    u64 page_size = 0;
    bool read = false, write = false, execute = false;  // execute: by the kernel
    bool user = false;           // user mode may access (x86: U/S on every level of the path)
    bool global = false;         // kept across address-space switches (not ASID/PCID tagged)
    bool user_execute = false;   // user mode may fetch
    bool device = false;         // device or uncached memory attributes
    bool tables_clean = true;    // Sv39: no U/A/D in a non-leaf entry (the spec reserves them)
};

// Sv39 (RISC-V privileged spec 4.4): PPN in bits 53:10, R/W/X in bits 1-3;
// a valid entry with none of R/W/X points at the next level.
// U (bit 4): user mode only, and then the supervisor may not execute it;
// G (bit 5): global.
Translation walk_sv39(u64 root, u64 va) {
    const u64* table = reinterpret_cast<const u64*>(root);
    bool clean = true;
    for (int level = 2; level >= 0; --level) {
        u64 pte = table[(va >> (12 + 9 * level)) & 511];
        if (!(pte & 1)) return {};
        u64 base = (pte >> 10) << 12;
        if (pte & 0xe) {
            u64 size = u64(1) << (12 + 9 * level);
            bool user = pte & 0x10, x = pte & 8;
            Translation t {true, base + (va & (size - 1)), size, bool(pte & 2), bool(pte & 4), x && !user};
            t.user = user;
            t.global = pte & 0x20;
            t.user_execute = x && user;
            t.tables_clean = clean;
            return t;
        }
        clean &= !(pte & 0xd0);
        table = reinterpret_cast<const u64*>(base);
    }
    return {};
}

// VMSAv8-64 (ARM ARM D8.3): bit 1 set is a table at levels 0-2 and a page
// at level 3; bit 1 clear at levels 1-2 is a block. AP[2] (bit 7) makes it
// read-only; AP[1] (bit 6) lets EL0 in; nG (bit 11); PXN (bit 53) forbids
// kernel execution, UXN (bit 54) user execution.
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
            Translation t {true, base + (va & (size - 1)), size, true, !(d & (u64(1) << 7)), !(d & (u64(1) << 53))};
            t.user = d & (1 << 6);                    // AP[1]
            t.global = !(d & (1 << 11));              // nG
            t.user_execute = !(d & (u64(1) << 54));   // UXN
            t.device = ((d >> 2) & 7) == 1;           // MAIR attr1
            return t;
        }
        table = reinterpret_cast<const u64*>(base);
    }
    return {};
}

// x86_64 4-level paging (SDM vol. 3A 5.5): P (bit 0), R/W (bit 1), PS
// (bit 7) makes a PDPT or PD entry a leaf, XD (bit 63). Table addresses are
// physical; the pool is reached at phys + `offset`.
// U/S (bit 2) must be set on every level for user access (5.6.1); G is
// bit 8; PCD (bit 4) uncached.
Translation walk_x86(u64 root, u64 va, u64 offset) {
    const u64* table = reinterpret_cast<const u64*>(root + offset);
    bool user = true, writable = true;
    for (int level = 3; level >= 0; --level) {
        u64 e = table[(va >> (12 + 9 * level)) & 511];
        if (!(e & 1)) return {};
        user &= bool(e & 4);
        writable &= bool(e & 2);
        bool large = level < 3 && (e & 0x80);
        u64 base = e & 0x000ffffffffff000 & (large ? ~((u64(1) << (12 + 9 * level)) - 1) : ~u64(0));
        if (level == 0 || large) {
            u64 size = u64(1) << (12 + 9 * level);
            Translation t {true, base + (va & (size - 1)), size, true, writable, !(e >> 63)};
            t.user = user;
            t.global = e & 0x100;
            t.user_execute = user && !(e >> 63);
            t.device = e & 0x10;
            return t;
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


// ---- Trees built after boot: table pages from a TableSource ----

// Host pages handed out one at a time; physical = the pointer, so the
// walkers above read them directly. Counts what the tree takes and gives
// back, and catches a page given back twice or never taken.
struct TestAllocator {
    std::set<u64> live;
    usize allocations = 0, frees = 0, bad_frees = 0;
    usize limit = ~usize(0);

    ~TestAllocator() {
        for (u64 page : live) std::free(reinterpret_cast<void*>(page));
    }
};

struct TestSource {
    TestAllocator* a = nullptr;
    Result<u64> allocate() const {
        if (a->live.size() >= a->limit) return Error::NoMemory;
        void* page = std::aligned_alloc(4096, 4096);
        std::memset(page, 0xa5, 4096);  // garbage: the source's contract is to zero it
        std::memset(page, 0, 4096);
        a->live.insert(reinterpret_cast<u64>(page));
        ++a->allocations;
        return reinterpret_cast<u64>(page);
    }
    void free(u64 page) const {
        if (a->live.erase(page) == 0) {
            ++a->bad_frees;
            return;
        }
        ++a->frees;
        std::free(reinterpret_cast<void*>(page));
    }
    u64* at(u64 page) const { return reinterpret_cast<u64*>(page); }
};

void collect(u64 pa, void* context) { static_cast<std::vector<u64>*>(context)->push_back(pa); }

// Each port's format, its walker and its layout, for the typed tests.
struct Sv39Port {
    using Format = riscv::Sv39Format;
    static Format format() { return {}; }
    static Translation walk(u64 root, u64 va) { return walk_sv39(root, va); }
    static constexpr u64 kKernelVa = riscv::kKernelVirt;
    static constexpr u64 kUserTop = riscv::kUserTop;
    static constexpr bool kOneTree = true;  // kernel half copied into user trees
};
struct Aarch64Port {
    using Format = aarch64::Vmsa4kFormat;
    static Format format() { return {}; }
    static Translation walk(u64 root, u64 va) { return walk_aarch64(root, va); }
    static constexpr u64 kKernelVa = aarch64::kKernelVirt;
    static constexpr u64 kUserTop = aarch64::kUserTop;
    static constexpr bool kOneTree = false;
};
struct X86Port {
    using Format = x86::X86Format;
    static Format format() { return {.nx = true}; }
    static Translation walk(u64 root, u64 va) { return walk_x86(root, va, 0); }
    static constexpr u64 kKernelVa = x86::kKernelOffset;
    static constexpr u64 kUserTop = x86::kUserTop;
    static constexpr bool kOneTree = true;
};

template <typename Port>
class UserTablesTest : public ::testing::Test {
protected:
    using Tables = arch::RadixPageTables<typename Port::Format, TestSource>;
    void SetUp() override { ASSERT_TRUE(tables.init(Port::format(), TestSource {&pages}).ok()); }
    Translation at(u64 va) { return Port::walk(tables.root_phys(), va); }

    // A frame per page, distinct and aligned (never dereferenced).
    static u64 frame(u64 i) { return 0x4000'0000 + i * 4096; }

    TestAllocator pages;
    Tables tables;
};

using Ports = ::testing::Types<Sv39Port, Aarch64Port, X86Port>;
TYPED_TEST_SUITE(UserTablesTest, Ports);

constexpr u64 kUserVa = abi::kUserBase;
constexpr u32 kUserRw = arch::kRead | arch::kWrite | arch::kUser;
constexpr u32 kUserRx = arch::kRead | arch::kExecute | arch::kUser;

TYPED_TEST(UserTablesTest, UserLimitFitsTheUserHalf) {
    EXPECT_LE(abi::kUserLimit, TypeParam::kUserTop);
    EXPECT_LE(TypeParam::kUserTop, TypeParam::Format::kLowerLimit);
}

TYPED_TEST(UserTablesTest, UserPagesAreUserAccessibleAndNotGlobal) {
    ASSERT_TRUE(this->tables.map(kUserVa, this->frame(0), 2 * 4096, kUserRw).ok());
    ASSERT_TRUE(this->tables.map(kUserVa + 0x10000, this->frame(2), 4096, kUserRx).ok());
    for (u64 page = 0; page < 2; ++page) {
        Translation t = this->at(kUserVa + page * 4096 + 12);
        ASSERT_TRUE(t.valid);
        EXPECT_EQ(t.pa, this->frame(page) + 12);
        EXPECT_EQ(t.page_size, 4096u);
        EXPECT_TRUE(t.user && t.write);
        EXPECT_FALSE(t.global);
        EXPECT_FALSE(t.user_execute);
        EXPECT_TRUE(t.tables_clean);
    }
    Translation code = this->at(kUserVa + 0x10000);
    ASSERT_TRUE(code.valid);
    EXPECT_TRUE(code.user && code.user_execute && !code.write && !code.global);
    // The kernel never executes a user page (on x86 that is SMEP's job, not the entry's).
    if (!std::is_same_v<TypeParam, X86Port>) {
        EXPECT_FALSE(code.execute);
    }

    // A kernel page in the same tree: global, not user accessible.
    ASSERT_TRUE(this->tables.map(TypeParam::kKernelVa, this->frame(8), 4096, arch::kRead | arch::kExecute).ok());
    Translation k = this->at(TypeParam::kKernelVa);
    ASSERT_TRUE(k.valid);
    EXPECT_TRUE(k.global && k.execute);
    EXPECT_FALSE(k.user || k.user_execute || k.write);
}

TYPED_TEST(UserTablesTest, WalkDecodesWhatMapEncoded) {
    ASSERT_TRUE(this->tables.map(kUserVa, this->frame(3), 4096, kUserRw).ok());
    auto t = this->tables.walk(kUserVa + 0x123);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.value().pa, this->frame(3) + 0x123);
    EXPECT_EQ(t.value().permissions, kUserRw);
    EXPECT_EQ(t.value().level, 0u);
    ASSERT_TRUE(this->tables.map(kUserVa + 4096, this->frame(4), 4096, kUserRx).ok());
    EXPECT_EQ(this->tables.walk(kUserVa + 4096).value().permissions, kUserRx);

    EXPECT_EQ(this->tables.walk(kUserVa + 2 * 4096).error(), Error::NotFound);
    EXPECT_EQ(this->tables.walk(0).error(), Error::NotFound);
    EXPECT_EQ(this->tables.walk(TypeParam::Format::kLowerLimit).error(), Error::OutOfRange);
    EXPECT_FALSE(this->tables.is_mapped(kUserVa + 2 * 4096));

    // A 2 MiB page: its level, and the offset inside it.
    constexpr u64 big = 0x20'0000'0000;
    ASSERT_TRUE(this->tables.map(big, 0x8000'0000, 2 * kMiB, kUserRw).ok());
    auto b = this->tables.walk(big + 0x12345);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b.value().level, 1u);
    EXPECT_EQ(b.value().pa, 0x8000'0000u + 0x12345);
    EXPECT_EQ(this->at(big + 0x12345).page_size, 2 * kMiB);
}

TYPED_TEST(UserTablesTest, DevicePagesDecodeOnlyWhereTheFormatHasThem) {
    ASSERT_TRUE(this->tables.map(TypeParam::kKernelVa, 0x0900'0000, 4096, kRw | arch::kDevice).ok());
    u32 p = this->tables.walk(TypeParam::kKernelVa).value().permissions;
    bool has_device = !std::is_same_v<TypeParam, Sv39Port>;  // riscv: PMAs decide
    EXPECT_EQ(p, kRw | (has_device ? u32(arch::kDevice) : 0u));
    EXPECT_EQ(this->at(TypeParam::kKernelVa).device, has_device);
}

TYPED_TEST(UserTablesTest, BadMapArgumentsAreRejectedBeforeAnyChange) {
    EXPECT_EQ(this->tables.map(kUserVa + 1, this->frame(0), 4096, kUserRw).error(), Error::InvalidArgument);
    EXPECT_EQ(this->tables.map(kUserVa, this->frame(0) + 8, 4096, kUserRw).error(), Error::InvalidArgument);
    EXPECT_EQ(this->tables.map(kUserVa, this->frame(0), 4096, arch::kWrite | arch::kUser).error(),
              Error::InvalidArgument);  // no kRead
    EXPECT_EQ(this->tables.map(kUserVa, this->frame(0), 4096, kUserRw | 0x100).error(), Error::InvalidArgument);
    EXPECT_EQ(this->tables.map(TypeParam::Format::kLowerLimit, this->frame(0), 4096, kUserRw).error(),
              Error::OutOfRange);  // not canonical
    EXPECT_EQ(this->tables.map(TypeParam::Format::kLowerLimit - 4096, this->frame(0), 8192, kUserRw).error(),
              Error::OutOfRange);  // runs off the lower half
    EXPECT_EQ(this->tables.map(~u64(4095), this->frame(0), 8192, kRw).error(), Error::OutOfRange);  // wraps
    EXPECT_EQ(this->pages.allocations, 1u);  // the root only: nothing was built
}

TYPED_TEST(UserTablesTest, ProtectChangesMappedPagesOnly) {
    ASSERT_TRUE(this->tables.map(kUserVa, this->frame(0), 4 * 4096, kUserRw).ok());
    ASSERT_TRUE(this->tables.protect(kUserVa + 4096, 2 * 4096, arch::kRead | arch::kUser).ok());
    EXPECT_TRUE(this->at(kUserVa).write);
    EXPECT_FALSE(this->at(kUserVa + 4096).write);
    EXPECT_FALSE(this->at(kUserVa + 2 * 4096).write);
    EXPECT_TRUE(this->at(kUserVa + 3 * 4096).write);
    EXPECT_EQ(this->at(kUserVa + 4096).pa, this->frame(1));
    EXPECT_TRUE(this->at(kUserVa + 4096).user && !this->at(kUserVa + 4096).global);

    ASSERT_TRUE(this->tables.protect(kUserVa, 4096, kUserRx).ok());
    EXPECT_TRUE(this->at(kUserVa).user_execute);
    EXPECT_EQ(this->tables.walk(kUserVa).value().permissions, kUserRx);

    // A hole anywhere in the range: NotFound, and nothing changed.
    EXPECT_EQ(this->tables.protect(kUserVa + 3 * 4096, 2 * 4096, arch::kRead | arch::kUser).error(), Error::NotFound);
    EXPECT_TRUE(this->at(kUserVa + 3 * 4096).write);
    EXPECT_EQ(this->tables.protect(0x30'0000'0000, 4096, kUserRw).error(), Error::NotFound);
    EXPECT_EQ(this->tables.protect(kUserVa + 100, 4096, kUserRw).error(), Error::InvalidArgument);
    EXPECT_EQ(this->tables.protect(kUserVa, 4096, arch::kUser).error(), Error::InvalidArgument);
    EXPECT_TRUE(this->at(kUserVa).user_execute);
}

TYPED_TEST(UserTablesTest, UnmapReportsEachFrameOnceAndFreesEmptiedTables) {
    // Pages in three places: the program, a map() region and the stack,
    // each under its own tables.
    const u64 places[] = {kUserVa, abi::kMapBase, abi::kStackTop - 4 * 4096};
    std::vector<u64> expected;
    for (u64 i = 0; i < 3; ++i) {
        ASSERT_TRUE(this->tables.map(places[i], this->frame(4 * i), 4 * 4096, kUserRw).ok());
        for (u64 p = 0; p < 4; ++p) expected.push_back(this->frame(4 * i + p));
    }
    usize built = this->pages.live.size();
    EXPECT_GT(built, 3u);

    // One page in the middle: its neighbours stay, the tables too.
    std::vector<u64> freed;
    ASSERT_TRUE(this->tables.unmap(kUserVa + 4096, 4096, collect, &freed).ok());
    EXPECT_EQ(freed, std::vector<u64> {this->frame(1)});
    EXPECT_FALSE(this->at(kUserVa + 4096).valid);
    EXPECT_TRUE(this->at(kUserVa).valid && this->at(kUserVa + 2 * 4096).valid);
    EXPECT_EQ(this->pages.live.size(), built);

    // Again: the hole is skipped, nothing reported.
    freed.clear();
    ASSERT_TRUE(this->tables.unmap(kUserVa + 4096, 4096, collect, &freed).ok());
    EXPECT_TRUE(freed.empty());

    // The whole user range: every remaining frame once, every table but the root back.
    ASSERT_TRUE(this->tables.unmap(0, abi::kUserLimit, collect, &freed).ok());
    std::sort(freed.begin(), freed.end());
    expected.erase(std::find(expected.begin(), expected.end(), this->frame(1)));
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(freed, expected);
    for (u64 place : places) EXPECT_FALSE(this->at(place).valid);
    EXPECT_EQ(this->pages.live.size(), 1u);
    EXPECT_EQ(this->pages.live.count(this->tables.root_phys()), 1u);
    EXPECT_EQ(this->pages.bad_frees, 0u);

    // The tree is usable afterwards.
    ASSERT_TRUE(this->tables.map(kUserVa, this->frame(9), 4096, kUserRw).ok());
    EXPECT_EQ(this->at(kUserVa).pa, this->frame(9));
}

TYPED_TEST(UserTablesTest, UnmapChecksBeforeItChangesAnything) {
    ASSERT_TRUE(this->tables.map(kUserVa, this->frame(0), 4096, kUserRw).ok());
    constexpr u64 big = 0x20'0000'0000;
    ASSERT_TRUE(this->tables.map(big, 0x8000'0000, 2 * kMiB, kUserRw).ok());
    std::vector<u64> freed;
    EXPECT_EQ(this->tables.unmap(kUserVa, 100, collect, &freed).error(), Error::InvalidArgument);
    EXPECT_EQ(this->tables.unmap(kUserVa + 8, 4096, collect, &freed).error(), Error::InvalidArgument);
    EXPECT_EQ(this->tables.unmap(TypeParam::Format::kLowerLimit, 4096, collect, &freed).error(), Error::OutOfRange);
    // The range takes the small page and half the large one: no splitting,
    // and the small page is still there.
    EXPECT_EQ(this->tables.unmap(kUserVa, big + kMiB - kUserVa, collect, &freed).error(), Error::Unsupported);
    EXPECT_EQ(this->tables.protect(big, 4096, arch::kRead | arch::kUser).error(), Error::Unsupported);
    EXPECT_TRUE(freed.empty());
    EXPECT_TRUE(this->at(kUserVa).valid);
    EXPECT_TRUE(this->at(big + kMiB).write);

    // The whole large page goes at once, reported as 512 frames.
    ASSERT_TRUE(this->tables.unmap(big, 2 * kMiB, collect, &freed).ok());
    ASSERT_EQ(freed.size(), 512u);
    for (u64 i = 0; i < 512; ++i) EXPECT_EQ(freed[i], 0x8000'0000 + i * 4096);
    EXPECT_FALSE(this->at(big).valid);
}

TYPED_TEST(UserTablesTest, DestroyReportsEveryFrameAndReturnsEveryTablePage) {
    std::vector<u64> expected;
    u64 n = 0;
    for (u64 va : {kUserVa, kUserVa + 0x20'0000, abi::kMapBase + 0x1000, abi::kStackTop - 4096}) {
        ASSERT_TRUE(this->tables.map(va, this->frame(n), 4096, kUserRw).ok());
        expected.push_back(this->frame(n++));
    }
    std::vector<u64> freed;
    this->tables.destroy(collect, &freed);
    std::sort(freed.begin(), freed.end());
    EXPECT_EQ(freed, expected);
    EXPECT_EQ(this->pages.allocations, this->pages.frees);
    EXPECT_TRUE(this->pages.live.empty());
    EXPECT_EQ(this->pages.bad_frees, 0u);
    EXPECT_EQ(this->tables.root_phys(), 0u);
    EXPECT_EQ(this->tables.walk(kUserVa).error(), Error::BadState);
    EXPECT_EQ(this->tables.map(kUserVa, this->frame(0), 4096, kUserRw).error(), Error::BadState);
    EXPECT_EQ(this->tables.unmap(kUserVa, 4096, nullptr, nullptr).error(), Error::BadState);
    this->tables.destroy(collect, &freed);  // a second destroy does nothing
    EXPECT_EQ(this->pages.frees, this->pages.allocations);
    // An emptied tree can be built again.
    ASSERT_TRUE(this->tables.init(TypeParam::format(), TestSource {&this->pages}).ok());
    EXPECT_EQ(this->tables.init(TypeParam::format(), TestSource {&this->pages}).error(), Error::BadState);
}

TYPED_TEST(UserTablesTest, SourceExhaustionIsNoMemory) {
    this->pages.limit = 2;  // the root and one table: not enough for a 4 KiB leaf
    EXPECT_EQ(this->tables.map(kUserVa, this->frame(0), 4096, kUserRw).error(), Error::NoMemory);
    this->pages.limit = ~usize(0);
    ASSERT_TRUE(this->tables.map(kUserVa, this->frame(0), 4096, kUserRw).ok());
    std::vector<u64> freed;
    this->tables.destroy(collect, &freed);
    EXPECT_EQ(freed.size(), 1u);
    EXPECT_TRUE(this->pages.live.empty());
}

// riscv64 and x86_64 keep both halves in one tree: a user tree borrows the
// kernel's root entries 256..511.
template <typename Port>
class KernelHalfTest : public UserTablesTest<Port> {};
using OneTreePorts = ::testing::Types<Sv39Port, X86Port>;
TYPED_TEST_SUITE(KernelHalfTest, OneTreePorts);

TYPED_TEST(KernelHalfTest, CopiedKernelHalfIsSharedNotOwned) {
    TestAllocator kernel_pages;
    typename TestFixture::Tables kernel;
    ASSERT_TRUE(kernel.init(TypeParam::format(), TestSource {&kernel_pages}).ok());
    EXPECT_EQ(kernel.kernel_generation(), 0u);
    ASSERT_TRUE(kernel.map(TypeParam::kKernelVa, 0x20'0000, 4096, arch::kRead | arch::kExecute).ok());
    u64 generation = kernel.kernel_generation();
    EXPECT_GT(generation, 0u);  // a new root entry
    // Under the same root entry: shared below the root, no re-copy needed.
    ASSERT_TRUE(kernel.map(TypeParam::kKernelVa + 4096, 0x21'0000, 4096, kRw).ok());
    EXPECT_EQ(kernel.kernel_generation(), generation);
    // User-half changes never count.
    ASSERT_TRUE(kernel.map(kUserVa, 0x22'0000, 4096, kUserRw).ok());
    EXPECT_EQ(kernel.kernel_generation(), generation);
    ASSERT_TRUE(kernel.unmap(kUserVa, 4096, nullptr, nullptr).ok());
    EXPECT_EQ(kernel.kernel_generation(), generation);

    this->tables.copy_kernel_half(kernel);
    EXPECT_EQ(this->tables.copied_generation(), generation);
    Translation k = this->at(TypeParam::kKernelVa);
    ASSERT_TRUE(k.valid);
    EXPECT_EQ(k.pa, 0x20'0000u);
    EXPECT_TRUE(k.global && !k.user);

    // The kernel maps under the shared tables: the user tree sees it at once.
    ASSERT_TRUE(kernel.map(TypeParam::kKernelVa + 2 * 4096, 0x23'0000, 4096, kRw).ok());
    EXPECT_EQ(this->at(TypeParam::kKernelVa + 2 * 4096).pa, 0x23'0000u);
    // A new kernel root entry: the generation tells the user tree to re-copy.
    constexpr u64 far = TypeParam::Format::kUpperBase + 0x4000'0000;
    ASSERT_TRUE(kernel.map(far, 0x24'0000, 4096, kRw).ok());
    EXPECT_NE(kernel.kernel_generation(), this->tables.copied_generation());
    EXPECT_FALSE(this->at(far).valid);
    this->tables.copy_kernel_half(kernel);
    EXPECT_EQ(this->tables.copied_generation(), kernel.kernel_generation());
    EXPECT_TRUE(this->at(far).valid);

    // The user tree may not change what it borrowed.
    EXPECT_EQ(this->tables.map(far + 4096, 0x25'0000, 4096, kRw).error(), Error::OutOfRange);
    EXPECT_EQ(this->tables.unmap(far, 4096, nullptr, nullptr).error(), Error::OutOfRange);
    EXPECT_EQ(this->tables.protect(far, 4096, arch::kRead).error(), Error::OutOfRange);

    // Its own pages, then teardown: only its own pages come back.
    ASSERT_TRUE(this->tables.map(kUserVa, this->frame(0), 4096, kUserRw).ok());
    usize kernel_live = kernel_pages.live.size(), kernel_frees = kernel_pages.frees;
    std::vector<u64> freed;
    this->tables.destroy(collect, &freed);
    EXPECT_EQ(freed, std::vector<u64> {this->frame(0)});
    EXPECT_TRUE(this->pages.live.empty());
    EXPECT_EQ(kernel_pages.live.size(), kernel_live);
    EXPECT_EQ(kernel_pages.frees, kernel_frees);
    EXPECT_TRUE(kernel.is_mapped(far));

    // Unmapping a kernel root entry's last page frees its tables and counts.
    u64 before = kernel.kernel_generation();
    ASSERT_TRUE(kernel.unmap(far, 4096, nullptr, nullptr).ok());
    EXPECT_GT(kernel.kernel_generation(), before);
}

TEST(X86UserTables, UserBitOnEveryLevelOfThePath) {
    TestAllocator pages;
    arch::RadixPageTables<x86::X86Format, TestSource> tables;
    ASSERT_TRUE(tables.init({.nx = true}, TestSource {&pages}).ok());
    // A supervisor page first builds the path without U/S; a user page
    // under the same tables must add it on every level.
    ASSERT_TRUE(tables.map(kUserVa, 0x10'0000, 4096, kRw).ok());
    EXPECT_FALSE(walk_x86(tables.root_phys(), kUserVa, 0).user);
    ASSERT_TRUE(tables.map(kUserVa + 4096, 0x10'1000, 4096, kUserRw).ok());
    Translation t = walk_x86(tables.root_phys(), kUserVa + 4096, 0);
    EXPECT_TRUE(t.user && t.write && !t.global && !t.user_execute);
    // The supervisor page stays supervisor-only: its leaf has no U/S.
    EXPECT_FALSE(walk_x86(tables.root_phys(), kUserVa, 0).user);
    tables.destroy(nullptr, nullptr);
    EXPECT_TRUE(pages.live.empty());
}

TEST_F(Sv39Test, UnmapGivesEmptiedTablesBackToThePool) {
    ASSERT_TRUE(tables.map(kDevices + 0x10001000, 0x10001000, 4096, kRw).ok());
    EXPECT_EQ(riscv::page_table_pool().in_use(), 3u);
    ASSERT_TRUE(tables.unmap(kDevices + 0x10001000, 4096, nullptr, nullptr).ok());
    EXPECT_EQ(riscv::page_table_pool().in_use(), 1u);  // both tables went; the root stays
    EXPECT_FALSE(at(kDevices + 0x10001000).valid);
    // The freed page is reused, zeroed, before the pool grows.
    usize used = pages_used();
    ASSERT_TRUE(tables.map(kDevices + 0x20001000, 0x20001000, 4096, kRw).ok());
    EXPECT_EQ(pages_used(), used);
    EXPECT_EQ(at(kDevices + 0x20001000).pa, 0x20001000u);
    EXPECT_FALSE(at(kDevices + 0x10001000).valid);
}

// The source the kernel gives user trees: order-0 blocks of the buddy
// allocator, over host memory placed at a physical base of its own.
TEST(AllocatorTableSource, UserTreeOnThePageAllocatorGivesEveryPageBack) {
    constexpr u64 kBase = 0x8000'0000, kBytes = 64 * 4096;
    u8* memory = static_cast<u8*>(std::aligned_alloc(4096, kBytes));
    std::memset(memory, 0x5a, kBytes);  // allocate() must zero what it hands out
    u64 offset = u64(reinterpret_cast<uptr>(memory)) - kBase;
    {
        PageAllocator allocator;
        PhysRange range {kBase, kBytes};
        ASSERT_TRUE(allocator.initialize(Span<const PhysRange>(&range, 1), offset).ok());
        PageAllocatorStats start = allocator.stats();

        x86::UserPageTables tables;
        ASSERT_TRUE(tables.init({.nx = true}, arch::AllocatorTableSource {&allocator}).ok());
        EXPECT_GE(tables.root_phys(), kBase);
        ASSERT_TRUE(tables.map(kUserVa, 0x1'0000'0000, 2 * 4096, kUserRw).ok());
        Translation t = walk_x86(tables.root_phys(), kUserVa + 4096, offset);
        ASSERT_TRUE(t.valid);
        EXPECT_EQ(t.pa, 0x1'0000'1000u);
        EXPECT_TRUE(t.user && !t.global);
        EXPECT_FALSE(walk_x86(tables.root_phys(), kUserVa + 2 * 4096, offset).valid);
        std::vector<u64> freed;
        tables.destroy(collect, &freed);
        EXPECT_EQ(freed.size(), 2u);
        EXPECT_TRUE(same_free_state(allocator.stats(), start));
    }  // the allocator's destructor still reads its free lists in `memory`
    std::free(memory);
}
}  // namespace
}  // namespace mote
