// The hosted UserMmu: a translation kept in allocator pages, every change
// reported in order, and physical memory that a second mapping of the memfd
// sees (what a program's Linux process does). Expected values come from the
// test's own choices of addresses and frames.
#include <gtest/gtest.h>

#include <sys/mman.h>

#include <vector>

#include "platform/hosted/host_memory.hpp"
#include "platform/hosted/hosted_mmu.hpp"

using namespace mote;

namespace {
struct Seen {
    HostedMmu::Change change;
    u64 va;
    PhysAddr frame;
    u32 access;
};

class Recorder final : public HostedMmu::Observer {
public:
    void mmu_changed(u32 slot, HostedMmu::Change change, u64 va, PhysAddr frame, u32 access) override {
        EXPECT_EQ(slot, 7u);
        seen.push_back({change, va, frame, access});
    }
    std::vector<Seen> seen;
};
}  // namespace

TEST(HostedMmu, TranslatesReportsAndGivesTablesBack) {
    HostMemory memory;
    ASSERT_TRUE(memory.init(8 << 20).ok());
    PageAllocator& pages = memory.pages();
    u64 free_before = pages.stats().free_pages;
    Recorder recorder;
    HostedMmu mmu;
    ASSERT_TRUE(mmu.init(pages, recorder, 7).ok());
    EXPECT_EQ(mmu.table_pages(), 1u);

    PhysAddr a = pages.allocate(0).value();
    PhysAddr b = pages.allocate(0).value();
    const u64 text = 0x400000, stack = 0x3e'ffff'f000;
    ASSERT_TRUE(mmu.map(text, a, kUserRead | kUserExecute).ok());
    ASSERT_TRUE(mmu.map(stack, b, kUserRead | kUserWrite).ok());
    EXPECT_EQ(mmu.map(text, b, kUserRead).error(), Error::BadState);
    // Two leaves in different upper entries: root + 2 middle + 2 bottom.
    EXPECT_EQ(mmu.table_pages(), 5u);

    auto page = mmu.translate(text + 123);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page.value().frame, a);
    EXPECT_EQ(page.value().access, u32(kUserRead | kUserExecute));
    EXPECT_TRUE(mmu.translate(text + kPageSize).is_error());
    EXPECT_TRUE(mmu.translate(u64(1) << 40).is_error());

    ASSERT_TRUE(mmu.protect(text, kUserRead).ok());
    EXPECT_EQ(mmu.translate(text).value().access, u32(kUserRead));

    std::vector<u64> walked;
    mmu.for_each([&](u64 va, const UserPage&) { walked.push_back(va); });
    EXPECT_EQ(walked, (std::vector<u64> {text, stack}));

    EXPECT_EQ(mmu.unmap(text).value(), a);
    EXPECT_EQ(mmu.unmap(text).error(), Error::NotFound);
    EXPECT_EQ(mmu.unmap(stack).value(), b);

    ASSERT_EQ(recorder.seen.size(), 5u);
    EXPECT_EQ(recorder.seen[0].change, HostedMmu::Change::Map);
    EXPECT_EQ(recorder.seen[0].frame, a);
    EXPECT_EQ(recorder.seen[2].change, HostedMmu::Change::Protect);
    EXPECT_EQ(recorder.seen[2].access, u32(kUserRead));
    EXPECT_EQ(recorder.seen[4].change, HostedMmu::Change::Unmap);
    EXPECT_EQ(recorder.seen[4].va, stack);

    mmu.destroy();
    EXPECT_EQ(mmu.table_pages(), 0u);
    pages.free(a, 0);
    pages.free(b, 0);
    EXPECT_EQ(pages.stats().free_pages, free_before);
}

TEST(HostMemory, FramesAreSharedThroughTheMemfd) {
    HostMemory memory;
    ASSERT_TRUE(memory.init(4 << 20).ok());
    PhysAddr frame = memory.pages().allocate(0).value();
    // A second mapping of the frame's offset, as a program's process makes.
    void* view = mmap(nullptr, kPageSize, PROT_READ | PROT_WRITE, MAP_SHARED, memory.fd(),
                      off_t(memory.file_offset(frame)));
    ASSERT_NE(view, MAP_FAILED);
    static_cast<volatile u8*>(memory.pages().to_virtual(frame))[5] = 0x5a;
    EXPECT_EQ(static_cast<volatile u8*>(view)[5], 0x5a);
    static_cast<volatile u8*>(view)[9] = 0xa5;
    EXPECT_EQ(static_cast<volatile u8*>(memory.pages().to_virtual(frame))[9], 0xa5);
    munmap(view, kPageSize);
    memory.pages().free(frame, 0);
}
