// The user runtime's portable parts (user/runtime/) and the shell's pure
// logic (user/programs/sh/command_line.*), on the host. mote_syscall, the
// one per-target function, is a fake here that records each call and
// answers from a script, so the wrappers' register marshalling and error
// decoding are checked against the ABI's own numbers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "capability.hpp"
#include "command_line.hpp"
#include "fs_text.hpp"
#include "heap.hpp"
#include "parse.hpp"
#include "print.hpp"
#include "spawn.hpp"
#include "startup.hpp"
#include "strings.hpp"
#include "sys.hpp"

using namespace mote;
using namespace mote::user;
// <cxxabi.h> (through gtest) has a global `abi`; this names Mote's.
namespace mabi = mote::abi;

namespace {

struct RecordedCall {
    uint64_t number;
    uint64_t a[6];
    std::string bytes;  // what a1/a2 point at, for write and spawn
};

std::vector<RecordedCall> g_calls;
std::vector<int64_t> g_answers;  // popped front to back; 0 when empty
mabi::SpawnArgs g_spawn_args;
std::string g_spawn_argv;

void reset_fake() {
    g_calls.clear();
    g_answers.clear();
}

}  // namespace

extern "C" int64_t mote_syscall(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                                uint64_t number) {
    RecordedCall call {number, {a0, a1, a2, a3, a4, a5}, {}};
    int64_t answer = 0;
    if (!g_answers.empty()) {
        answer = g_answers.front();
        g_answers.erase(g_answers.begin());
    }
    if (number == uint64_t(mabi::Sys::Write)) {
        // A write of n bytes that the script accepts partly keeps only those.
        size_t kept = answer >= 0 ? std::min<size_t>(size_t(answer), size_t(a2)) : 0;
        call.bytes.assign(reinterpret_cast<const char*>(a1), kept);
    }
    if (number == uint64_t(mabi::Sys::Rename) || number == uint64_t(mabi::Sys::Link)) {
        mabi::PathPair pair;
        std::memcpy(&pair, reinterpret_cast<const void*>(a0), sizeof(pair));
        call.bytes = std::to_string(pair.from_dir) + ":" +
                     std::string(reinterpret_cast<const char*>(pair.from_path), pair.from_length) + " " +
                     std::to_string(pair.to_dir) + ":" + std::string(reinterpret_cast<const char*>(pair.to_path), pair.to_length);
    }
    if (number == uint64_t(mabi::Sys::Spawn)) {
        std::memcpy(&g_spawn_args, reinterpret_cast<const void*>(a0), sizeof(g_spawn_args));
        g_spawn_argv.assign(reinterpret_cast<const char*>(g_spawn_args.argv), g_spawn_args.argv_length);
    }
    g_calls.push_back(call);
    return answer;
}

// --- errors and results --------------------------------------------------

