// The user runtime's errors and system call wrappers (user/runtime/sys.hpp)
// against the fake syscall instruction: ABI error names and ranges, TRY, and
// each wrapper's number and argument order.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>

#include "sys.hpp"

#include "support/fake_syscall.hpp"

using namespace mote;
using namespace mote::user;
using namespace mote::test;
// <cxxabi.h> (through gtest) has a global `abi`; this names Mote's.
namespace mabi = mote::abi;

TEST(UserRuntimeErrors, EveryAbiErrorHasItsName) {
    const std::map<int, std::string> expected = {
        {1, "InvalidArgument"}, {2, "Malformed"},  {3, "OutOfRange"},  {4, "Overflow"},      {5, "NoMemory"},
        {6, "Busy"},            {7, "WouldBlock"}, {8, "Timeout"},     {9, "Cancelled"},     {10, "Io"},
        {11, "ReadOnly"},       {12, "NotFound"},  {13, "Unsupported"}, {14, "BadState"},    {15, "BadAddress"},
        {16, "BadHandle"},      {17, "WrongType"}, {18, "NoSyscall"},  {19, "NotDirectory"}, {20, "IsDirectory"},
        {21, "TooMany"},        {22, "AccessDenied"}, {23, "PeerClosed"}, {24, "Escapes"},
        {25, "Exists"},         {26, "NotEmpty"},  {27, "NoSpace"},    {28, "CrossDevice"}, {29, "SymlinkLoop"},
        {30, "Untrusted"},
    };
    for (const auto& [number, name] : expected) EXPECT_EQ(error_name(mabi::Err(number)), name) << number;
    EXPECT_STREQ(error_name(mabi::Err(0)), "UnknownErr");
    EXPECT_STREQ(error_name(mabi::Err(31)), "UnknownErr");
}

TEST(UserRuntimeErrors, RawResultsDecodeByTheAbiRange) {
    EXPECT_FALSE(raw_is_error(0));
    EXPECT_FALSE(raw_is_error(12345));
    EXPECT_TRUE(raw_is_error(-1));
    EXPECT_EQ(raw_error(-16), mabi::Err::BadHandle);
    EXPECT_TRUE(raw_is_error(-4095));
    EXPECT_FALSE(raw_is_error(-4096));  // outside [-kErrorLimit, -1]
    auto v = sys_or<usize>(7);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value(), 7u);
    auto e = sys_or<usize>(-15);
    ASSERT_TRUE(e.is_error());
    EXPECT_EQ(e.error(), mabi::Err::BadAddress);
}

SysOr<usize> add_two_reads(Handle h) {
    char buffer[4];
    usize a = TRY(sys::read(h, buffer, 4, 0));
    usize b = TRY(sys::read(h, buffer, 4, 4));
    return a + b;
}

TEST(UserRuntimeErrors, TryPropagatesTheFirstError) {
    reset_fake();
    g_answers = {3, -int64_t(mabi::Err::Io)};
    auto r = add_two_reads(9);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), mabi::Err::Io);
    g_answers = {3, 4};
    EXPECT_EQ(add_two_reads(9).value(), 7u);
}

// --- system call wrappers --------------------------------------------------

TEST(UserRuntimeSys, ReadPassesArgumentsInAbiOrder) {
    reset_fake();
    char buffer[10];
    g_answers = {10};
    auto n = sys::read(7, buffer, sizeof(buffer), 3);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n.value(), 10u);
    ASSERT_EQ(g_calls.size(), 1u);
    EXPECT_EQ(g_calls[0].number, 5u);  // Read, by its stable number
    EXPECT_EQ(g_calls[0].a[0], 7u);
    EXPECT_EQ(g_calls[0].a[1], uint64_t(uintptr_t(buffer)));
    EXPECT_EQ(g_calls[0].a[2], 10u);
    EXPECT_EQ(g_calls[0].a[3], 3u);
}

TEST(UserRuntimeSys, DefaultOffsetIsTheHandlesOwnPosition) {
    reset_fake();
    char c;
    (void)sys::read(1, &c, 1);
    EXPECT_EQ(g_calls[0].a[3], ~uint64_t(0));
}

