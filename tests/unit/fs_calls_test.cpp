// The filesystem calls through the syscall layer (syscall/fs_calls.cpp and
// open's new flags in io_calls.cpp), over a RamFs: what each call decodes
// and refuses (bad pointers, flags, modes, rights, escaping paths, with an
// audit record for each denial), and what it does (create, exclusive,
// truncate, append, no-follow, mkdir, unlink/rmdir, rename, link, symlink,
// truncate, set_times with the wall clock, sync, statfs, stat's new
// fields), all from a process's point of view.
#include <gtest/gtest.h>

#include <string>

#include "fs/open_node.hpp"
#include "fs/ram_fs.hpp"
#include "support/channel_fixture.hpp"

namespace mote::test {

using abi::Err;
using abi::Sys;

namespace {

i64 g_wall_clock = 0;
i64 wall_clock(void*) { return g_wall_clock; }

AuditRecord newest(const AuditLog& log) {
    AuditRecord last;
    log.for_each([&](const AuditRecord& r) { last = r; });
    return last;
}

constexpr u32 kDirRights = abi::kRightsAll & ~abi::kRightPrivileged;

}  // namespace

class FsCallsTest : public ChannelTest {
protected:
    void SetUp() override {
        ChannelTest::SetUp();
        syscalls.set_files(&files);
        g_wall_clock = 5'000'000'000;
        syscalls.set_clock(fs::FsClock {wall_clock, nullptr});
        P = spawn_program("files", {"files"}).value();
        root = install(tmp.root(), kDirRights);
    }

    abi::Handle install(fs::FsNode& dir, u32 rights) {
        OpenNode* node = files.open(dir, abi::kOpenRead | abi::kOpenDirectory).value();
        return P->handles().install(*node, rights).value();
    }

    // Strings in P's scratch area, each in its own slot.
    u64 put(const std::string& text, usize slot) {
        u64 at = scratch(*P) + kSendBytes + slot * 0x400;
        if (!text.empty()) poke_string(*P, at, text);
        return at;
    }

    i64 open(Thread& t, abi::Handle dir, const std::string& path, u64 flags) {
        return call(t, Sys::Open, dir, put(path, 0), path.size(), flags);
    }
    i64 mkdir(Thread& t, abi::Handle dir, const std::string& path, u64 mode = 0755) {
        return call(t, Sys::MakeDir, dir, put(path, 0), path.size(), mode);
    }
    i64 unlink(Thread& t, abi::Handle dir, const std::string& path, u64 flags = 0) {
        return call(t, Sys::Unlink, dir, put(path, 0), path.size(), flags);
    }
    i64 symlink(Thread& t, abi::Handle dir, const std::string& path, const std::string& target) {
        clear_result(t);
        return platform.call(t, Sys::Symlink, dir, put(path, 0), path.size(), put(target, 1), target.size()).user_value();
    }
    i64 pair_call(Thread& t, Sys which, abi::Handle from_dir, const std::string& from, abi::Handle to_dir,
                  const std::string& to) {
        abi::PathPair pair {from_dir, put(from, 0), from.size(), to_dir, put(to, 1), to.size()};
        u64 at = scratch(*P) + kSendRequest;
        poke(*P, at, pair);
        return call(t, which, at);
    }
    i64 rename(Thread& t, const std::string& from, const std::string& to) { return pair_call(t, Sys::Rename, root, from, root, to); }
    i64 link(Thread& t, const std::string& from, const std::string& to) { return pair_call(t, Sys::Link, root, from, root, to); }
    i64 write_at(Thread& t, abi::Handle file, const std::string& text, u64 offset = abi::kCurrentOffset) {
        return call(t, Sys::Write, file, put(text, 2), text.size(), offset);
    }
    std::string read_at(Thread& t, abi::Handle file, u64 offset, u64 length = 256) {
        u64 at = scratch(*P) + kRecvBytes;
        i64 n = call(t, Sys::Read, file, at, length, offset);
        EXPECT_GE(n, 0);
        return n > 0 ? peek_string(*P, at, usize(n)) : "";
    }
    // The contents of `path` (opened, read whole, closed).
    std::string contents(Thread& t, const std::string& path) {
        i64 file = open(t, root, path, abi::kOpenRead);
        EXPECT_GT(file, 0) << path;
        if (file <= 0) return "<" + std::to_string(file) + ">";
        std::string text = read_at(t, abi::Handle(file), 0, 4096);
        EXPECT_EQ(call(t, Sys::Close, u64(file)), 0);
        return text;
    }
    // Checks that the newest audit record is a denial by P of `syscall`.
    void expect_denied(u64 denials_before, Sys syscall, Err outcome) {
        EXPECT_EQ(processes.audit().denials(), denials_before + 1);
        AuditRecord r = newest(processes.audit());
        EXPECT_EQ(r.syscall, u16(syscall));
        EXPECT_EQ(r.outcome, u8(outcome));
        EXPECT_EQ(r.pid, P->pid());
    }