TEST(UserRuntimeErrors, EveryAbiErrorHasItsName) {
    const std::map<int, std::string> expected = {
        {1, "InvalidArgument"}, {2, "Malformed"},  {3, "OutOfRange"},  {4, "Overflow"},      {5, "NoMemory"},
        {6, "Busy"},            {7, "WouldBlock"}, {8, "Timeout"},     {9, "Cancelled"},     {10, "Io"},
        {11, "ReadOnly"},       {12, "NotFound"},  {13, "Unsupported"}, {14, "BadState"},    {15, "BadAddress"},
        {16, "BadHandle"},      {17, "WrongType"}, {18, "NoSyscall"},  {19, "NotDirectory"}, {20, "IsDirectory"},
        {21, "TooMany"},        {22, "AccessDenied"}, {23, "PeerClosed"}, {24, "Escapes"},
        {25, "Exists"},         {26, "NotEmpty"},  {27, "NoSpace"},    {28, "CrossDevice"}, {29, "SymlinkLoop"},
    };
    for (const auto& [number, name] : expected) EXPECT_EQ(error_name(mabi::Err(number)), name) << number;
    EXPECT_STREQ(error_name(mabi::Err(0)), "UnknownErr");
    EXPECT_STREQ(error_name(mabi::Err(30)), "UnknownErr");
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

// --- output ----------------------------------------------------------------

std::string written() {
    std::string text;
    for (const auto& call : g_calls)
        if (call.number == uint64_t(mabi::Sys::Write)) text += call.bytes;
    return text;
}

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

// --- strings and parsing ----------------------------------------------------

TEST(UserRuntimeStrings, CompareLikeC) {
    EXPECT_EQ(string_compare("abc", "abc"), 0);
    EXPECT_LT(string_compare("abc", "abd"), 0);
    EXPECT_GT(string_compare("abc", "ab"), 0);
    EXPECT_GT(string_compare("\xff", "a"), 0);  // unsigned char order
    EXPECT_EQ(string_compare_n("abcx", "abcy", 3), 0);
    EXPECT_LT(string_compare_n("abcx", "abcy", 4), 0);
    EXPECT_EQ(string_compare_n("a", "b", 0), 0);
    const char* s = "hello";
    EXPECT_EQ(string_find(s, 'l'), s + 2);
    EXPECT_EQ(string_find(s, 0), s + 5);
    EXPECT_EQ(string_find(s, 'z'), nullptr);
    EXPECT_EQ(memory_find(s, 'o', 5), s + 4);
    EXPECT_EQ(memory_find(s, 'o', 4), nullptr);
    char small[4];
    EXPECT_EQ(string_copy(small, "abcdef", sizeof(small)), 6u);
    EXPECT_STREQ(small, "abc");
    EXPECT_EQ(string_copy(small, "ab", sizeof(small)), 2u);
    EXPECT_STREQ(small, "ab");
}

TEST(UserRuntimeParse, Seconds) {
    EXPECT_EQ(parse_seconds("2").value(), 2'000'000'000u);
    EXPECT_EQ(parse_seconds("1.5").value(), 1'500'000'000u);
    EXPECT_EQ(parse_seconds("0.25").value(), 250'000'000u);
    EXPECT_EQ(parse_seconds(".5").value(), 500'000'000u);
    EXPECT_EQ(parse_seconds("3.").value(), 3'000'000'000u);
    EXPECT_EQ(parse_seconds("0.000000001").value(), 1u);
    for (const char* bad : {"", ".", "abc", "1.2.3", "0x10", "1.0000000001", "-1", "1s", " 1"})
        EXPECT_EQ(parse_seconds(bad).error(), Error::Malformed) << bad;
    EXPECT_EQ(parse_seconds("18446744074").error(), Error::Overflow);
    EXPECT_EQ(parse_seconds("18446744073.709551615").value(), ~uint64_t(0));
}

TEST(UserRuntimeParse, Sizes) {
    EXPECT_EQ(parse_size("512").value(), 512u);
    EXPECT_EQ(parse_size("4k").value(), 4096u);
    EXPECT_EQ(parse_size("4K").value(), 4096u);
    EXPECT_EQ(parse_size("1M").value(), 1048576u);
    EXPECT_EQ(parse_size("2g").value(), 2147483648u);
    EXPECT_EQ(parse_size("0").value(), 0u);
    EXPECT_EQ(parse_size("k").error(), Error::Malformed);
    EXPECT_EQ(parse_size("").error(), Error::Malformed);
    EXPECT_EQ(parse_size("4x").error(), Error::Malformed);
    EXPECT_EQ(parse_size("17179869184G").error(), Error::Overflow);
}

TEST(UserRuntimeParse, AddressesAndPorts) {
    EXPECT_EQ(parse_ipv4("10.0.2.2").value(), 0x0a000202u);
    EXPECT_EQ(parse_ipv4("255.255.255.255").value(), 0xffffffffu);
    EXPECT_EQ(parse_ipv4("0.0.0.0").value(), 0u);
    for (const char* bad : {"", "10.0.2", "10.0.2.2.", "10.0.2.256", "10.0.02.2", "1.2.3.4x", "a.b.c.d", "10..2.2", "1234.1.1.1"})
        EXPECT_EQ(parse_ipv4(bad).error(), Error::Malformed) << bad;
    EXPECT_EQ(parse_port("80").value(), 80);
    EXPECT_EQ(parse_port("65535").value(), 65535);
    EXPECT_EQ(parse_port("0").error(), Error::OutOfRange);
    EXPECT_EQ(parse_port("65536").error(), Error::OutOfRange);
    EXPECT_EQ(parse_port("0x50").error(), Error::Malformed);
    EXPECT_EQ(parse_port("").error(), Error::Malformed);
}

TEST(UserRuntimeParse, Options) {
    StringView value;
    EXPECT_TRUE(match_option("if=dev/vda", "if", value));
    EXPECT_TRUE(value == "dev/vda");
    EXPECT_TRUE(match_option("bs=", "bs", value));
    EXPECT_TRUE(value.empty());
    EXPECT_FALSE(match_option("ifx=1", "if", value));
    EXPECT_FALSE(match_option("if", "if", value));
    EXPECT_FALSE(match_option("of=x", "if", value));
}

// --- start info ----------------------------------------------------------

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

// --- spawning --------------------------------------------------------------

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
    EXPECT_EQ(describe({3, 13, 0x8, 0x400010}, &clean), "[fault cause=0xd pc=0x400010 address=0x8]");
    EXPECT_FALSE(clean);
    // An aarch64 ESR has its top bit set: still the register's value.
    EXPECT_EQ(describe({3, i32(0x92000047u), 0x0, 0x400020}, &clean), "[fault cause=0x92000047 pc=0x400020 address=0x0]");
}

// --- heap ------------------------------------------------------------------

struct FakePages {
    std::map<void*, size_t> live;
    size_t maps = 0, unmaps = 0;
    bool fail = false;

    static void* map(usize length, void* context) {
        auto* self = static_cast<FakePages*>(context);
        if (self->fail) return nullptr;
        void* p = std::aligned_alloc(4096, length);
        std::memset(p, 0, length);
        self->live[p] = length;
        ++self->maps;
        return p;
    }
    static void unmap(void* address, usize length, void* context) {
        auto* self = static_cast<FakePages*>(context);
        auto it = self->live.find(address);
        ASSERT_NE(it, self->live.end());
        EXPECT_EQ(it->second, length);
        std::free(address);
        self->live.erase(it);
        ++self->unmaps;
    }
    ~FakePages() {
        for (auto& [p, n] : live) std::free(p);
    }
    PageSource source() { return PageSource {map, unmap, this}; }
};

TEST(UserRuntimeHeap, AllocatesAlignedDisjointBlocks) {
    FakePages pages;
    Heap heap(pages.source());
    std::vector<std::pair<uint8_t*, size_t>> blocks;
    for (size_t size : {1, 15, 16, 17, 100, 1000, 4000, 60000}) {
        auto* p = static_cast<uint8_t*>(heap.allocate(size));
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(uintptr_t(p) % 16, 0u);
        EXPECT_GE(heap.usable_size(p), size);
        std::memset(p, int(blocks.size() + 1), size);
        blocks.push_back({p, size});
    }
    for (size_t i = 0; i < blocks.size(); ++i)
        for (size_t j = 0; j < blocks[i].second; ++j) ASSERT_EQ(blocks[i].first[j], uint8_t(i + 1));
    EXPECT_EQ(heap.stats().allocations, blocks.size());
    EXPECT_EQ(pages.maps, 1u);  // all of them fit one arena
    for (auto& [p, n] : blocks) heap.release(p);
    EXPECT_EQ(heap.stats().allocations, 0u);
    EXPECT_EQ(heap.stats().in_use_bytes, 0u);
}

TEST(UserRuntimeHeap, FreedNeighboursMergeBackIntoOneArena) {
    FakePages pages;
    Heap heap(pages.source());
    void* a = heap.allocate(1000);
    void* b = heap.allocate(1000);
    void* c = heap.allocate(1000);
    heap.release(b);
    heap.release(a);
    heap.release(c);
    // Four of the largest arena blocks (65520 bytes with header) fit one
    // arena exactly: only if the three freed blocks merged back with the
    // arena's untouched rest. Unmerged, the fourth would need a new arena.
    const usize largest = Heap::kLargeBytes - 2 * Heap::kHeaderBytes;
    for (int i = 0; i < 4; ++i) ASSERT_NE(heap.allocate(largest), nullptr) << i;
    EXPECT_EQ(pages.maps, 1u);
}

TEST(UserRuntimeHeap, LargeBlocksGetTheirOwnMapping) {
    FakePages pages;
    Heap heap(pages.source());
    void* big = heap.allocate(Heap::kLargeBytes);
    ASSERT_NE(big, nullptr);
    EXPECT_EQ(pages.maps, 1u);
    EXPECT_EQ(pages.live.begin()->second, Heap::kLargeBytes + 4096);  // header rounds up a page
    heap.release(big);
    EXPECT_EQ(pages.unmaps, 1u);
    EXPECT_TRUE(pages.live.empty());
    EXPECT_EQ(heap.stats().mapped_bytes, 0u);
}

TEST(UserRuntimeHeap, BadFreesAreCountedNotFollowed) {
    FakePages pages;
    Heap heap(pages.source());
    auto* p = static_cast<uint8_t*>(heap.allocate(64));
    heap.release(p);
    heap.release(p);
    EXPECT_EQ(heap.stats().faults, 1u);
    EXPECT_EQ(heap.stats().last_fault, HeapFault::DoubleFree);
    auto* q = static_cast<uint8_t*>(heap.allocate(64));
    heap.release(q + 1);
    EXPECT_EQ(heap.stats().last_fault, HeapFault::BadPointer);
    heap.release(q + 32);  // aligned, but no header there
    EXPECT_EQ(heap.stats().faults, 3u);
    heap.release(nullptr);
    EXPECT_EQ(heap.stats().faults, 3u);
    EXPECT_STREQ(heap_fault_name(HeapFault::DoubleFree), "DoubleFree");
}

TEST(UserRuntimeHeap, ReallocateKeepsContents) {
    FakePages pages;
    Heap heap(pages.source());
    auto* p = static_cast<char*>(heap.allocate(10));
    std::memcpy(p, "0123456789", 10);
    EXPECT_EQ(heap.reallocate(p, 5), p);  // never moves to shrink
    auto* q = static_cast<char*>(heap.reallocate(p, 100000));
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(std::memcmp(q, "0123456789", 10), 0);
    EXPECT_EQ(heap.reallocate(q, 0), nullptr);
    EXPECT_EQ(heap.stats().allocations, 0u);
    auto* r = static_cast<char*>(heap.reallocate(nullptr, 8));
    EXPECT_NE(r, nullptr);
}

TEST(UserRuntimeHeap, FailuresReturnNull) {
    FakePages pages;
    Heap heap(pages.source());
    EXPECT_EQ(heap.allocate(Heap::kMaxRequest + 1), nullptr);
    EXPECT_EQ(heap.allocate(~usize(0)), nullptr);
    pages.fail = true;
    EXPECT_EQ(heap.allocate(16), nullptr);
    EXPECT_EQ(heap.allocate(1 << 20), nullptr);
    EXPECT_EQ(heap.stats().allocations, 0u);
}

TEST(UserRuntimeHeap, RandomWorkloadKeepsEveryByte) {
    FakePages pages;
    Heap heap(pages.source());
    std::mt19937 random(1234);
    struct Live {
        uint8_t* p;
        size_t n;
        uint8_t fill;
    };
    std::vector<Live> live;
    for (int step = 0; step < 5000; ++step) {
        if (live.empty() || random() % 3 != 0) {
            size_t n = random() % 2 == 0 ? random() % 128 + 1 : random() % 20000 + 1;
            if (random() % 50 == 0) n = Heap::kLargeBytes + random() % 100000;
            auto* p = static_cast<uint8_t*>(heap.allocate(n));
            ASSERT_NE(p, nullptr);
            uint8_t fill = uint8_t(random());
            std::memset(p, fill, n);
            live.push_back({p, n, fill});
        } else {
            size_t i = random() % live.size();
            for (size_t j = 0; j < live[i].n; ++j) ASSERT_EQ(live[i].p[j], live[i].fill);
            heap.release(live[i].p);
            live[i] = live.back();
            live.pop_back();
        }
    }
    for (auto& l : live) {
        for (size_t j = 0; j < l.n; ++j) ASSERT_EQ(l.p[j], l.fill);
        heap.release(l.p);
    }
    EXPECT_EQ(heap.stats().in_use_bytes, 0u);
    EXPECT_EQ(heap.stats().faults, 0u);
}

// --- the shell's logic --------------------------------------------------

TEST(UserShell, SplitsWordsAndQuotes) {
    auto c = parse_command_line("echo \"a b\" c");
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(c.value().words.count(), 3u);
    EXPECT_TRUE(c.value().words[1] == "a b");
    EXPECT_FALSE(c.value().background);
    auto blank = parse_command_line("   ");
    ASSERT_TRUE(blank.ok());
    EXPECT_TRUE(blank.value().words.empty());
}

TEST(UserShell, TrailingAmpersandRunsInTheBackground) {
    auto c = parse_command_line("spin 5 &  ");
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(c.value().background);
    ASSERT_EQ(c.value().words.count(), 2u);
    EXPECT_TRUE(c.value().words[1] == "5");
    auto glued = parse_command_line("spin&");
    ASSERT_TRUE(glued.ok());
    EXPECT_TRUE(glued.value().background);
    EXPECT_TRUE(glued.value().words[0] == "spin");
    auto quoted = parse_command_line("echo \"&\"");
    ASSERT_TRUE(quoted.ok());
    EXPECT_FALSE(quoted.value().background);
    EXPECT_TRUE(quoted.value().words[1] == "&");
}

TEST(UserShell, BadLinesSayWhy) {
    CommandLineFault fault;
    ArgumentsFault words;
    EXPECT_TRUE(parse_command_line(" & ", &fault, &words).is_error());
    EXPECT_EQ(fault, CommandLineFault::NothingToRun);
    EXPECT_TRUE(parse_command_line("echo \"open", &fault, &words).is_error());
    EXPECT_EQ(fault, CommandLineFault::Words);
    EXPECT_EQ(words, ArgumentsFault::UnterminatedQuote);
}

TEST(UserShell, BuiltinsAndProgramPaths) {
    EXPECT_EQ(find_builtin("cd"), Builtin::Cd);
    EXPECT_EQ(find_builtin("exit"), Builtin::Exit);
    EXPECT_EQ(find_builtin("help"), Builtin::Help);
    EXPECT_EQ(find_builtin("jobs"), Builtin::Jobs);
    EXPECT_EQ(find_builtin("kill"), Builtin::Kill);
    EXPECT_EQ(find_builtin("ls"), Builtin::None);
    EXPECT_EQ(find_builtin("cdx"), Builtin::None);
    char storage[16];
    auto ls = program_path("ls", Span<char>(storage, sizeof(storage)));
    EXPECT_TRUE(ls.path == "bin/ls");
    EXPECT_TRUE(ls.under_root);
    auto path = program_path("tmp/x", Span<char>(storage, sizeof(storage)));
    EXPECT_TRUE(path.path == "tmp/x");
    EXPECT_FALSE(path.under_root);
    EXPECT_TRUE(program_path("a-very-long-name", Span<char>(storage, sizeof(storage))).path.empty());
    auto absolute = program_path("/tmp/prog", Span<char>(storage, sizeof(storage)));
    EXPECT_TRUE(absolute.path == "tmp/prog");
    EXPECT_TRUE(absolute.under_root);
    EXPECT_TRUE(program_path("//bin/ls", Span<char>(storage, sizeof(storage))).path == "bin/ls");
    EXPECT_TRUE(program_path("/", Span<char>(storage, sizeof(storage))).path.empty());
}

TEST(UserShell, JobsTakeTheLowestFreeNumber) {
    JobTable jobs;
    EXPECT_EQ(jobs.add(10, "spin").value(), 1u);
    EXPECT_EQ(jobs.add(11, "sleep").value(), 2u);
    EXPECT_EQ(jobs.add(12, "a-name-longer-than-the-table-keeps-for-a-job").value(), 3u);
    EXPECT_EQ(std::strlen(jobs.find(3)->name), JobTable::kNameMax - 1);
    jobs.remove(1);
    EXPECT_EQ(jobs.find(1), nullptr);
    EXPECT_EQ(jobs.find_handle(11)->id, 2u);
    EXPECT_EQ(jobs.add(13, "x").value(), 1u);
    EXPECT_EQ(jobs.count(), 3u);
    for (uint32_t h = 20; jobs.count() < JobTable::kMaxJobs; ++h) ASSERT_TRUE(jobs.add(h, "j").ok());
    EXPECT_TRUE(jobs.add(99, "full").is_error());
    EXPECT_EQ(jobs.find(0), nullptr);
    EXPECT_EQ(jobs.find(JobTable::kMaxJobs + 1), nullptr);
}

// --- file text (fs_text.hpp) and paths (capability.hpp) --------------------

TEST(UserRuntimeFsText, ModeStrings) {
    char out[11];
    auto mode = [&](mabi::NodeType type, uint32_t bits) {
        mode_string(uint32_t(type), bits, out);
        return std::string(out);
    };
    // As GNU ls prints them (ls -l of files chmod-ed to these bits).
    EXPECT_EQ(mode(mabi::NodeType::File, 0644), "-rw-r--r--");
    EXPECT_EQ(mode(mabi::NodeType::Directory, 0755), "drwxr-xr-x");
    EXPECT_EQ(mode(mabi::NodeType::Directory, 01777), "drwxrwxrwt");
    EXPECT_EQ(mode(mabi::NodeType::Directory, 01776), "drwxrwxrwT");
    EXPECT_EQ(mode(mabi::NodeType::Symlink, 0777), "lrwxrwxrwx");
    EXPECT_EQ(mode(mabi::NodeType::File, 04755), "-rwsr-xr-x");
    EXPECT_EQ(mode(mabi::NodeType::File, 02644), "-rw-r-Sr--");
    EXPECT_EQ(mode(mabi::NodeType::File, 0), "----------");
    EXPECT_EQ(mode(mabi::NodeType::Device, 0600), "crw-------");
    EXPECT_EQ(mode(mabi::NodeType::Channel, 0600), "?rw-------");
}

TEST(UserRuntimeFsText, DatesAgreeWithTheHostsGmtime) {
    std::mt19937_64 random(7);
    std::vector<int64_t> seconds = {0, 59, 86399, 86400, 951782400 /* 2000-02-29 */, 951868800, 1709164800, 4102444799};
    for (int i = 0; i < 2000; ++i) seconds.push_back(int64_t(random() % 8000000000ull));
    for (int64_t s : seconds) {
        char text[32];
        FormatBuffer out(Span<char>(text, sizeof(text)));
        format_date(s * 1'000'000'000 + 999'999'999, out);
        time_t t = time_t(s);
        struct tm tm {};
        gmtime_r(&t, &tm);
        char expect[32];
        strftime(expect, sizeof(expect), "%Y-%m-%d %H:%M", &tm);
        ASSERT_EQ(std::string(out.view().data(), out.view().length()), expect) << s;
    }
    char text[32];
    FormatBuffer out(Span<char>(text, sizeof(text)));
    format_date(-5, out);
    EXPECT_EQ(std::string(out.view().data(), out.view().length()), "1970-01-01 00:00");
}

TEST(UserRuntimeFsText, HumanSizes) {
    auto human = [](uint64_t bytes) {
        char text[16];
        FormatBuffer out(Span<char>(text, sizeof(text)));
        human_size(bytes, out);
        return std::string(out.view().data(), out.view().length());
    };
    EXPECT_EQ(human(0), "0");
    EXPECT_EQ(human(1023), "1023");
    EXPECT_EQ(human(1024), "1.0K");
    EXPECT_EQ(human(1536), "1.5K");
    EXPECT_EQ(human(10 * 1024 - 1), "9.9K");
    EXPECT_EQ(human(10 * 1024), "10K");
    EXPECT_EQ(human(64ull << 20), "64M");
    EXPECT_EQ(human((3ull << 30) + (1ull << 29)), "3.5G");
    EXPECT_EQ(human(~uint64_t(0)), "15E");
}

TEST(UserRuntimeFsText, PathPieces) {
    EXPECT_TRUE(base_name("a/b/c") == "c");
    EXPECT_TRUE(base_name("a/b/") == "b");
    EXPECT_TRUE(base_name("b") == "b");
    EXPECT_TRUE(base_name("/tmp//") == "tmp");
    EXPECT_TRUE(base_name("/").empty());
    EXPECT_TRUE(base_name("").empty());
    char storage[16];
    EXPECT_TRUE(join_path("/tmp", "a", Span<char>(storage, sizeof(storage))) == "/tmp/a");
    EXPECT_TRUE(join_path("/tmp/", "a", Span<char>(storage, sizeof(storage))) == "/tmp/a");
    EXPECT_TRUE(join_path("", "a", Span<char>(storage, sizeof(storage))) == "a");
    EXPECT_TRUE(join_path("0123456789", "abcdef", Span<char>(storage, sizeof(storage))).empty()) << "17 bytes";
}

TEST(UserRuntimePaths, SlashMeansTheRoot) {
    Startup s;
    s.handle_count = 5;
    for (uint32_t i = 0; i < 5; ++i) s.handles[i] = 0x100 + i;
    set_startup(s);
    PathAt at = resolve_path("/tmp/a");
    EXPECT_EQ(at.dir, 0x104u);
    EXPECT_TRUE(at.path == "tmp/a");
    at = resolve_path("//tmp");
    EXPECT_EQ(at.dir, 0x104u);
    EXPECT_TRUE(at.path == "tmp");
    at = resolve_path("/");
    EXPECT_EQ(at.dir, 0x104u);
    EXPECT_TRUE(at.path == ".");
    at = resolve_path("notes/a");
    EXPECT_EQ(at.dir, 0x103u);
    EXPECT_TRUE(at.path == "notes/a");
    // dev/ goes to the dev capability only when there is one.
    at = resolve_path("dev/vda");
    EXPECT_EQ(at.dir, 0x103u);
    s.handle_count = 9;
    s.handles[mabi::kDevCap] = 0x200;
    set_startup(s);
    EXPECT_EQ(resolve_path("dev/vda").dir, 0x200u);
    EXPECT_TRUE(resolve_path("/dev/vda").path == "vda");
    EXPECT_EQ(resolve_path("/dev/vda").dir, 0x200u);
    set_startup(Startup {});
}

