// Rights through the syscall layer: dup can only drop rights, every call
// checks the right it needs, every refusal is an audit record naming the
// process, and spawn moves a handle its parent may not duplicate.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fs/initramfs.hpp"
#include "fs/open_node.hpp"
#include "support/channel_fixture.hpp"
#include "support/cpio_builder.hpp"

namespace mote::test {

using abi::Err;
using abi::Sys;

namespace {

// The newest audit record.
AuditRecord last_record(const AuditLog& log) {
    AuditRecord last;
    log.for_each([&](const AuditRecord& r) { last = r; });
    return last;
}

}  // namespace

class RightsTest : public ChannelTest {
protected:
    void SetUp() override {
        ChannelTest::SetUp();
        P = spawn_program("holder", {"holder"}).value();
        as(P->thread(), [&](Thread& t) {
            Ends ends = create_channel(t);
            a = ends.a;
            b = ends.b;
            return RunExit::Loop;
        });
    }

    // Checks that exactly one denial was appended since `denials_before`,
    // by P, for `syscall`, failing with `outcome`.
    void expect_denial(u64 denials_before, Sys syscall, Err outcome, u32 needed) {
        const AuditLog& log = processes.audit();
        EXPECT_EQ(log.denials(), denials_before + 1);
        AuditRecord r = last_record(log);
        EXPECT_EQ(r.action, AuditAction::Deny);
        EXPECT_EQ(r.pid, P->pid());
        EXPECT_EQ(r.syscall, u16(syscall));
        EXPECT_EQ(r.outcome, u8(outcome));
        EXPECT_EQ(r.rights_after, needed);
        EXPECT_EQ(std::string(r.program, 6), "holder");
    }

