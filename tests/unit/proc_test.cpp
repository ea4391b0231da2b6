// Processes, address spaces, handle tables, the scheduler and the syscall
// layer on the host: a fake platform stands in for user mode (its threads'
// "instructions" are syscalls the test issues), everything else is the
// kernel's own code over a page allocator on fake RAM.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "support/process_fixture.hpp"

using namespace mote;
using mote::test::FakeHost;
using mote::test::FakeRam;
using mote::test::FakeMmu;
using mote::test::FakeUserPlatform;
using mote::test::ProcessTest;
using mote::test::err;

namespace {


class TestObject final : public KernelObject {
public:
    TestObject() : KernelObject(ObjectType::File) {}
    void destroy() override { destroyed = true; }
    bool destroyed = false;
};

}  // namespace

// --- handle table -----------------------------------------------------------

TEST(HandleTable, InstallLookupClose) {
    HandleTable table;
    TestObject a, b;
    mote::abi::Handle ha = table.install(a, mote::abi::kRightsAll).value();
    mote::abi::Handle hb = table.install(b, mote::abi::kRightsAll).value();
    EXPECT_NE(ha, mote::abi::kNoHandle);
    EXPECT_NE(ha, hb);
    EXPECT_EQ(table.lookup(ha, 0).value(), &a);
    EXPECT_EQ(table.lookup(hb, 0).value(), &b);
    EXPECT_EQ(a.references(), 1u);
    ASSERT_TRUE(table.close(ha).ok());
    EXPECT_TRUE(a.destroyed);
    EXPECT_EQ(table.used(), 1u);
    table.close_all();
    EXPECT_TRUE(b.destroyed);
}

TEST(HandleTable, StaleAndForgedValuesNameNothing) {
    HandleTable table;
    TestObject a, b;
    mote::abi::Handle old = table.install(a, mote::abi::kRightsAll).value();
    ASSERT_TRUE(table.close(old).ok());
    // The slot is reused, with a new value: the old one stays dead.
    mote::abi::Handle fresh = table.install(b, mote::abi::kRightsAll).value();
    EXPECT_NE(fresh, old);
    EXPECT_EQ(table.lookup(old, 0).error(), Error::NotFound);
    EXPECT_EQ(table.close(old).error(), Error::NotFound);
    EXPECT_EQ(table.lookup(fresh, 0).value(), &b);
    for (mote::abi::Handle forged : {0u, 1u, 0xffu, 0xffffffffu, fresh + 1, fresh ^ 0x100u, fresh & 0xff}) {
        EXPECT_TRUE(table.lookup(forged, 0).is_error()) << forged;
        EXPECT_EQ(table.find(forged, 0), nullptr) << forged;
    }
    // find() takes the syscall's 64-bit argument: the upper half must be 0.
    EXPECT_EQ(table.find(fresh, 0), &b);
    EXPECT_EQ(table.find(u64(fresh) | (u64(1) << 32), 0), nullptr);
    EXPECT_EQ(table.find(old, 0), nullptr);
    table.close_all();
}

TEST(HandleTable, RightsAreCheckedInTheLookup) {
    HandleTable table;
    TestObject a;
    mote::abi::Handle h = table.install(a, mote::abi::kRightRead | mote::abi::kRightWait).value();
    EXPECT_EQ(table.lookup(h, mote::abi::kRightRead).value(), &a);
    EXPECT_EQ(table.lookup(h, mote::abi::kRightRead | mote::abi::kRightWait).value(), &a);
    EXPECT_EQ(table.lookup(h, mote::abi::kRightWrite).error(), Error::AccessDenied);
    EXPECT_EQ(table.lookup(h, mote::abi::kRightRead | mote::abi::kRightWrite).error(), Error::AccessDenied);
    EXPECT_EQ(table.find(h, mote::abi::kRightRead | mote::abi::kRightWait), &a);
    EXPECT_EQ(table.find(h, mote::abi::kRightRead | mote::abi::kRightWrite), nullptr);
    EXPECT_EQ(table.get(h).value().rights, mote::abi::kRightRead | mote::abi::kRightWait);
    // Rights beyond the defined set are never stored.
    mote::abi::Handle all = table.install(a, ~0u).value();
    EXPECT_EQ(table.get(all).value().rights, mote::abi::kRightsAll);
    table.close_all();
}

TEST(HandleTable, TheSecretChangesValuesButNotWhatTheyName) {
    HandleTable plain, secret;
    secret.set_secret(0x00abcdefu);
    TestObject a;
    mote::abi::Handle p = plain.install(a, 0).value();
    mote::abi::Handle s = secret.install(a, 0).value();
    EXPECT_NE(p, s);
    EXPECT_EQ(p & 0xff, s & 0xff) << "the slot index is the low byte either way";
    EXPECT_EQ(secret.lookup(s, 0).value(), &a);
    EXPECT_TRUE(secret.lookup(p, 0).is_error()) << "a value from another table's scheme names nothing";
    plain.close_all();
    secret.close_all();
}