    alignas(fs::RamFs) u8 storage[sizeof(fs::RamFs)];
    // Built in place before `files` and destroyed after every handle is
    // gone (ProcessTest::TearDown ends the processes first).
    struct Tmp {
        explicit Tmp(PageAllocator& pages) : fs(pages, {.bytes = kMiB, .nodes = 64}, fs::FsClock {wall_clock, nullptr}) {}
        fs::RamFs fs;
        fs::FsNode& root() { return fs.root(); }
    };
    Tmp tmp {pages};
    OpenNodeCache files {pages};
    Process* P = nullptr;
    abi::Handle root = 0;
};

TEST_F(FsCallsTest, CreateWriteReadBack) {
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(open(t, root, "a", abi::kOpenRead), err(Err::NotFound)) << "no create flag, no file";
        i64 file = open(t, root, "a", abi::kOpenWrite | abi::kOpenCreate);
        EXPECT_GT(file, 0);
        EXPECT_EQ(write_at(t, abi::Handle(file), "hello"), 5);
        EXPECT_EQ(write_at(t, abi::Handle(file), ", world"), 7);
        abi::Stat st = stat(t, abi::Handle(file));
        EXPECT_EQ(st.type, u32(abi::NodeType::File));
        EXPECT_EQ(st.mode, abi::kDefaultFileMode);
        EXPECT_EQ(st.size, 12u);
        EXPECT_EQ(st.links, 1u);
        EXPECT_EQ(st.mtime_ns, 5'000'000'000);
        EXPECT_EQ(st.rights & (abi::kRightRead | abi::kRightWrite), u32(abi::kRightWrite)) << "what the open asked for";
        EXPECT_EQ(contents(t, "a"), "hello, world");
        // Create on an existing name opens it; exclusive refuses.
        i64 again = open(t, root, "a", abi::kOpenRead | abi::kOpenCreate);
        EXPECT_GT(again, 0);
        EXPECT_EQ(read_at(t, abi::Handle(again), 0), "hello, world");
        EXPECT_EQ(open(t, root, "a", abi::kOpenWrite | abi::kOpenCreate | abi::kOpenExclusive), err(Err::Exists));
        EXPECT_GT(open(t, root, "b", abi::kOpenWrite | abi::kOpenCreate | abi::kOpenExclusive), 0);
        // A missing directory on the way is still NotFound.
        EXPECT_EQ(open(t, root, "no/such", abi::kOpenWrite | abi::kOpenCreate), err(Err::NotFound));
        EXPECT_EQ(open(t, root, "c/", abi::kOpenWrite | abi::kOpenCreate), err(Err::IsDirectory));
        return RunExit::Loop;
    });
}