    Process* P = nullptr;
    abi::Handle a = 0, b = 0;
};

TEST_F(RightsTest, DupWithFewerRightsWorks) {
    as(P->thread(), [&](Thread& t) {
        u64 total = processes.audit().total();
        i64 weak = call(t, Sys::Dup, a, abi::kRightRead | abi::kRightWait);
        EXPECT_GT(weak, 0);
        EXPECT_NE(abi::Handle(weak), a);
        EXPECT_EQ(stat(t, abi::Handle(weak)).rights, u32(abi::kRightRead | abi::kRightWait));
        EXPECT_EQ(stat(t, a).rights, kChannelRights) << "the original keeps its rights";
        // A narrowing dup is on the record; it names the rights before and after.
        EXPECT_EQ(processes.audit().total(), total + 1);
        AuditRecord r = last_record(processes.audit());
        EXPECT_EQ(r.action, AuditAction::Dup);
        EXPECT_EQ(r.rights_before, kChannelRights);
        EXPECT_EQ(r.rights_after, u32(abi::kRightRead | abi::kRightWait));
        EXPECT_EQ(r.outcome, 0u);
        // The same rights again: a plain copy.
        i64 same = call(t, Sys::Dup, a, kChannelRights);
        EXPECT_GT(same, 0);
        EXPECT_EQ(stat(t, abi::Handle(same)).rights, kChannelRights);
        // No rights at all is still a handle (stat needs none).
        i64 none = call(t, Sys::Dup, a, 0);
        EXPECT_GT(none, 0);
        EXPECT_EQ(stat(t, abi::Handle(none)).rights, 0u);
        return RunExit::Loop;
    });
}

TEST_F(RightsTest, DupAskingForMoreIsDenied) {
    as(P->thread(), [&](Thread& t) {
        i64 weak = call(t, Sys::Dup, a, abi::kRightRead | abi::kRightDuplicate);
        EXPECT_GT(weak, 0);
        u32 used = P->handles().used();
        u64 denials = processes.audit().denials();
        u32 more = abi::kRightRead | abi::kRightWrite;
        EXPECT_EQ(call(t, Sys::Dup, weak, more), err(Err::AccessDenied));
        expect_denial(denials, Sys::Dup, Err::AccessDenied, more);
        EXPECT_EQ(last_record(processes.audit()).rights_before, u32(abi::kRightRead | abi::kRightDuplicate));
        // A right the original never had either.
        denials = processes.audit().denials();
        EXPECT_EQ(call(t, Sys::Dup, a, abi::kRightSignal), err(Err::AccessDenied));
        expect_denial(denials, Sys::Dup, Err::AccessDenied, abi::kRightSignal);
        // Bits outside the defined set are not rights at all.
        EXPECT_EQ(call(t, Sys::Dup, a, u64(abi::kRightsAll) + 1), err(Err::InvalidArgument));
        EXPECT_EQ(P->handles().used(), used) << "nothing installed";
        return RunExit::Loop;
    });
}

TEST_F(RightsTest, DupWithoutTheDuplicateRightIsDenied) {
    as(P->thread(), [&](Thread& t) {
        i64 fixed = call(t, Sys::Dup, a, abi::kRightRead | abi::kRightWrite);
        EXPECT_GT(fixed, 0);
        u64 denials = processes.audit().denials();
        EXPECT_EQ(call(t, Sys::Dup, fixed, abi::kRightRead), err(Err::AccessDenied)) << "even with fewer rights";
        expect_denial(denials, Sys::Dup, Err::AccessDenied, abi::kRightDuplicate);
        return RunExit::Loop;
    });
}

TEST_F(RightsTest, EachCallChecksItsRight) {
    as(P->thread(), [&](Thread& t) {
        i64 write_only = call(t, Sys::Dup, b, abi::kRightWrite);
        i64 read_only = call(t, Sys::Dup, a, abi::kRightRead);
        EXPECT_EQ(write(t, a, "data"), 4);
        u64 denials = processes.audit().denials();
        EXPECT_EQ(read(t, write_only, 4), err(Err::AccessDenied));
        expect_denial(denials, Sys::Read, Err::AccessDenied, abi::kRightRead);
        denials = processes.audit().denials();
        EXPECT_EQ(write(t, read_only, "x"), err(Err::AccessDenied));
        expect_denial(denials, Sys::Write, Err::AccessDenied, abi::kRightWrite);
        denials = processes.audit().denials();
        EXPECT_EQ(recv(t, write_only), err(Err::AccessDenied));
        expect_denial(denials, Sys::ChannelRecv, Err::AccessDenied, abi::kRightRead);
        denials = processes.audit().denials();
        EXPECT_EQ(send(t, read_only, "x"), err(Err::AccessDenied));
        expect_denial(denials, Sys::ChannelSend, Err::AccessDenied, abi::kRightWrite);
        denials = processes.audit().denials();
        EXPECT_EQ(poll(t, read_only, abi::kPollReadable, 0), err(Err::AccessDenied));
        expect_denial(denials, Sys::Poll, Err::AccessDenied, abi::kRightWait);
        // A forged value is a denial too, naming no object.
        denials = processes.audit().denials();
        EXPECT_EQ(read(t, 0x7777, 4), err(Err::BadHandle));
        expect_denial(denials, Sys::Read, Err::BadHandle, 0);
        EXPECT_EQ(last_record(processes.audit()).object_type, 0xffu);
        // The data is still there for a handle that may read it.
        EXPECT_EQ(read(t, b, 4), 4);
        EXPECT_EQ(read_bytes(*P, 4), "data");
        return RunExit::Loop;
    });
}

TEST_F(RightsTest, AuditRecordsNameTheObject) {
    as(P->thread(), [&](Thread& t) {
        i64 write_only = call(t, Sys::Dup, b, abi::kRightWrite);
        EXPECT_EQ(read(t, write_only, 1), err(Err::AccessDenied));
        AuditRecord r = last_record(processes.audit());
        EXPECT_EQ(r.object_type, u8(ObjectType::Channel));
        EXPECT_EQ(r.object_id, channels.stats().live ? only_channel()->end(1).id() : 0u);
        EXPECT_EQ(r.rights_before, u32(abi::kRightWrite));
        EXPECT_EQ(r.time, host.time);
        return RunExit::Loop;
    });
}

// --- spawn through the syscall, with a program from an initramfs --------------

class SpawnRightsTest : public RightsTest {
protected:
    void SetUp() override {
        RightsTest::SetUp();
        cpio_test::CpioBuilder builder;
        std::vector<u8> program = program_bytes();
        builder.file("bin/prog", std::string(program.begin(), program.end()), 0755);
        archive = builder.build();
        auto decoded = fs::CpioArchive::decode(ReadonlyBytes(archive.data(), archive.size()));
        ASSERT_TRUE(decoded.ok());
        slots.resize(fs::Initramfs::slots_needed(decoded.value()));
        auto built = fs::Initramfs::build(decoded.value(), Span<fs::InitramfsSlot>(slots.data(), slots.size()));
        ASSERT_TRUE(built.ok());
        root = &built.value().root();
        syscalls.set_files(&files);
        OpenNode* dir = files.open(*root, abi::kOpenRead | abi::kOpenDirectory).value();
        root_handle = P->handles().install(*dir, abi::kRightRead | abi::kRightExecute | abi::kRightDuplicate).value();
    }

