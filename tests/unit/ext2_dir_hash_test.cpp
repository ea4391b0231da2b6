// DirHash (fs/ext2/dir_hash.hpp): the name index of long directories. Its
// contract is exactness: every name inserted and not removed yields its
// block among the candidates, and a probe ends (kEnd) without visiting
// every slot.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "fs/ext2/dir_hash.hpp"
#include "support/fake_ram.hpp"

namespace mote::fs::ext2 {
namespace {

// A page allocator over fake RAM.
struct Pages {
    explicit Pages(usize bytes) : ram(bytes) {
        PhysRange range = ram.range(0, ram.size());
        MUST(allocator.initialize(Span<const PhysRange>(&range, 1), ram.offset()));
        free_at_start = allocator.stats().free_pages;
    }
    PageAllocator& pages() { return allocator; }
    u64 free_pages() const { return allocator.stats().free_pages; }
    test::FakeRam ram;
    PageAllocator allocator;
    u64 free_at_start = 0;
};

std::set<u32> candidates(const DirHash& hash, const std::string& name) {
    std::set<u32> out;
    DirHash::Probe probe = hash.probe(StringView(name.data(), name.size()));
    for (u32 logical; (logical = hash.next(probe)) != DirHash::kEnd;) out.insert(logical);
    return out;
}

StringView view(const std::string& text) { return StringView(text.data(), text.size()); }

TEST(DirHash, EveryNameInsertedIsACandidateUntilRemoved) {
    Pages ram(4 * test::kMiB);
    DirHash hash;
    ASSERT_FALSE(hash.prepare(ram.pages(), 64 * 1024).is_error());
    EXPECT_EQ(hash.state(), DirHash::State::Building);
    std::map<std::string, u32> names;
    for (u32 i = 0; i < 3000; ++i) {
        std::string name = "file-" + std::to_string(i);
        ASSERT_TRUE(hash.insert(view(name), i / 40));
        names[name] = i / 40;
    }
    hash.finish_build();
    EXPECT_TRUE(hash.ready());
    EXPECT_EQ(hash.names(), 3000u);
    for (const auto& [name, logical] : names) EXPECT_TRUE(candidates(hash, name).count(logical)) << name;
    // Names never inserted mostly have no candidate at all.
    usize with_candidates = 0;
    for (u32 i = 0; i < 1000; ++i) with_candidates += !candidates(hash, "other-" + std::to_string(i)).empty();
    EXPECT_LE(with_candidates, 2u);
    // Removing every other name: the rest are still found, removed ones
    // are not candidates in their old block (unless another name there
    // shares the hash, which these do not).
    for (u32 i = 0; i < 3000; i += 2) hash.remove(view("file-" + std::to_string(i)), i / 40);
    EXPECT_EQ(hash.names(), 1500u);
    for (u32 i = 0; i < 3000; ++i) {
        const std::string name = "file-" + std::to_string(i);
        EXPECT_EQ(candidates(hash, name).count(i / 40), i % 2 ? 1u : 0u) << name;
    }
    // Removed slots are reused: inserting again does not run out of room.
    for (u32 i = 0; i < 3000; i += 2) ASSERT_TRUE(hash.insert(view("file-" + std::to_string(i)), 99));
    for (u32 i = 0; i < 3000; i += 2) EXPECT_TRUE(candidates(hash, "file-" + std::to_string(i)).count(99));
    hash.release();
    EXPECT_EQ(hash.state(), DirHash::State::Absent);
    EXPECT_EQ(ram.free_pages(), ram.free_at_start) << "the table's pages came back";
}

TEST(DirHash, TheSameNameInTwoBlocksGivesBothAsCandidates) {
    // A corrupt directory may hold a name twice: lookups must see both.
    Pages ram(1 * test::kMiB);
    DirHash hash;
    ASSERT_FALSE(hash.prepare(ram.pages(), 4096).is_error());
    ASSERT_TRUE(hash.insert("twice", 1));
    ASSERT_TRUE(hash.insert("twice", 5));
    EXPECT_EQ(candidates(hash, "twice"), (std::set<u32> {1, 5}));
    hash.remove("twice", 1);
    EXPECT_EQ(candidates(hash, "twice"), (std::set<u32> {5}));
}

TEST(DirHash, ATableTooFullRefusesTheInsertAndHugeDirectoriesAreNotIndexed) {
    Pages ram(4 * test::kMiB);
    DirHash hash;
    // A directory of 12 bytes has room for one name; the table has the
    // minimum 64 slots and takes 48 names (three quarters), no more.
    ASSERT_FALSE(hash.prepare(ram.pages(), 12).is_error());
    u32 taken = 0;
    while (taken < 1000 && hash.insert(view("n" + std::to_string(taken)), 0)) ++taken;
    EXPECT_EQ(taken, hash.slots() * 3 / 4);
    for (u32 i = 0; i < taken; ++i) EXPECT_TRUE(candidates(hash, "n" + std::to_string(i)).count(0));
    hash.release();
    // Past kMaxSlots: Unsupported, and nothing allocated.
    const u64 free_before = ram.free_pages();
    EXPECT_EQ(hash.prepare(ram.pages(), u64(DirHash::kMaxSlots) * 12).error(), Error::Unsupported);
    EXPECT_EQ(hash.state(), DirHash::State::Absent);
    EXPECT_EQ(ram.free_pages(), free_before);
}

}  // namespace
}  // namespace mote::fs::ext2