TEST(UserRuntimeSys, EachWrapperUsesItsNumber) {
    reset_fake();
    mabi::ExitInfo info {};
    mabi::Stat stat {};
    mabi::DirEntry entry {};
    mabi::PollItem item {};
    (void)sys::wait(4, info, 100);
    (void)sys::open(3, "etc/motd", mabi::kOpenRead);
    (void)sys::close(5);
    (void)sys::write(1, "x", 1, 0);
    (void)sys::stat(5, stat);
    (void)sys::readdir(3, &entry, 1, 2);
    (void)sys::map(4096, mabi::kMapRead);
    (void)sys::unmap(reinterpret_cast<void*>(0x1000000000), 4096);
    (void)sys::signal(4, mabi::Signal::Interrupt);
    (void)sys::poll(&item, 1, 50);
    (void)sys::clock();
    (void)sys::sleep(1000);
    (void)sys::yield();
    const uint64_t numbers[] = {2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    ASSERT_EQ(g_calls.size(), std::size(numbers));
    for (size_t i = 0; i < std::size(numbers); ++i) EXPECT_EQ(g_calls[i].number, numbers[i]) << i;
    // open(dir, path, path_len, flags)
    EXPECT_EQ(g_calls[1].a[0], 3u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(g_calls[1].a[1]), g_calls[1].a[2]), "etc/motd");
    EXPECT_EQ(g_calls[1].a[3], uint64_t(mabi::kOpenRead));
    // wait(child, info, timeout), signal(process, signal), poll(items, count, timeout)
    EXPECT_EQ(g_calls[0].a[2], 100u);
    EXPECT_EQ(g_calls[8].a[1], 2u);
    EXPECT_EQ(g_calls[9].a[1], 1u);
    EXPECT_EQ(g_calls[9].a[2], 50u);
}

TEST(UserRuntimeSys, FilesystemWrappersMarshalTheirArguments) {
    reset_fake();
    mabi::FsStat fs_stat {};
    (void)sys::mkdir(3, "tmp/d", 0700);
    (void)sys::unlink(3, "tmp/d", mabi::kUnlinkDirectory);
    (void)sys::symlink(3, "tmp/l", "target");
    (void)sys::truncate(9, 1234);
    (void)sys::sync(9, mabi::kSyncFilesystem);
    (void)sys::statfs(9, fs_stat);
    (void)sys::set_times(9, mabi::kTimeOmit, mabi::kTimeNow);
    const uint64_t numbers[] = {22, 23, 26, 27, 28, 29, 30};
    ASSERT_EQ(g_calls.size(), std::size(numbers));
    for (size_t i = 0; i < std::size(numbers); ++i) EXPECT_EQ(g_calls[i].number, numbers[i]) << i;
    auto text = [](const RecordedCall& c, int at) {
        return std::string(reinterpret_cast<const char*>(c.a[at]), c.a[at + 1]);
    };
    // mkdir(dir, path, len, mode), unlink(dir, path, len, flags)
    EXPECT_EQ(g_calls[0].a[0], 3u);
    EXPECT_EQ(text(g_calls[0], 1), "tmp/d");
    EXPECT_EQ(g_calls[0].a[3], 0700u);
    EXPECT_EQ(g_calls[1].a[3], uint64_t(mabi::kUnlinkDirectory));
    // symlink(dir, path, len, target, target_len): five registers.
    EXPECT_EQ(text(g_calls[2], 1), "tmp/l");
    EXPECT_EQ(text(g_calls[2], 3), "target");
    EXPECT_EQ(g_calls[3].a[1], 1234u);
    EXPECT_EQ(g_calls[4].a[1], uint64_t(mabi::kSyncFilesystem));
    EXPECT_EQ(g_calls[5].a[1], uint64_t(uintptr_t(&fs_stat)));
    EXPECT_EQ(int64_t(g_calls[6].a[1]), mabi::kTimeOmit);
    EXPECT_EQ(int64_t(g_calls[6].a[2]), mabi::kTimeNow);
}

TEST(UserRuntimeSys, RenameAndLinkPassAPathPair) {
    reset_fake();
    // The pair lives on the wrapper's stack: the fake decodes it during the call.
    g_answers = {0, -int64_t(mabi::Err::CrossDevice)};
    auto renamed = sys::rename(3, "a", 4, "b/c");
    EXPECT_TRUE(renamed.ok());
    auto linked = sys::link(5, "x", 6, "y");
    EXPECT_EQ(linked.error(), mabi::Err::CrossDevice);
    ASSERT_EQ(g_calls.size(), 2u);
    EXPECT_EQ(g_calls[0].number, uint64_t(mabi::Sys::Rename));
    EXPECT_EQ(g_calls[1].number, uint64_t(mabi::Sys::Link));
    EXPECT_EQ(g_calls[0].bytes, "3:a 4:b/c");
    EXPECT_EQ(g_calls[1].bytes, "5:x 6:y");
}

TEST(UserRuntimeSys, MapReturnsTheAddressOrTheError) {
    reset_fake();
    g_answers = {0x1000000000, -int64_t(mabi::Err::NoMemory)};
    auto a = sys::map(8192, mabi::kMapRead | mabi::kMapWrite);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(uintptr_t(a.value()), 0x1000000000u);
    EXPECT_EQ(g_calls[0].a[1], 3u);
    auto b = sys::map(8192, mabi::kMapRead);
    ASSERT_TRUE(b.is_error());
    EXPECT_EQ(b.error(), mabi::Err::NoMemory);
}