TEST_F(FsCallsTest, TruncateAndAppendFlags) {
    as(P->thread(), [&](Thread& t) {
        i64 file = open(t, root, "log", abi::kOpenWrite | abi::kOpenCreate);
        EXPECT_EQ(write_at(t, abi::Handle(file), "0123456789"), 10);
        i64 appender = open(t, root, "log", abi::kOpenWrite | abi::kOpenAppend);
        EXPECT_GT(appender, 0);
        // Another handle moves the end; the appender's writes follow it.
        EXPECT_EQ(write_at(t, abi::Handle(file), "ab"), 2);
        EXPECT_EQ(write_at(t, abi::Handle(appender), "X"), 1);
        EXPECT_EQ(contents(t, "log"), "0123456789abX");
        EXPECT_EQ(write_at(t, abi::Handle(appender), "Y", 0), 1) << "an explicit offset is honoured";
        EXPECT_EQ(contents(t, "log"), "Y123456789abX");
        i64 cut = open(t, root, "log", abi::kOpenWrite | abi::kOpenTruncate);
        EXPECT_GT(cut, 0);
        EXPECT_EQ(contents(t, "log"), "");
        // Meaningless combinations.
        EXPECT_EQ(open(t, root, "log", abi::kOpenRead | abi::kOpenTruncate), err(Err::InvalidArgument));
        EXPECT_EQ(open(t, root, "log", abi::kOpenRead | abi::kOpenAppend), err(Err::InvalidArgument));
        EXPECT_EQ(open(t, root, "log", abi::kOpenRead | abi::kOpenExclusive), err(Err::InvalidArgument));
        EXPECT_EQ(open(t, root, "d", abi::kOpenCreate | abi::kOpenDirectory), err(Err::InvalidArgument));
        EXPECT_EQ(open(t, root, "log", 0x100), err(Err::InvalidArgument));
        return RunExit::Loop;
    });
}

TEST_F(FsCallsTest, NamesNeedTheCreateRight) {
    as(P->thread(), [&](Thread& t) {
        i64 weak = call(t, Sys::Dup, root, abi::kRightRead | abi::kRightWrite | abi::kRightEnumerate);
        EXPECT_GT(weak, 0);
        abi::Handle w = abi::Handle(weak);
        u64 denials = processes.audit().denials();
        EXPECT_EQ(mkdir(t, w, "d"), err(Err::AccessDenied));
        expect_denied(denials, Sys::MakeDir, Err::AccessDenied);
        denials = processes.audit().denials();
        EXPECT_EQ(open(t, w, "f", abi::kOpenWrite | abi::kOpenCreate), err(Err::AccessDenied));
        expect_denied(denials, Sys::Open, Err::AccessDenied);
        denials = processes.audit().denials();
        EXPECT_EQ(symlink(t, w, "l", "x"), err(Err::AccessDenied));
        expect_denied(denials, Sys::Symlink, Err::AccessDenied);
        EXPECT_EQ(unlink(t, w, "f"), err(Err::AccessDenied));
        EXPECT_EQ(pair_call(t, Sys::Rename, w, "a", root, "b"), err(Err::AccessDenied));
        EXPECT_EQ(pair_call(t, Sys::Rename, root, "a", w, "b"), err(Err::AccessDenied));
        // link's source directory only needs Read.
        EXPECT_GT(open(t, root, "src", abi::kOpenWrite | abi::kOpenCreate), 0);
        EXPECT_EQ(pair_call(t, Sys::Link, w, "src", root, "dst"), 0);
        EXPECT_EQ(pair_call(t, Sys::Link, root, "src", w, "dst2"), err(Err::AccessDenied));
        // Opening an existing file needs no Create; writing needs Write.
        EXPECT_GT(open(t, w, "src", abi::kOpenRead), 0);
        // A file handle without Write: no truncate, no set_times.
        i64 reader = open(t, root, "src", abi::kOpenRead);
        denials = processes.audit().denials();
        EXPECT_EQ(call(t, Sys::Truncate, u64(reader), 0), err(Err::AccessDenied));
        expect_denied(denials, Sys::Truncate, Err::AccessDenied);
        EXPECT_EQ(call(t, Sys::SetTimes, u64(reader), 0, 0), err(Err::AccessDenied));
        // Not a file at all.
        Ends ends = create_channel(t);
        EXPECT_EQ(call(t, Sys::StatFs, ends.a, scratch(*P)), err(Err::WrongType));
        EXPECT_EQ(call(t, Sys::Truncate, ends.a, 0), err(Err::WrongType));
        EXPECT_EQ(call(t, Sys::Sync, ends.a, 0), err(Err::WrongType));
        EXPECT_EQ(mkdir(t, u64(reader), "x"), err(Err::NotDirectory));
        return RunExit::Loop;
    });
}