    // spawn("bin/prog") from P's memory with `handles`.
    i64 spawn(Thread& t, std::vector<abi::Handle> handles, abi::Handle dir = abi::kNoHandle) {
        u64 base = scratch(*P);
        std::string path = "bin/prog";
        std::string argv("prog\0", 5);
        poke_string(*P, base + kSendBytes, path);
        poke_string(*P, base + kSendBytes + 0x100, argv);
        if (!handles.empty()) poke_from(*P, base + kSendHandles, handles.data(), handles.size() * sizeof(abi::Handle));
        abi::SpawnArgs args {};
        args.dir = dir ? dir : root_handle;
        args.path = base + kSendBytes;
        args.path_length = path.size();
        args.argv = base + kSendBytes + 0x100;
        args.argv_length = argv.size();
        args.argc = 1;
        args.handles = base + kSendHandles;
        args.handle_count = handles.size();
        poke(*P, base + kSendRequest, args);
        return call(t, Sys::Spawn, base + kSendRequest);
    }

    std::vector<u8> archive;
    std::vector<fs::InitramfsSlot> slots;
    fs::FsNode* root = nullptr;
    OpenNodeCache files {pages};
    abi::Handle root_handle = 0;
};

TEST_F(SpawnRightsTest, AHandleWithoutDuplicateMovesToTheChild) {
    as(P->thread(), [&](Thread& t) {
        i64 movable = call(t, Sys::Dup, b, abi::kRightRead | abi::kRightTransfer);
        EXPECT_GT(movable, 0);
        u64 total = processes.audit().total();
        i64 child_handle = spawn(t, {abi::Handle(movable), a});
        EXPECT_GT(child_handle, 0);
        if (child_handle <= 0) return RunExit::Loop;
        // Moved: the parent's value names nothing now. Copied: still there.
        EXPECT_EQ(read(t, abi::Handle(movable), 1), err(Err::BadHandle));
        EXPECT_EQ(stat(t, a).rights, kChannelRights);
        // Two inheritances on the record.
        EXPECT_GE(processes.audit().total(), total + 2);
        auto* child = static_cast<Process*>(P->handles().get(abi::Handle(child_handle)).value().object);
        EXPECT_EQ(child->handles().used(), 2u);
        std::vector<u32> rights;
        child->handles().for_each([&](abi::Handle, HandleRef held) { rights.push_back(held.rights); });
        std::sort(rights.begin(), rights.end());
        EXPECT_EQ(rights, (std::vector<u32> {abi::kRightRead | abi::kRightTransfer, kChannelRights}));
        EXPECT_EQ(stat(t, abi::Handle(child_handle)).rights, kProcessRights);
        return RunExit::Loop;
    });
}

TEST_F(SpawnRightsTest, AHandleWithoutTransferIsDeniedAndNothingSpawns) {
    as(P->thread(), [&](Thread& t) {
        i64 kept = call(t, Sys::Dup, b, abi::kRightRead | abi::kRightDuplicate);
        usize count = processes.count();
        u64 denials = processes.audit().denials();
        EXPECT_EQ(spawn(t, {a, abi::Handle(kept)}), err(Err::AccessDenied));
        expect_denial(denials, Sys::Spawn, Err::AccessDenied, abi::kRightTransfer);
        EXPECT_EQ(processes.count(), count);
        EXPECT_EQ(stat(t, abi::Handle(kept)).rights, u32(abi::kRightRead | abi::kRightDuplicate));
        // Without Execute on the directory, no program runs from it.
        i64 no_exec = call(t, Sys::Dup, root_handle, abi::kRightRead);
        EXPECT_GT(no_exec, 0);
        denials = processes.audit().denials();
        EXPECT_EQ(spawn(t, {a}, abi::Handle(no_exec)), err(Err::AccessDenied));
        expect_denial(denials, Sys::Spawn, Err::AccessDenied, abi::kRightRead | abi::kRightExecute);
        EXPECT_EQ(processes.count(), count);
        return RunExit::Loop;
    });
}

}  // namespace mote::test
