// Decodes arbitrary bytes as a newc cpio archive and, when the decoder
// accepts them, does what boot does and more: builds the initramfs tree,
// walks every entry's path and a few tricky ones, stats and reads every
// node at several offsets, lists every directory. decode() promises that an
// accepted archive describes a tree (no duplicates, nothing below a file),
// so a build that runs out of slots, a walk that cannot find an entry, or
// any crash, sanitizer report or VERIFY failure is a bug.
//
// The archive is decoded from an unaligned copy to catch any read that
// assumes alignment. Seeds: seeds/cpio_fuzz (tests/fuzz/make_cpio_seeds.py).
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/verify.hpp"
#include "fs/initramfs.hpp"
#include "fs/walk.hpp"
#include "../unit/support/fs_sync.hpp"

using namespace mote;
using namespace mote::fs;
using namespace mote::test;

namespace {

volatile usize g_sink;

void read_all(FsNode& node, usize& sink) {
    const Stat st = node.stat();
    VERIFY(st.inode != 0);
    VERIFY(st.mode <= 07777);
    u8 buffer[64];
    if (st.type == NodeType::File) {
        u64 total = 0;
        while (true) {
            auto n = read_now(node, total, Span<u8>(buffer, sizeof buffer));
            VERIFY(n.ok());
            if (n.value() == 0) break;
            for (usize i = 0; i < n.value(); ++i) sink += buffer[i];
            total += n.value();
        }
        VERIFY(total == st.size);
        VERIFY(read_now(node, st.size + 1, Span<u8>(buffer, sizeof buffer)).value() == 0);
        VERIFY(read_now(node, ~u64(0), Span<u8>(buffer, sizeof buffer)).value() == 0);
        DirEntry entry;
        VERIFY(read_dir_now(node, 0, entry).error() == Error::BadState);
    } else {
        VERIFY(st.type == NodeType::Directory);
        VERIFY(read_now(node, 0, Span<u8>(buffer, sizeof buffer)).error() == Error::BadState);
        DirEntry entry;
        for (u64 i = 0;; ++i) {
            auto more = read_dir_now(node, i, entry);
            VERIFY(more.ok());
            if (!more.value()) break;
            // Every listed name finds its node again, of the listed type.
            auto child = lookup_now(node, entry.name());
            VERIFY(child.ok());
            VERIFY(child.value()->stat().inode == entry.inode);
            VERIFY(child.value()->stat().type == entry.type);
            VERIFY(static_cast<InitramfsNode*>(child.value().get())->parent() == &static_cast<InitramfsNode&>(node));
            sink += entry.name_length;
        }
    }
    VERIFY(write_now(node, 0, Span<const u8>(buffer, 1)).error() == Error::ReadOnly);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    uint8_t* copy = static_cast<uint8_t*>(malloc(size + 1));
    if (!copy) return 0;
    if (size) memcpy(copy + 1, data, size);
    const ReadonlyBytes bytes(copy + 1, size);

    CpioFault fault = CpioFault::TooManyEntries;
    auto archive = CpioArchive::decode(bytes, &fault);
    VERIFY(archive.ok() == (fault == CpioFault::None));
    VERIFY(cpio_fault_name(fault) != nullptr);
    if (archive.is_error()) {
        VERIFY(archive.error() == Error::Malformed);
        free(copy);
        return 0;
    }
    const CpioArchive& cpio = archive.value();
    VERIFY(cpio.used_size() <= size);

    usize sink = 0;
    usize entries = 0;
    for (const CpioEntry& entry : cpio) {
        ++entries;
        VERIFY(entry.data.empty() || (entry.data.data() >= bytes.data() &&
                                      entry.data.data() + entry.data.size() <= bytes.data() + size));
        VERIFY(!entry.is_directory() || entry.data.empty());
    }
    VERIFY(entries == cpio.entry_count());
    VERIFY(cpio.path_count() >= entries);

    // Exactly slots_needed() slots: the build must neither need more nor fail.
    const usize slot_count = Initramfs::slots_needed(cpio);
    auto* slots = static_cast<InitramfsSlot*>(malloc(slot_count * sizeof(InitramfsSlot)));
    VERIFY(slots != nullptr);
    if (slot_count > 1) VERIFY(Initramfs::build(cpio, Span<InitramfsSlot>(slots, slot_count - 1)).is_error());
    auto built = Initramfs::build(cpio, Span<InitramfsSlot>(slots, slot_count));
    VERIFY(built.ok());
    InitramfsNode& root = built.value().root();
    VERIFY(built.value().node_count() == slot_count);

    // Every entry is found by its path, with its data and permissions.
    for (const CpioEntry& entry : cpio) {
        WalkFault walk_fault = WalkFault::None;
        auto node = walk_now(root, entry.path, &walk_fault);
        VERIFY(node.ok());
        const Stat st = node.value()->stat();
        VERIFY(st.mode == entry.permissions());
        VERIFY(st.type == (entry.is_directory() ? NodeType::Directory : NodeType::File));
        if (!entry.is_directory()) {
            VERIFY(st.size == entry.size());
            VERIFY(static_cast<InitramfsNode*>(node.value().get())->data().data() == entry.data.data());
        }
    }
    // Every node (by slot), and paths that probe the walk's rules.
    for (usize i = 0; i < slot_count; ++i) read_all(*reinterpret_cast<InitramfsNode*>(slots[i].bytes), sink);
    static const char* const kPaths[] = {".", "..", "bin", "bin/sh", "bin/../etc", "bin/..", "./bin//sh/",
                                         "a/b/c", "a/../..", "/bin", "", "init", "etc/motd", "x/./y/../z"};
    for (const char* path : kPaths) {
        WalkFault walk_fault = WalkFault::None;
        auto node = walk_now(root, path, &walk_fault);
        VERIFY(node.ok() == (walk_fault == WalkFault::None));
        VERIFY(walk_fault_name(walk_fault) != nullptr);
        if (node.ok()) sink += node.value()->stat().inode;
    }

    g_sink = sink;
    free(slots);
    free(copy);
    return 0;
}