TEST_F(FsCallsTest, DecodingRefusesBadArguments) {
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::MakeDir, root, 0, 4, 0755), err(Err::BadAddress));
        EXPECT_EQ(call(t, Sys::MakeDir, root, 0xffffffc000000000ull, 4, 0755), err(Err::BadAddress));
        EXPECT_EQ(call(t, Sys::MakeDir, root, put("x", 0), 0, 0755), err(Err::InvalidArgument)) << "empty path";
        EXPECT_EQ(call(t, Sys::MakeDir, root, put("x", 0), ~u64(0), 0755), err(Err::Overflow));
        EXPECT_EQ(call(t, Sys::MakeDir, root, put("x", 0), 5000, 0755), err(Err::InvalidArgument)) << "too long";
        EXPECT_EQ(mkdir(t, root, "x", 010000), err(Err::InvalidArgument));
        EXPECT_EQ(unlink(t, root, "x", 2), err(Err::InvalidArgument));
        EXPECT_EQ(call(t, Sys::Rename, 0), err(Err::BadAddress));
        EXPECT_EQ(call(t, Sys::Link, 0xffffffc000000000ull), err(Err::BadAddress));
        EXPECT_EQ(pair_call(t, Sys::Rename, 0x777, "a", root, "b"), err(Err::BadHandle));
        EXPECT_EQ(call(t, Sys::Sync, root, 2), err(Err::InvalidArgument));
        EXPECT_EQ(call(t, Sys::SetTimes, root, u64(-3), 0), err(Err::InvalidArgument));
        EXPECT_EQ(call(t, Sys::Truncate, root, 0), err(Err::IsDirectory));
        EXPECT_EQ(call(t, Sys::StatFs, root, 0), err(Err::BadAddress));
        clear_result(t);
        EXPECT_EQ(platform.call(t, Sys::Symlink, root, put("l", 0), 1, 0, 3).user_value(), err(Err::BadAddress));
        EXPECT_EQ(platform.call(t, Sys::Symlink, root, put("l", 0), 1, put("a", 1), 0).user_value(), err(Err::InvalidArgument));
        EXPECT_EQ(symlink(t, root, "l", std::string("a\0b", 3)), err(Err::InvalidArgument)) << "a NUL in the target";
        // Names that are not names.
        EXPECT_EQ(mkdir(t, root, "."), err(Err::InvalidArgument));
        EXPECT_EQ(mkdir(t, root, "a/.."), err(Err::InvalidArgument));
        EXPECT_EQ(unlink(t, root, "."), err(Err::InvalidArgument));
        u64 denials = processes.audit().denials();
        EXPECT_EQ(mkdir(t, root, "../x"), err(Err::Escapes));
        expect_denied(denials, Sys::MakeDir, Err::Escapes);
        EXPECT_EQ(mkdir(t, root, "/x"), err(Err::Escapes));
        EXPECT_EQ(tmp.fs.nodes_used(), 1u) << "nothing was made";
        return RunExit::Loop;
    });
}

