// File text (user/runtime/fs_text.hpp) and paths (capability.hpp): mode
// strings, dates against the host's gmtime, human sizes, path pieces and
// the root.
#include <gtest/gtest.h>

#include <ctime>
#include <random>
#include <string>

#include "capability.hpp"
#include "fs_text.hpp"
#include "startup.hpp"

using namespace mote;
using namespace mote::user;
// <cxxabi.h> (through gtest) has a global `abi`; this names Mote's.
namespace mabi = mote::abi;

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
