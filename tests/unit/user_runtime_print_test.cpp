// The user runtime's output (user/runtime/print.hpp): the kernel's
// formatter, partial writes finished, errors and end of stream.
#include <gtest/gtest.h>

#include <string>

#include "print.hpp"
#include "sys.hpp"

#include "support/fake_syscall.hpp"

using namespace mote;
using namespace mote::user;
using namespace mote::test;
// <cxxabi.h> (through gtest) has a global `abi`; this names Mote's.
namespace mabi = mote::abi;

TEST(UserRuntimePrint, FormatsWithTheKernelsFormatter) {
    reset_fake();
    g_answers = {1000};
    print(6, "x={} h={:#x} e={} s={:>4}|", 42, 255u, mabi::Err::BadHandle, "ab");
    EXPECT_EQ(written(), "x=42 h=0xff e=BadHandle s=  ab|");
    EXPECT_EQ(g_calls[0].a[0], 6u);
}

TEST(UserRuntimePrint, WriteAllFinishesPartialWrites) {
    reset_fake();
    g_answers = {2, 2, 2};
    ASSERT_TRUE(write_all(1, "hello").ok());
    EXPECT_EQ(written(), "hello");
    EXPECT_EQ(g_calls.size(), 3u);
}

TEST(UserRuntimePrint, WriteAllStopsOnErrorsAndOnZero) {
    reset_fake();
    g_answers = {-int64_t(mabi::Err::BadHandle)};
    EXPECT_EQ(write_all(1, "x").error(), mabi::Err::BadHandle);
    reset_fake();
    g_answers = {0};
    EXPECT_EQ(write_all(1, "x").error(), mabi::Err::Io);
}

TEST(UserRuntimePrint, CopyStreamCopiesUntilTheEnd) {
    reset_fake();
    // read 3 bytes, write 3, read 0 (end).
    g_answers = {3, 3, 0};
    ASSERT_TRUE(copy_stream(4, 1).ok());
    ASSERT_EQ(g_calls.size(), 3u);
    EXPECT_EQ(g_calls[0].number, 5u);
    EXPECT_EQ(g_calls[0].a[0], 4u);
    EXPECT_EQ(g_calls[1].number, 6u);
    EXPECT_EQ(g_calls[1].a[2], 3u);
}