TEST_F(FsCallsTest, DirectoriesAndTheirErrors) {
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(mkdir(t, root, "d", 0700), 0);
        EXPECT_EQ(mkdir(t, root, "d/e/"), 0) << "a trailing slash is fine for a directory";
        EXPECT_EQ(mkdir(t, root, "d"), err(Err::Exists));
        EXPECT_EQ(mkdir(t, root, "x/y"), err(Err::NotFound));
        EXPECT_GT(open(t, root, "d/f", abi::kOpenWrite | abi::kOpenCreate), 0);
        EXPECT_EQ(mkdir(t, root, "d/f/g"), err(Err::NotDirectory));
        i64 dir = open(t, root, "d", abi::kOpenRead | abi::kOpenDirectory);
        abi::Stat st = stat(t, abi::Handle(dir));
        EXPECT_EQ(st.type, u32(abi::NodeType::Directory));
        EXPECT_EQ(st.mode, 0700u);
        EXPECT_EQ(st.links, 3u);
        EXPECT_EQ(unlink(t, root, "d"), err(Err::IsDirectory));
        EXPECT_EQ(unlink(t, root, "d", abi::kUnlinkDirectory), err(Err::NotEmpty));
        EXPECT_EQ(unlink(t, root, "d/f", abi::kUnlinkDirectory), err(Err::NotDirectory));
        EXPECT_EQ(unlink(t, root, "d/f/"), err(Err::NotDirectory));
        EXPECT_EQ(unlink(t, root, "d/nope"), err(Err::NotFound));
        EXPECT_EQ(unlink(t, root, "d/f"), 0);
        EXPECT_EQ(unlink(t, root, "d/e/", abi::kUnlinkDirectory), 0);
        // Relative to the directory handle too.
        EXPECT_EQ(mkdir(t, abi::Handle(dir), "inner"), 0);
        EXPECT_EQ(unlink(t, abi::Handle(dir), "inner", abi::kUnlinkDirectory), 0);
        EXPECT_EQ(unlink(t, root, "d", abi::kUnlinkDirectory), 0);
        // The handle to the removed directory is still a handle.
        EXPECT_EQ(stat(t, abi::Handle(dir)).links, 0u);
        EXPECT_EQ(mkdir(t, abi::Handle(dir), "late"), err(Err::NotFound));
        return RunExit::Loop;
    });
}

TEST_F(FsCallsTest, RenameAndLink) {
    as(P->thread(), [&](Thread& t) {
        i64 a = open(t, root, "a", abi::kOpenRead | abi::kOpenWrite | abi::kOpenCreate);
        EXPECT_EQ(write_at(t, abi::Handle(a), "A"), 1);
        i64 b = open(t, root, "b", abi::kOpenWrite | abi::kOpenCreate);
        EXPECT_EQ(write_at(t, abi::Handle(b), "B"), 1);
        EXPECT_EQ(mkdir(t, root, "d"), 0);
        EXPECT_EQ(link(t, "a", "d/a2"), 0);
        EXPECT_EQ(stat(t, abi::Handle(a)).links, 2u);
        EXPECT_EQ(link(t, "a", "d/a2"), err(Err::Exists));
        EXPECT_EQ(link(t, "d", "d2"), err(Err::IsDirectory));
        EXPECT_EQ(link(t, "nope", "x"), err(Err::NotFound));
        // mv b over a: a's old node keeps its other name.
        EXPECT_EQ(rename(t, "b", "a"), 0);
        EXPECT_EQ(contents(t, "a"), "B");
        EXPECT_EQ(contents(t, "d/a2"), "A");
        EXPECT_EQ(stat(t, abi::Handle(a)).links, 1u);
        EXPECT_EQ(open(t, root, "b", abi::kOpenRead), err(Err::NotFound));
        EXPECT_EQ(rename(t, "a", "d"), err(Err::IsDirectory)) << "a file over a directory";
        EXPECT_EQ(rename(t, "d", "a"), err(Err::NotDirectory)) << "a directory over a file";
        EXPECT_EQ(rename(t, "d", "d/sub"), err(Err::InvalidArgument)) << "below itself";
        EXPECT_EQ(rename(t, "a/", "z"), err(Err::NotDirectory));
        EXPECT_EQ(rename(t, "a", "d/moved"), 0);
        EXPECT_EQ(contents(t, "d/moved"), "B");
        EXPECT_EQ(rename(t, "d", "e"), 0);
        EXPECT_EQ(contents(t, "e/a2"), "A");
        // An open file stays readable after its last name goes.
        EXPECT_EQ(unlink(t, root, "e/a2"), 0);
        EXPECT_EQ(read_at(t, abi::Handle(a), 0), "A");
        EXPECT_EQ(stat(t, abi::Handle(a)).links, 0u);
        return RunExit::Loop;
    });
}

