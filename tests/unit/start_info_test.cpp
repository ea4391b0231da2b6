// The PVH start info decoder (kernel/arch/x86_64/start_info.cpp) over a
// fake physical memory: the structures are laid out here byte by byte from
// Xen's arch-x86/hvm/start_info.h, independently of the decoder's offsets.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "arch/x86_64/start_info.hpp"

namespace mote {
namespace {

// Physical [kBase, kBase + kBytes) is readable; nothing else is.
constexpr u64 kBase = 0x10000, kBytes = 0x4000;
std::vector<u8> g_memory(kBytes);

ReadonlyBytes read_phys(u64 phys, usize length) {
    if (phys < kBase || length > kBytes || phys - kBase > kBytes - length) return {};
    return ReadonlyBytes(g_memory.data() + (phys - kBase), length);
}

void put32(u64 phys, u32 v) {
    for (int i = 0; i < 4; ++i) g_memory[phys - kBase + i] = u8(v >> (8 * i));
}
void put64(u64 phys, u64 v) {
    put32(phys, u32(v));
    put32(phys + 4, u32(v >> 32));
}

// Where the test puts things.
constexpr u64 kInfo = kBase, kModlist = kBase + 0x100, kCmdline = kBase + 0x200, kMemmap = kBase + 0x300;

class StartInfoTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::fill(g_memory.begin(), g_memory.end(), 0);
        // struct hvm_start_info, version 1.
        put32(kInfo + 0, 0x336ec578);  // magic
        put32(kInfo + 4, 1);           // version
        put32(kInfo + 8, 0);           // flags
        put32(kInfo + 12, 0);          // nr_modules
        put64(kInfo + 16, kModlist);   // modlist_paddr
        put64(kInfo + 24, kCmdline);   // cmdline_paddr
        put64(kInfo + 32, 0xf5a40);    // rsdp_paddr
        put64(kInfo + 40, kMemmap);    // memmap_paddr
        put32(kInfo + 48, 1);          // memmap_entries
        std::memcpy(&g_memory[kCmdline - kBase], "mote.init=bin/sh", 17);
        // One hvm_memmap_table_entry: 128 MiB of RAM at 1 MiB.
        put64(kMemmap + 0, 0x100000);
        put64(kMemmap + 8, 128 << 20);
        put32(kMemmap + 16, 1);
    }
    // hvm_modlist_entry n: paddr, size, cmdline_paddr, reserved.
    static void module(u32 n, u64 paddr, u64 size) {
        put64(kModlist + 32 * n + 0, paddr);
        put64(kModlist + 32 * n + 8, size);
        put64(kModlist + 32 * n + 16, 0);
        put64(kModlist + 32 * n + 24, 0);
    }
    x86::BootInfo info;
};

TEST_F(StartInfoTest, NoModulesNoInitramfs) {
    ASSERT_TRUE(x86::read_start_info(kInfo, read_phys, info).ok());
    EXPECT_EQ(info.module_count, 0u);
    EXPECT_FALSE(info.has_initramfs);
    EXPECT_EQ(info.command_line_view(), StringView("mote.init=bin/sh"));
    ASSERT_EQ(info.memmap_count, 1u);
    EXPECT_EQ(info.memmap[0].size, u64(128) << 20);
}

TEST_F(StartInfoTest, ModuleZeroIsTheInitramfs) {
    put32(kInfo + 12, 2);
    module(0, 0x7000000, 332060);
    module(1, 0x7100000, 4096);
    ASSERT_TRUE(x86::read_start_info(kInfo, read_phys, info).ok());
    EXPECT_EQ(info.module_count, 2u);
    ASSERT_TRUE(info.has_initramfs);
    EXPECT_EQ(info.initramfs_phys, 0x7000000u);
    EXPECT_EQ(info.initramfs_size, 332060u);
}

TEST_F(StartInfoTest, VersionZeroStillHasModules) {
    put32(kInfo + 4, 0);
    put32(kInfo + 12, 1);
    module(0, 0x2000000, 512);
    ASSERT_TRUE(x86::read_start_info(kInfo, read_phys, info).ok());
    EXPECT_EQ(info.memmap_count, 0u);
    ASSERT_TRUE(info.has_initramfs);
    EXPECT_EQ(info.initramfs_phys, 0x2000000u);
}

TEST_F(StartInfoTest, EmptyModuleIsNoInitramfs) {
    put32(kInfo + 12, 1);
    module(0, 0x7000000, 0);
    ASSERT_TRUE(x86::read_start_info(kInfo, read_phys, info).ok());
    EXPECT_EQ(info.module_count, 1u);
    EXPECT_FALSE(info.has_initramfs);
}

TEST_F(StartInfoTest, WrappingModuleIsNoInitramfs) {
    put32(kInfo + 12, 1);
    module(0, 0xfffffffffffff000, 0x2000);
    ASSERT_TRUE(x86::read_start_info(kInfo, read_phys, info).ok());
    EXPECT_FALSE(info.has_initramfs);
    EXPECT_EQ(info.initramfs_size, 0u);
}

TEST_F(StartInfoTest, UnreadableModuleListIsMalformed) {
    put32(kInfo + 12, 1);
    put64(kInfo + 16, 0x90000000);  // outside the readable window
    EXPECT_EQ(x86::read_start_info(kInfo, read_phys, info).error(), Error::Malformed);
    // The list's 32-byte entry must fit entirely.
    put64(kInfo + 16, kBase + kBytes - 16);
    EXPECT_EQ(x86::read_start_info(kInfo, read_phys, info).error(), Error::Malformed);
}

TEST_F(StartInfoTest, ModuleListAtTheEndOfMemoryIsRead) {
    put32(kInfo + 12, 1);
    put64(kInfo + 16, kBase + kBytes - 32);
    put64(kBase + kBytes - 32, 0x3000000);
    put64(kBase + kBytes - 24, 8192);
    ASSERT_TRUE(x86::read_start_info(kInfo, read_phys, info).ok());
    ASSERT_TRUE(info.has_initramfs);
    EXPECT_EQ(info.initramfs_size, 8192u);
}

}  // namespace
}  // namespace mote
