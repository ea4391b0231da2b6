// Spawning (user/runtime/spawn.hpp): argv packed back to back, what does
// not fit refused before the kernel sees it, SpawnArgs filled, and how a
// child ended described.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "spawn.hpp"
#include "sys.hpp"

#include "support/fake_syscall.hpp"

using namespace mote;
using namespace mote::user;
using namespace mote::test;
// <cxxabi.h> (through gtest) has a global `abi`; this names Mote's.
namespace mabi = mote::abi;

TEST(UserRuntimeSpawn, PacksArgvBackToBack) {
    char out[16];
    const StringView words[] = {"a", "bc", ""};
    auto n = pack_argv(words, Span<char>(out, sizeof(out)));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(std::string(out, n.value()), std::string("a\0bc\0\0", 6));
}

TEST(UserRuntimeSpawn, PackRefusesWhatDoesNotFit) {
    char out[5];
    const StringView words[] = {"ab", "cd"};  // needs 6
    EXPECT_EQ(pack_argv(words, Span<char>(out, sizeof(out))).error(), mabi::Err::Overflow);
    const StringView with_nul[] = {StringView("a\0b", 3)};
    char big[16];
    EXPECT_EQ(pack_argv(with_nul, Span<char>(big, sizeof(big))).error(), mabi::Err::InvalidArgument);
    // The ABI limit holds even with a larger buffer: 4096 bytes fit, 4097 not.
    std::vector<char> huge(8192);
    std::string word(mabi::kMaxArgvBytes - 1, 'x');
    const StringView exact[] = {StringView(word.data(), word.size())};
    EXPECT_EQ(pack_argv(exact, Span<char>(huge.data(), huge.size())).value(), mabi::kMaxArgvBytes);
    word.push_back('y');
    const StringView over[] = {StringView(word.data(), word.size())};
    EXPECT_EQ(pack_argv(over, Span<char>(huge.data(), huge.size())).error(), mabi::Err::Overflow);
}

TEST(UserRuntimeSpawn, SpawnFillsSpawnArgs) {
    reset_fake();
    g_answers = {0x42};
    const StringView argv[] = {"echo", "hi"};
    const Handle handles[] = {1, 2, 3, 4, 5};
    auto child = spawn(9, "bin/echo", argv, handles);
    ASSERT_TRUE(child.ok());
    EXPECT_EQ(child.value(), 0x42u);
    ASSERT_EQ(g_calls.size(), 1u);
    EXPECT_EQ(g_calls[0].number, 1u);
    EXPECT_EQ(g_spawn_args.dir, 9u);
    EXPECT_EQ(g_spawn_args.path_length, 8u);
    EXPECT_EQ(g_spawn_args.argc, 2u);
    EXPECT_EQ(g_spawn_argv, std::string("echo\0hi\0", 8));
    EXPECT_EQ(g_spawn_args.handle_count, 5u);
    EXPECT_EQ(g_spawn_args.handles, uint64_t(uintptr_t(handles)));
}

TEST(UserRuntimeSpawn, TooManyHandlesNeverReachesTheKernel) {
    reset_fake();
    Handle handles[mabi::kMaxSpawnHandles + 1] = {};
    const StringView argv[] = {"x"};
    EXPECT_EQ(spawn(1, "x", argv, handles).error(), mabi::Err::TooMany);
    EXPECT_TRUE(g_calls.empty());
}

std::string describe(mabi::ExitInfo info, bool* clean) {
    char text[128];
    FormatBuffer out(Span<char>(text, sizeof(text)));
    *clean = describe_exit(info, out);
    return std::string(out.view().data(), out.view().length());
}

TEST(UserRuntimeSpawn, DescribesHowAChildEnded) {
    bool clean = false;
    EXPECT_EQ(describe({1, 0, 0, 0}, &clean), "");
    EXPECT_TRUE(clean);
    EXPECT_EQ(describe({1, 3, 0, 0}, &clean), "[exit 3]");
    EXPECT_FALSE(clean);
    EXPECT_EQ(describe({1, -1, 0, 0}, &clean), "[exit -1]");
    EXPECT_EQ(describe({2, 1, 0, 0}, &clean), "[killed]");
    EXPECT_FALSE(clean);
    EXPECT_EQ(describe({2, 2, 0, 0}, &clean), "[interrupted]");  // Signal::Interrupt: Ctrl-C
    EXPECT_FALSE(clean);
    EXPECT_EQ(describe({3, 13, 0x8, 0x400010}, &clean), "[fault cause=0xd pc=0x400010 address=0x8]");
    EXPECT_FALSE(clean);
    // An aarch64 ESR has its top bit set: still the register's value.
    EXPECT_EQ(describe({3, i32(0x92000047u), 0x0, 0x400020}, &clean), "[fault cause=0x92000047 pc=0x400020 address=0x0]");
}
