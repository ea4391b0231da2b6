// Handle tables (proc/handle_table): install, look up with rights, close,
// forged and stale values, the per-process secret, counts and a full table.
#include <gtest/gtest.h>

#include <vector>

#include "proc/handle_table.hpp"
#include "proc/spawn_capability.hpp"
#include "support/test_object.hpp"

using namespace mote;
using mote::test::TestObject;


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
