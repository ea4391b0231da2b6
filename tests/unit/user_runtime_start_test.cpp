// A program's start (user/runtime/startup.hpp): the start info's
// arguments and handles decoded, and a malformed one refused.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "startup.hpp"
#include "sys.hpp"

#include "support/fake_syscall.hpp"

using namespace mote;
using namespace mote::user;
using namespace mote::test;
// <cxxabi.h> (through gtest) has a global `abi`; this names Mote's.
namespace mabi = mote::abi;

struct StartFixture {
    const char* arguments[3] = {"ls", "-l", "bin"};
    mabi::StartInfo info {};
    StartFixture() {
        info.argc = 3;
        info.argv = uint64_t(uintptr_t(arguments));
        info.handle_count = 5;
        for (uint32_t i = 0; i < 5; ++i) info.handles[i] = 0x100 + i;
    }
};

TEST(UserRuntimeStart, DecodesArgumentsAndHandles) {
    StartFixture f;
    Startup s;
    ASSERT_EQ(decode_start_info(&f.info, s), StartFault::None);
    set_startup(s);
    EXPECT_EQ(argc(), 3u);
    EXPECT_TRUE(arg(0) == "ls");
    EXPECT_TRUE(arg(2) == "bin");
    EXPECT_TRUE(arg(3).empty());
    EXPECT_EQ(std_in(), 0x100u);
    EXPECT_EQ(std_err(), 0x102u);
    EXPECT_EQ(working_dir(), 0x103u);
    EXPECT_EQ(root_dir(), 0x104u);
}

TEST(UserRuntimeStart, MissingHandlesAreNoHandle) {
    StartFixture f;
    f.info.handle_count = 3;
    Startup s;
    ASSERT_EQ(decode_start_info(&f.info, s), StartFault::None);
    set_startup(s);
    EXPECT_EQ(std_out(), 0x101u);
    EXPECT_EQ(working_dir(), mabi::kNoHandle);
    EXPECT_EQ(root_dir(), mabi::kNoHandle);
}

TEST(UserRuntimeStart, BadStartInfoIsAFault) {
    Startup s;
    EXPECT_EQ(decode_start_info(nullptr, s), StartFault::NullStartInfo);
    {
        StartFixture f;
        f.info.handle_count = mabi::kMaxSpawnHandles + 1;
        EXPECT_EQ(decode_start_info(&f.info, s), StartFault::TooManyHandles);
        EXPECT_EQ(s.handle_count, mabi::kMaxSpawnHandles);  // kept for the report
        EXPECT_EQ(s.handles[1], 0x101u);
        EXPECT_EQ(s.argc, 0u);
    }
    {
        StartFixture f;
        f.info.argv = 0;
        EXPECT_EQ(decode_start_info(&f.info, s), StartFault::NullArgv);
    }
    {
        StartFixture f;
        f.arguments[1] = nullptr;
        EXPECT_EQ(decode_start_info(&f.info, s), StartFault::NullArgument);
    }
    {
        StartFixture f;
        f.info.argc = ~uint64_t(0);
        EXPECT_EQ(decode_start_info(&f.info, s), StartFault::TooManyArguments);
    }
    {
        StartFixture f;
        f.info.argc = 0;
        f.info.argv = 0;  // no arguments need no argv
        EXPECT_EQ(decode_start_info(&f.info, s), StartFault::None);
    }
}