TEST(HandleTable, TakeMovesTheReferenceOut) {
    HandleTable table;
    TestObject a;
    mote::abi::Handle h = table.install(a, mote::abi::kRightRead).value();
    HandleRef taken = table.take(h).value();
    EXPECT_EQ(taken.object, &a);
    EXPECT_EQ(taken.rights, mote::abi::kRightRead);
    EXPECT_EQ(table.used(), 0u);
    EXPECT_EQ(a.references(), 1u) << "the caller owns the reference now";
    EXPECT_TRUE(table.lookup(h, 0).is_error());
    a.release();
    EXPECT_TRUE(a.destroyed);
}

TEST(HandleTable, CountsHandlesByObjectType) {
    HandleTable table;
    TestObject file;
    SpawnCapability capability;
    EXPECT_EQ(table.count(ObjectType::Capability), 0u);
    const mote::abi::Handle first = table.install(capability, mote::abi::kRightsAll).value();
    const mote::abi::Handle second = table.install(capability, mote::abi::kRightRead).value();
    (void)table.install(file, mote::abi::kRightsAll).value();
    EXPECT_EQ(table.count(ObjectType::Capability), 2u);
    EXPECT_EQ(table.count(ObjectType::File), 1u);
    ASSERT_TRUE(table.close(first).ok());
    EXPECT_EQ(table.count(ObjectType::Capability), 1u);
    // A handle moved out (into a channel message) is no longer held.
    HandleRef moved = table.take(second).value();
    EXPECT_EQ(table.count(ObjectType::Capability), 0u);
    moved.object->release();
    table.close_all();
    EXPECT_EQ(table.count(ObjectType::File), 0u);
    EXPECT_EQ(capability.references(), 0u);
}

TEST(HandleTable, FullTableIsOverflow) {
    HandleTable table;
    std::vector<TestObject> objects(HandleTable::kSlots + 1);
    for (u32 i = 0; i < HandleTable::kSlots; ++i) ASSERT_TRUE(table.install(objects[i], mote::abi::kRightsAll).ok());
    EXPECT_EQ(table.install(objects.back(), mote::abi::kRightsAll).error(), Error::Overflow);
    EXPECT_EQ(objects.back().references(), 0u);
    table.close_all();
}

// --- address space ------------------------------------------------------------

class AddressSpaceTest : public ::testing::Test {
protected:
    void SetUp() override {
        PhysRange range = ram.range(0, ram.size());
        ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
        before = pages.stats();
    }
    FakeRam ram {2 << 20};
    PageAllocator pages;
    FakeMmu mmu;
    PageAllocatorStats before;
};

TEST_F(AddressSpaceTest, RegionsAreZeroedAndCopiesRoundTrip) {
    AddressSpace space(pages, mmu);
    ASSERT_TRUE(space.add_region(0x400000, 2 * kPageSize, kUserRead | kUserWrite, RegionKind::Program).ok());
    EXPECT_EQ(space.resident_pages(), 2u);
    u8 out[64];
    ASSERT_TRUE(space.copy_in(Span<u8>(out, sizeof(out)), 0x400000 + kPageSize - 32).ok());
    for (u8 b : out) EXPECT_EQ(b, 0);
    std::string text = "crosses the page boundary on purpose, 64 bytes long.............";
    ASSERT_EQ(text.size(), 64u);
    ASSERT_TRUE(space.copy_out(0x400000 + kPageSize - 32, ReadonlyBytes(reinterpret_cast<const u8*>(text.data()), 64)).ok());
    ASSERT_TRUE(space.copy_in(Span<u8>(out, sizeof(out)), 0x400000 + kPageSize - 32).ok());
    EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 64), text);
    // The bytes really are in the frames the MMU maps.
    UserPage second = mmu.translate(0x400000 + kPageSize).value();
    EXPECT_EQ(std::memcmp(pages.to_virtual(second.frame), text.data() + 32, 32), 0);
    space.clear();
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

TEST_F(AddressSpaceTest, BadUserPointersAreErrorsAndWriteNothing) {
    AddressSpace space(pages, mmu);
    ASSERT_TRUE(space.add_region(0x400000, kPageSize, kUserRead, RegionKind::Program).ok());
    ASSERT_TRUE(space.add_region(0x402000, kPageSize, kUserRead | kUserWrite, RegionKind::Program).ok());
    u8 data[16] = {1, 2, 3};
    // Read-only page.
    EXPECT_TRUE(space.copy_out(0x400000, ReadonlyBytes(data, 16)).is_error());
    // Starts writable, runs into an unmapped page: nothing written.
    EXPECT_TRUE(space.copy_out(0x402000 + kPageSize - 8, ReadonlyBytes(data, 16)).is_error());
    u8 check[8];
    ASSERT_TRUE(space.copy_in(Span<u8>(check, 8), 0x402000 + kPageSize - 8).ok());
    for (u8 b : check) EXPECT_EQ(b, 0);
    // Unmapped, null, kernel half, wrapping.
    EXPECT_TRUE(space.copy_in(Span<u8>(check, 8), 0x401000).is_error());
    EXPECT_TRUE(space.copy_in(Span<u8>(check, 8), 0).is_error());
    EXPECT_TRUE(space.copy_in(Span<u8>(check, 8), 0xffffffc000000000ull).is_error());
    EXPECT_TRUE(space.copy_in(Span<u8>(check, 8), ~u64(0) - 3).is_error());
    EXPECT_TRUE(space.copy_in(Span<u8>(check, 8), mote::abi::kUserLimit - 4).is_error());
    space.clear();
}