TEST_F(FsCallsTest, AcrossFilesystemsIsCrossDevice) {
    alignas(fs::RamFs) static u8 other_storage[sizeof(fs::RamFs)];
    auto* other = new (other_storage) fs::RamFs(pages, {.bytes = kMiB, .nodes = 8});
    as(P->thread(), [&](Thread& t) {
        abi::Handle there = install(other->root(), kDirRights);
        EXPECT_GT(open(t, root, "f", abi::kOpenWrite | abi::kOpenCreate), 0);
        EXPECT_EQ(pair_call(t, Sys::Rename, root, "f", there, "f"), err(Err::CrossDevice));
        EXPECT_EQ(pair_call(t, Sys::Link, root, "f", there, "f"), err(Err::CrossDevice));
        EXPECT_EQ(call(t, Sys::Close, there), 0);
        return RunExit::Loop;
    });
    other->~RamFs();
}

TEST_F(FsCallsTest, SymlinksThroughTheCalls) {
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(mkdir(t, root, "d"), 0);
        i64 file = open(t, root, "d/f", abi::kOpenWrite | abi::kOpenCreate);
        EXPECT_EQ(write_at(t, abi::Handle(file), "target text"), 11);
        EXPECT_EQ(symlink(t, root, "d/l", "f"), 0);
        EXPECT_EQ(symlink(t, root, "dl", "d"), 0);
        EXPECT_EQ(symlink(t, root, "d/l", "g"), err(Err::Exists));
        EXPECT_EQ(contents(t, "d/l"), "target text");
        EXPECT_EQ(contents(t, "dl/l"), "target text");
        // The link itself: stat says Symlink, read gives the target.
        i64 itself = open(t, root, "d/l", abi::kOpenRead | abi::kOpenNoFollow);
        EXPECT_GT(itself, 0);
        abi::Stat st = stat(t, abi::Handle(itself));
        EXPECT_EQ(st.type, u32(abi::NodeType::Symlink));
        EXPECT_EQ(st.size, 1u);
        EXPECT_EQ(read_at(t, abi::Handle(itself), 0), "f");
        EXPECT_EQ(open(t, root, "d/l", abi::kOpenWrite | abi::kOpenNoFollow), err(Err::InvalidArgument));
        // Writing through a link writes the file; creating through a
        // dangling one is Exists (the link holds the name).
        i64 through = open(t, root, "d/l", abi::kOpenWrite | abi::kOpenAppend);
        EXPECT_EQ(write_at(t, abi::Handle(through), "!"), 1);
        EXPECT_EQ(contents(t, "d/f"), "target text!");
        EXPECT_EQ(symlink(t, root, "dangling", "nothing"), 0);
        EXPECT_EQ(open(t, root, "dangling", abi::kOpenRead), err(Err::NotFound));
        EXPECT_EQ(open(t, root, "dangling", abi::kOpenWrite | abi::kOpenCreate), err(Err::Exists));
        // Loops and escapes.
        EXPECT_EQ(symlink(t, root, "loop", "loop"), 0);
        EXPECT_EQ(open(t, root, "loop", abi::kOpenRead), err(Err::SymlinkLoop));
        EXPECT_EQ(mkdir(t, root, "loop/x"), err(Err::SymlinkLoop));
        EXPECT_EQ(symlink(t, root, "d/out", "../.."), 0) << "stored as given";
        u64 denials = processes.audit().denials();
        EXPECT_EQ(open(t, root, "d/out", abi::kOpenRead), err(Err::Escapes));
        expect_denied(denials, Sys::Open, Err::Escapes);
        EXPECT_EQ(symlink(t, root, "abs", "/etc"), 0);
        EXPECT_EQ(open(t, root, "abs", abi::kOpenRead), err(Err::Escapes));
        // From d, d/l's target is fine, but "dl" climbs nowhere: also fine.
        i64 d = open(t, root, "d", abi::kOpenRead | abi::kOpenDirectory);
        EXPECT_GT(open(t, abi::Handle(d), "l", abi::kOpenRead), 0);
        EXPECT_EQ(open(t, abi::Handle(d), "out", abi::kOpenRead), err(Err::Escapes));
        // unlink and rename work on the link, not its target.
        EXPECT_EQ(rename(t, "dl", "dl2"), 0);
        EXPECT_EQ(unlink(t, root, "dl2"), 0);
        EXPECT_EQ(contents(t, "d/f"), "target text!");
        // link of a symlink links the symlink.
        EXPECT_EQ(link(t, "d/l", "l-again"), 0);
        i64 again = open(t, root, "l-again", abi::kOpenRead | abi::kOpenNoFollow);
        EXPECT_EQ(stat(t, abi::Handle(again)).links, 2u);
        return RunExit::Loop;
    });
}