// reach() keeps the last translations; none may outlive its mapping. A
// page copied from just before unmap is an error after it, and a new
// mapping at the same address shows its own (zeroed) frame, not the old
// one's bytes.
TEST_F(AddressSpaceTest, RecentTranslationsDieWithTheirMapping) {
    AddressSpace space(pages, mmu);
    u64 a = space.map_anywhere(2 * kPageSize, kUserRead | kUserWrite).value();
    u8 data[8] = {9, 8, 7, 6, 5, 4, 3, 2};
    u8 back[8] = {};
    for (int round = 0; round < 2; ++round) {  // the second round hits the cache
        ASSERT_TRUE(space.copy_out(a + kPageSize + 16, ReadonlyBytes(data, 8)).ok());
        ASSERT_TRUE(space.copy_in(Span<u8>(back, 8), a + kPageSize + 16).ok());
        EXPECT_EQ(std::memcmp(back, data, 8), 0);
    }
    ASSERT_TRUE(space.remove_mapped(a, 2 * kPageSize).ok());
    // Unmapped: the error is resolve_fault's (no lazy region there).
    EXPECT_TRUE(space.copy_in(Span<u8>(back, 8), a + kPageSize + 16).is_error());
    EXPECT_TRUE(space.copy_out(a + kPageSize + 16, ReadonlyBytes(data, 8)).is_error());
    // The same address again, read-only this time: zeros, and no writes.
    ASSERT_EQ(space.map_anywhere(2 * kPageSize, kUserRead).value(), a);
    ASSERT_TRUE(space.copy_in(Span<u8>(back, 8), a + kPageSize + 16).ok());
    for (u8 b : back) EXPECT_EQ(b, 0);
    EXPECT_EQ(space.copy_out(a + kPageSize + 16, ReadonlyBytes(data, 8)).error(), Error::OutOfRange);
    space.clear();
    EXPECT_TRUE(space.copy_in(Span<u8>(back, 8), a + kPageSize + 16).is_error());
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

TEST_F(AddressSpaceTest, RegionRules) {
    AddressSpace space(pages, mmu);
    EXPECT_EQ(space.add_region(0x400000, kPageSize, kUserWrite | kUserExecute, RegionKind::Program).error(),
              Error::InvalidArgument);
    EXPECT_EQ(space.add_region(0x400001, kPageSize, kUserRead, RegionKind::Program).error(), Error::InvalidArgument);
    EXPECT_EQ(space.add_region(mote::abi::kUserLimit, kPageSize, kUserRead, RegionKind::Program).error(), Error::OutOfRange);
    ASSERT_TRUE(space.add_region(0x400000, 2 * kPageSize, kUserRead, RegionKind::Program).ok());
    EXPECT_EQ(space.add_region(0x401000, kPageSize, kUserRead, RegionKind::Program).error(), Error::BadState);
    // map(): regions a guard page apart, removable only whole.
    u64 a = space.map_anywhere(3 * kPageSize, kUserRead | kUserWrite).value();
    u64 b = space.map_anywhere(kPageSize, kUserRead).value();
    EXPECT_EQ(a, mote::abi::kMapBase);
    EXPECT_GE(b, a + 3 * kPageSize + kPageSize);
    EXPECT_FALSE(mmu.translate(a + 3 * kPageSize).ok()) << "guard page mapped";
    EXPECT_EQ(space.remove_mapped(a, kPageSize).error(), Error::InvalidArgument);
    EXPECT_EQ(space.remove_mapped(0x400000, 2 * kPageSize).error(), Error::InvalidArgument);
    ASSERT_TRUE(space.remove_mapped(a, 3 * kPageSize).ok());
    EXPECT_EQ(space.map_anywhere(kPageSize, kUserRead).value(), a) << "freed space is reused";
    space.clear();
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

TEST_F(AddressSpaceTest, LazyRegionsGetPagesOnFirstTouch) {
    AddressSpace space(pages, mmu);
    u64 bottom = 0x10000000;
    ASSERT_TRUE(space.add_lazy_region(bottom, 16 * kPageSize, 2 * kPageSize, kUserRead | kUserWrite, RegionKind::Stack).ok());
    EXPECT_EQ(space.resident_pages(), 2u) << "only the top pages at first";
    EXPECT_TRUE(mmu.translate(bottom + 15 * kPageSize).ok());
    EXPECT_FALSE(mmu.translate(bottom).ok());
    // A fault in an untouched page brings it in, zeroed; a second fault on
    // it is a real one; outside any lazy region nothing happens.
    ASSERT_TRUE(space.resolve_fault(bottom + 100).ok());
    EXPECT_EQ(space.resident_pages(), 3u);
    EXPECT_EQ(space.resolve_fault(bottom + 200).error(), Error::NotFound);
    EXPECT_EQ(space.resolve_fault(bottom - 1).error(), Error::NotFound) << "the guard below";
    // The kernel's own copies bring pages in as the user's touch would.
    u8 data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ASSERT_TRUE(space.copy_out(bottom + 5 * kPageSize, ReadonlyBytes(data, 8)).ok());
    EXPECT_EQ(space.resident_pages(), 4u);
    u8 zeros[16];
    ASSERT_TRUE(space.copy_in(Span<u8>(zeros, 16), bottom + 7 * kPageSize).ok());
    for (u8 b : zeros) EXPECT_EQ(b, 0);
    space.clear();
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

TEST_F(AddressSpaceTest, FailedRegionGivesEverythingBack) {
    AddressSpace space(pages, mmu);
    mmu.fail_map_after = 3;
    EXPECT_EQ(space.add_region(0x400000, 8 * kPageSize, kUserRead, RegionKind::Program).error(), Error::NoMemory);
    EXPECT_EQ(space.resident_pages(), 0u);
    EXPECT_TRUE(mmu.pages.empty());
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

// --- processes and syscalls --------------------------------------------------

TEST_F(ProcessTest, SpawnLaysOutSegmentsStackAndStartInfo) {
    TestObject stream;
    stream.retain();
    Process* p = spawn_program("prog", {"prog", "hello", ""}, {&stream, &stream}).value();
    const auto& frame = platform.frames[&p->thread()];
    EXPECT_EQ(frame.entry, 0x401100u);
    EXPECT_EQ(frame.sp, frame.argument);
    EXPECT_EQ(frame.sp % 16, 0u);
    EXPECT_GT(frame.sp, mote::abi::kStackTop - mote::abi::kStackSize);
    // Segments with their permissions, the file bytes where they belong.
    FakeMmu& mmu = static_cast<FakeMmu&>(p->mmu());
    EXPECT_EQ(mmu.translate(0x400000).value().access, u32(kUserRead));
    EXPECT_EQ(mmu.translate(0x401000).value().access, u32(kUserRead | kUserExecute));
    EXPECT_EQ(mmu.translate(0x404000).value().access, u32(kUserRead | kUserWrite));
    u8 byte = 0;
    ASSERT_TRUE(p->space().copy_in(Span<u8>(&byte, 1), 0x401000 + 5).ok());
    EXPECT_EQ(byte, test_elf::content_byte(0x1000 + 5));
    ASSERT_TRUE(p->space().copy_in(Span<u8>(&byte, 1), 0x403010 + 0x20).ok());
    EXPECT_EQ(byte, 0) << ".bss is zero";
    // StartInfo, argv and the handles, as the program sees them.
    mote::abi::StartInfo info {};
    ASSERT_TRUE(p->space().copy_in(Span<u8>(reinterpret_cast<u8*>(&info), sizeof(info)), frame.sp).ok());
    ASSERT_EQ(info.argc, 3u);
    ASSERT_EQ(info.handle_count, 2u);
    EXPECT_EQ(p->handles().lookup(info.handles[0], 0).value(), &stream);
    EXPECT_EQ(p->handles().lookup(info.handles[1], 0).value(), &stream);
    std::vector<std::string> args;
    for (u64 i = 0; i <= info.argc; ++i) {
        u64 pointer = 0;
        ASSERT_TRUE(p->space().copy_in(Span<u8>(reinterpret_cast<u8*>(&pointer), 8), info.argv + i * 8).ok());
        if (i == info.argc) {
            EXPECT_EQ(pointer, 0u);
            break;
        }
        std::string s;
        for (char c = 1; c;) {
            ASSERT_TRUE(p->space().copy_in(Span<u8>(reinterpret_cast<u8*>(&c), 1), pointer + s.size()).ok());
            if (c) s += c;
        }
        args.push_back(s);
    }
    EXPECT_EQ(args, (std::vector<std::string> {"prog", "hello", ""}));
    end_all();
    EXPECT_EQ(stream.references(), 1u) << "the process's handles were closed";
}

TEST_F(ProcessTest, BadProgramsAreRefusedAndLeaveNothing) {
    image = program_bytes();
    image[0] = 0;  // bad magic
    SpawnPlan plan;
    plan.name = "bad";
    plan.image = ReadonlyBytes(image.data(), image.size());
    EXPECT_EQ(loader.spawn(plan).error(), Error::Malformed);
    // argv that does not hold argc strings.
    image = program_bytes();
    u8 argv[] = {'a', 0, 'b'};
    plan.image = ReadonlyBytes(image.data(), image.size());
    plan.argv = ReadonlyBytes(argv, 3);
    plan.argc = 2;
    EXPECT_EQ(loader.spawn(plan).error(), Error::InvalidArgument);
    // Out of memory half-way: the half-built process goes away whole.
    platform.refuse_mmu = true;
    plan.argv = {};
    plan.argc = 0;
    EXPECT_EQ(loader.spawn(plan).error(), Error::NoMemory);
    platform.refuse_mmu = false;
    EXPECT_EQ(processes.count(), 0u);
    EXPECT_EQ(platform.live_mmus, 0);
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

TEST_F(ProcessTest, SpawnAndExitGiveAllMemoryBack) {
    for (int round = 0; round < 50; ++round) {
        Process* p = spawn_program("p", {"p"}).value();
        as(p->thread(), [&](Thread& t) {
            EXPECT_GT(platform.call(t, mote::abi::Sys::Map, 1 << 20, mote::abi::kMapRead | mote::abi::kMapWrite).user_value(), 0);
            (void)platform.call(t, mote::abi::Sys::Exit, 7);
            return RunExit::Ended;
        });
        loop.turn(false);
    }
    EXPECT_EQ(processes.count(), 0u);
    EXPECT_EQ(platform.live_mmus, 0);
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

TEST_F(ProcessTest, SyscallArgumentsAreValidated) {
    Process* p = spawn_program("p", {"p"}).value();
    as(p->thread(), [&](Thread& t) {
        auto call = [&](mote::abi::Sys n, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0) {
            return platform.call(t, n, a0, a1, a2, a3).user_value();
        };
        EXPECT_EQ(platform.call(t, mote::abi::Sys(99)).user_value(), err(mote::abi::Err::NoSyscall));
        EXPECT_EQ(call(mote::abi::Sys::Write, 0x1234, 0x400000, 1, mote::abi::kCurrentOffset), err(mote::abi::Err::BadHandle));
        EXPECT_EQ(call(mote::abi::Sys::Close, 0), err(mote::abi::Err::BadHandle));
        EXPECT_EQ(call(mote::abi::Sys::Close, ~u64(0)), err(mote::abi::Err::BadHandle));
        EXPECT_EQ(call(mote::abi::Sys::Map, 4096, mote::abi::kMapWrite | mote::abi::kMapExecute), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(call(mote::abi::Sys::Map, 4096, 0x80), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(call(mote::abi::Sys::Map, 0, mote::abi::kMapRead), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(call(mote::abi::Sys::Map, ~u64(0), mote::abi::kMapRead), err(mote::abi::Err::Overflow));
        EXPECT_EQ(call(mote::abi::Sys::Unmap, 0x400000, 4096), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(call(mote::abi::Sys::Unmap, 0xffffffc000000000ull, 4096), err(mote::abi::Err::BadAddress));
        EXPECT_EQ(call(mote::abi::Sys::Stat, 0x1234, 0), err(mote::abi::Err::BadHandle));
        EXPECT_EQ(call(mote::abi::Sys::Spawn, 0), err(mote::abi::Err::BadAddress));
        EXPECT_EQ(call(mote::abi::Sys::Spawn, 0xffffffc000000000ull), err(mote::abi::Err::BadAddress));
        EXPECT_EQ(call(mote::abi::Sys::Wait, 0x777, 0, 0), err(mote::abi::Err::BadHandle));
        EXPECT_EQ(call(mote::abi::Sys::Poll, 0, mote::abi::kPollMaxItems + 1, 0), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(call(mote::abi::Sys::Poll, 0x10, 1, 0), err(mote::abi::Err::BadAddress));
        u64 address = u64(call(mote::abi::Sys::Map, 8192, mote::abi::kMapRead | mote::abi::kMapWrite));
        EXPECT_EQ(address, mote::abi::kMapBase);
        EXPECT_EQ(call(mote::abi::Sys::Unmap, address, 4096), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(call(mote::abi::Sys::Unmap, address, 8192), 0);
        EXPECT_EQ(call(mote::abi::Sys::Unmap, address, 8192), err(mote::abi::Err::InvalidArgument));
        // A handle to itself is not something it holds: signal needs one.
        EXPECT_EQ(call(mote::abi::Sys::Signal, 1, 1), err(mote::abi::Err::BadHandle));
        EXPECT_EQ(syscalls.stats().unknown, 1u);
        return RunExit::Loop;
    });
}

TEST_F(ProcessTest, SleepParksUntilTheDeadline) {
    Process* p = spawn_program("sleeper", {"sleeper"}).value();
    host.time = 1000;
    as(p->thread(), [&](Thread& t) {
        (void)platform.call(t, mote::abi::Sys::Sleep, 5 * kMillisecond);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        EXPECT_STREQ(t.wait_reason(), "sleep");
        return RunExit::Parked;
    });
    // Nothing runnable: the loop waits until the timer, which wakes it.
    platform.frames[&p->thread()].has_result = false;
    loop.turn(true);  // waits: the fake clock jumps to the deadline
    loop.turn(false);
    EXPECT_EQ(p->thread().state(), ThreadState::Runnable);
    EXPECT_TRUE(platform.frames[&p->thread()].has_result);
    EXPECT_EQ(platform.frames[&p->thread()].result, 0);
    EXPECT_GE(host.time, 1000 + 5 * kMillisecond);
}

TEST_F(ProcessTest, WaitDeliversTheChildsExit) {
    Process* parent = spawn_program("parent", {"parent"}).value();
    Process* child = spawn_program("child", {"child"}, {}, parent).value();
    mote::abi::Handle handle = parent->handles().install(*child, mote::abi::kRightsAll).value();
    u64 info_address = 0;
    as(parent->thread(), [&](Thread& t) {
        info_address = u64(platform.call(t, mote::abi::Sys::Map, 4096, mote::abi::kMapRead | mote::abi::kMapWrite).user_value());
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Wait, handle, info_address, 0).user_value(), err(mote::abi::Err::WouldBlock));
        (void)platform.call(t, mote::abi::Sys::Wait, handle, info_address, kNoDeadline);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        return RunExit::Parked;
    });
    as(child->thread(), [&](Thread& t) {
        (void)platform.call(t, mote::abi::Sys::Exit, u64(-3));
        return RunExit::Ended;
    });
    EXPECT_EQ(parent->thread().state(), ThreadState::Runnable);
    EXPECT_EQ(platform.frames[&parent->thread()].result, 0);
    mote::abi::ExitInfo info {};
    ASSERT_TRUE(parent->space().copy_in(Span<u8>(reinterpret_cast<u8*>(&info), sizeof(info)), info_address).ok());
    EXPECT_EQ(info.reason, u32(mote::abi::ExitReason::Exited));
    EXPECT_EQ(info.status, -3);
    // The child is gone from the table, but its handle still answers.
    EXPECT_EQ(processes.find(child->pid()), nullptr);
    as(parent->thread(), [&](Thread& t) {
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Wait, handle, 0, 0).user_value(), 0);
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Signal, handle, u64(mote::abi::Signal::Terminate)).user_value(),
                  err(mote::abi::Err::BadState));
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Close, handle).user_value(), 0);
        return RunExit::Loop;
    });
}

TEST_F(ProcessTest, SignalEndsAParkedChild) {
    Process* parent = spawn_program("parent", {"parent"}).value();
    Process* child = spawn_program("child", {"child"}, {}, parent).value();
    mote::abi::Handle handle = parent->handles().install(*child, mote::abi::kRightsAll).value();
    as(child->thread(), [&](Thread& t) {
        (void)platform.call(t, mote::abi::Sys::Sleep, 1000 * kSecond);
        return RunExit::Parked;
    });
    as(parent->thread(), [&](Thread& t) {
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Signal, handle, 99).user_value(), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Signal, handle, u64(mote::abi::Signal::Interrupt)).user_value(), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(child->state(), ProcessState::Exited);
    EXPECT_EQ(child->exit_info().reason, u32(mote::abi::ExitReason::Killed));
    EXPECT_EQ(child->exit_info().status, i32(mote::abi::Signal::Interrupt));
    EXPECT_FALSE(child->thread().timer().armed()) << "the sleep's timer was cancelled";
}

TEST_F(ProcessTest, SignalsWaitForAProcessThatPollsForThem) {
    namespace abi = mote::abi;
    Process* parent = spawn_program("parent", {"parent"}).value();
    Process* child = spawn_program("child", {"child"}, {}, parent).value();
    abi::Handle handle = parent->handles().install(*child, abi::kRightsAll).value();
    u64 items = 0;
    auto poll_self = [&](Thread& t, u32 events, Nanoseconds timeout) {
        abi::PollItem item {abi::kNoHandle, events, 0, 0};
        EXPECT_TRUE(child->space().copy_out(items, Span<const u8>(reinterpret_cast<const u8*>(&item), sizeof(item))).ok());
        return platform.call(t, abi::Sys::Poll, items, 1, timeout).user_value();
    };
    auto reported = [&] {
        abi::PollItem item {};
        EXPECT_TRUE(child->space().copy_in(Span<u8>(reinterpret_cast<u8*>(&item), sizeof(item)), items).ok());
        return item.ready;
    };
    as(child->thread(), [&](Thread& t) {
        items = u64(platform.call(t, abi::Sys::Map, 4096, abi::kMapRead | abi::kMapWrite).user_value());
        // Only the signals may be asked of the process itself, and only of it.
        EXPECT_EQ(poll_self(t, abi::kPollReadable, 0), err(abi::Err::InvalidArgument));
        EXPECT_EQ(poll_self(t, 0, 0), err(abi::Err::InvalidArgument));
        // Nothing pending: not ready.
        EXPECT_EQ(poll_self(t, abi::kPollNotify, 0), 0);
        (void)poll_self(t, abi::kPollNotify, 1000 * kSecond);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        return RunExit::Parked;
    });
    as(parent->thread(), [&](Thread& t) {
        abi::PollItem asks_child {handle, abi::kPollNotify, 0, 0};
        u64 address = u64(platform.call(t, abi::Sys::Map, 4096, abi::kMapRead | abi::kMapWrite).user_value());
        EXPECT_TRUE(parent->space().copy_out(address, Span<const u8>(reinterpret_cast<const u8*>(&asks_child), sizeof(asks_child))).ok());
        EXPECT_EQ(platform.call(t, abi::Sys::Poll, address, 1, 0).user_value(), err(abi::Err::InvalidArgument))
            << "another process's signals are its own";
        // A notification wakes the polling child and is reported once.
        EXPECT_EQ(platform.call(t, abi::Sys::Signal, handle, u64(abi::Signal::Notify)).user_value(), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(child->thread().state(), ThreadState::Runnable);
    EXPECT_EQ(platform.frames[&child->thread()].result, 1);
    EXPECT_EQ(reported(), u32(abi::kPollNotify));
    as(child->thread(), [&](Thread& t) {
        EXPECT_EQ(poll_self(t, abi::kPollNotify, 0), 0) << "taken by the poll that reported it";
        return RunExit::Loop;
    });
    // Two notifications before a look count as one.
    as(parent->thread(), [&](Thread& t) {
        EXPECT_EQ(platform.call(t, abi::Sys::Signal, handle, u64(abi::Signal::Notify)).user_value(), 0);
        EXPECT_EQ(platform.call(t, abi::Sys::Signal, handle, u64(abi::Signal::Notify)).user_value(), 0);
        return RunExit::Loop;
    });
    as(child->thread(), [&](Thread& t) {
        EXPECT_EQ(poll_self(t, abi::kPollNotify | abi::kPollInterrupt, 0), 1);
        EXPECT_EQ(reported(), u32(abi::kPollNotify));
        EXPECT_EQ(poll_self(t, abi::kPollNotify | abi::kPollInterrupt, 0), 0);
        return RunExit::Loop;
    });
    // Having asked for interrupts, the child is not ended by one.
    as(parent->thread(), [&](Thread& t) {
        EXPECT_EQ(platform.call(t, abi::Sys::Signal, handle, u64(abi::Signal::Interrupt)).user_value(), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(child->state(), ProcessState::Running);
    as(child->thread(), [&](Thread& t) {
        EXPECT_EQ(poll_self(t, abi::kPollInterrupt, 0), 1);
        EXPECT_EQ(reported(), u32(abi::kPollInterrupt));
        return RunExit::Loop;
    });
    // Terminate still ends it, and an ended process takes no signal.
    as(parent->thread(), [&](Thread& t) {
        EXPECT_EQ(platform.call(t, abi::Sys::Signal, handle, u64(abi::Signal::Terminate)).user_value(), 0);
        EXPECT_EQ(platform.call(t, abi::Sys::Signal, handle, u64(abi::Signal::Notify)).user_value(),
                  err(abi::Err::BadState));
        return RunExit::Loop;
    });
    EXPECT_EQ(child->state(), ProcessState::Exited);
}

TEST_F(ProcessTest, WithoutTheSpawnCapabilityATreeHoldsSixteen) {
    namespace abi = mote::abi;
    constexpr u32 kTree = SpawnCapability::kLimitedTree;
    const abi::ExitInfo killed {u32(abi::ExitReason::Killed), 0, 0, 0};
    // The shell: started with the capability, and holding it.
    Process* shell = processes.create("sh", nullptr, true).value();
    ASSERT_TRUE(shell->handles().install(processes.spawn_capability(), abi::kRightTransfer).ok());
    EXPECT_EQ(shell->charged_to(), nullptr);
    EXPECT_TRUE(processes.may_spawn(shell));
    // A program it starts without the capability roots a tree ...
    Process* program = processes.create("prog", shell).value();
    EXPECT_EQ(program->charged_to(), program);
    EXPECT_EQ(program->charged_live(), 1u);
    // ... which its children and grandchildren fill.
    std::vector<Process*> tree = {program};
    for (u32 i = 1; i < kTree; ++i) tree.push_back(processes.create("kid", tree[i / 2]).value());
    EXPECT_EQ(program->charged_live(), kTree);
    for (Process* p : tree) EXPECT_FALSE(processes.may_spawn(p)) << p->pid();
    EXPECT_EQ(processes.create("one-more", tree.back()).error(), Error::Busy);
    EXPECT_EQ(processes.stats().limited, 1u);
    // The shell itself is not limited by its program's tree.
    EXPECT_TRUE(processes.may_spawn(shell));
    Process* other = processes.create("other", shell).value();
    EXPECT_EQ(other->charged_to(), other) << "a tree of its own";
    // An ended member frees a slot; the root ending does not free its
    // children's (orphans stay charged, the root's object stays).
    processes.end(*tree[kTree - 1], killed);
    EXPECT_EQ(program->charged_live(), kTree - 1);
    EXPECT_TRUE(processes.may_spawn(tree[3]));
    processes.end(*program, killed);
    EXPECT_EQ(program->charged_live(), kTree - 2);
    Process* late = processes.create("late", tree[3]).value();
    EXPECT_EQ(late->charged_to(), program);
    EXPECT_EQ(program->charged_live(), kTree - 1);
    // A child passed the capability is unlimited.
    Process* helper = processes.create("helper", shell, true).value();
    EXPECT_EQ(helper->charged_to(), nullptr);
    // One that was, but closed its handle, roots a tree from then on.
    EXPECT_TRUE(processes.may_spawn(helper));
    Process* helper_kid = processes.create("helper-kid", helper).value();
    EXPECT_EQ(helper_kid->charged_to(), helper);
    EXPECT_EQ(helper->charged_live(), 2u);
    processes.end_all();
}

TEST_F(ProcessTest, FaultEndsTheProcessWithItsCause) {
    Process* p = spawn_program("faulty", {"faulty"}).value();
    Process* watcher = spawn_program("watcher", {"watcher"}).value();
    mote::abi::Handle handle = watcher->handles().install(*p, mote::abi::kRightsAll).value();
    as(p->thread(), [&](Thread&) {
        processes.fault(*p, {13, 0xdead, 0x401234, "load page fault"});
        return RunExit::Ended;
    });
    EXPECT_EQ(processes.stats().faulted, 1u);
    EXPECT_EQ(p->exit_info().reason, u32(mote::abi::ExitReason::Fault));
    EXPECT_EQ(p->exit_info().fault_address, 0xdeadu);
    EXPECT_EQ(p->exit_info().fault_pc, 0x401234u);
    EXPECT_EQ(p->poll_ready(mote::abi::kPollExited), u32(mote::abi::kPollExited));
    (void)handle;
}

TEST_F(ProcessTest, TwoHogsShareTheCpuRoundRobin) {
    Process* a = spawn_program("a", {"a"}).value();
    Process* b = spawn_program("b", {"b"}).value();
    a->thread().set_band(Band::Batch);
    b->thread().set_band(Band::Batch);
    // A hog runs until the deadline it was given (its timeslice).
    platform.step = [&](Thread&, Nanoseconds deadline) {
        EXPECT_NE(deadline, kNoDeadline) << "two runnable threads need a timeslice";
        host.time = deadline;
        return RunExit::Loop;
    };
    for (int i = 0; i < 200; ++i) loop.turn(true);
    platform.step = nullptr;
    Nanoseconds ta = a->thread().stats().cpu_time, tb = b->thread().stats().cpu_time;
    EXPECT_GT(ta, 0u);
    EXPECT_NEAR(double(ta) / double(ta + tb), 0.5, 0.05);
    // They alternate: never the same one twice in a row.
    for (usize i = 1; i < platform.ran.size(); ++i) EXPECT_NE(platform.ran[i], platform.ran[i - 1]);
    EXPECT_GE(processes.scheduler().stats().preemptions, 100u);
}

// A thread that parks hands the CPU straight to the next runnable one in
// the same run_user (a direct switch: no loop turn between them), unless
// the loop has something to do first, such as a posted interrupt.
TEST_F(ProcessTest, AParkedThreadHandsTheCpuStraightToTheNextUnlessTheLoopHasWork) {
    Process* a = spawn_program("a", {"a"}).value();
    Process* b = spawn_program("b", {"b"}).value();
    bool post_first = false;
    platform.step = [&](Thread& t, Nanoseconds deadline) {
        if (&t == &a->thread()) {
            if (post_first) loop.post_irq(3);
            (void)platform.call(t, mote::abi::Sys::Sleep, kSecond);
            return RunExit::Parked;
        }
        // b runs out its slice (or until the next timer) and stays runnable.
        host.time = deadline == kNoDeadline ? host.time + kMillisecond : deadline;
        return RunExit::Loop;
    };
    // The runs of the turn in which a parked.
    auto turn_a_parks_in = [&] {
        for (int i = 0; i < 10; ++i) {
            platform.ran.clear();
            loop.turn(true);
            if (a->thread().state() == ThreadState::Parked) return platform.ran;
        }
        return std::vector<Thread*> {};
    };
    std::vector<Thread*> ran = turn_a_parks_in();
    ASSERT_FALSE(ran.empty()) << "a never parked";
    EXPECT_EQ(ran.back(), &b->thread()) << "b did not run in the turn a parked in";
    EXPECT_EQ(ran.end()[-2], &a->thread());
    EXPECT_EQ(processes.scheduler().stats().direct_switches, 1u);

    a->thread().wake(0);
    post_first = true;
    ran = turn_a_parks_in();
    ASSERT_FALSE(ran.empty()) << "a never parked";
    EXPECT_EQ(ran.back(), &a->thread()) << "b ran before the loop saw the interrupt";
    EXPECT_EQ(processes.scheduler().stats().direct_switches, 1u);
    platform.step = nullptr;
    end_all();
}

TEST_F(ProcessTest, InteractiveRunsBeforeBatch) {
    Process* hog = spawn_program("hog", {"hog"}).value();
    hog->thread().set_band(Band::Batch);
    Process* shell = spawn_program("sh", {"sh"}).value();
    as(shell->thread(), [&](Thread& t) {
        (void)platform.call(t, mote::abi::Sys::Sleep, 3 * kMillisecond);
        return RunExit::Parked;
    });
    Nanoseconds woke_at = 0, ran_at = 0;
    platform.step = [&](Thread& t, Nanoseconds deadline) {
        if (&t == &shell->thread()) {
            ran_at = host.time;
            (void)platform.call(t, mote::abi::Sys::Sleep, 1000 * kSecond);
            return RunExit::Parked;
        }
        // The hog alone has no timeslice; it runs until the loop's next timer.
        host.time = deadline == kNoDeadline ? host.time + 50 * kMillisecond : deadline;
        if (!woke_at && shell->thread().timer().deadline() <= host.time) woke_at = shell->thread().timer().deadline();
        return RunExit::Loop;
    };
    for (int i = 0; i < 20 && !ran_at; ++i) loop.turn(true);
    platform.step = nullptr;
    ASSERT_NE(ran_at, 0u);
    EXPECT_LE(ran_at - woke_at, 2 * Scheduler::kDefaultTimeslice);
}