TEST_F(FsCallsTest, TruncateSetTimesSyncStatFs) {
    as(P->thread(), [&](Thread& t) {
        i64 file = open(t, root, "f", abi::kOpenRead | abi::kOpenWrite | abi::kOpenCreate);
        EXPECT_EQ(write_at(t, abi::Handle(file), "0123456789"), 10);
        EXPECT_EQ(call(t, Sys::Truncate, u64(file), 4), 0);
        EXPECT_EQ(read_at(t, abi::Handle(file), 0), "0123");
        EXPECT_EQ(call(t, Sys::Truncate, u64(file), 6), 0);
        EXPECT_EQ(read_at(t, abi::Handle(file), 0), std::string("0123\0\0", 6));
        EXPECT_EQ(call(t, Sys::Truncate, u64(file), u64(1) << 63), err(Err::Overflow));
        EXPECT_EQ(call(t, Sys::Truncate, u64(file), u64(1) << 40), err(Err::Overflow)) << "past the largest ramfs file";
        g_wall_clock = 9'000'000'000;
        EXPECT_EQ(call(t, Sys::SetTimes, u64(file), 123, u64(abi::kTimeNow)), 0);
        abi::Stat st = stat(t, abi::Handle(file));
        EXPECT_EQ(st.atime_ns, 123);
        EXPECT_EQ(st.mtime_ns, 9'000'000'000);
        EXPECT_EQ(st.ctime_ns, 9'000'000'000);
        EXPECT_EQ(st.blocks, 8u);
        EXPECT_EQ(call(t, Sys::SetTimes, u64(file), u64(abi::kTimeOmit), u64(abi::kTimeOmit)), 0);
        EXPECT_EQ(stat(t, abi::Handle(file)).atime_ns, 123);
        EXPECT_EQ(call(t, Sys::Sync, u64(file), 0), 0);
        EXPECT_EQ(call(t, Sys::Sync, root, abi::kSyncFilesystem), 0);
        u64 out = scratch(*P) + kRecvBytes;
        EXPECT_EQ(call(t, Sys::StatFs, u64(file), out), 0);
        abi::FsStat fs_stat = peek<abi::FsStat>(*P, out);
        EXPECT_STREQ(fs_stat.type, "ramfs");
        EXPECT_EQ(fs_stat.block_size, kPageSize);
        EXPECT_EQ(fs_stat.blocks, kMiB / kPageSize);
        EXPECT_EQ(fs_stat.files, 64u);
        EXPECT_EQ(fs_stat.free_files, 62u);
        EXPECT_EQ(fs_stat.name_max, 255u);
        return RunExit::Loop;
    });
}

}  // namespace mote::test
