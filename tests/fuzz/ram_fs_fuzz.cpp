// Runs arbitrary bytes as a program of operations on a small RamFs (tight
// byte and node budgets, so NoSpace is common): create, mkdir, symlink,
// unlink/rmdir, rename, link, write and truncate at offsets that reach every
// page-map level, set_times, holding and dropping references (unlinked but
// open nodes), and walks of arbitrary paths with symlinks followed or not.
//
// After every operation the whole tree is checked against what the
// filesystem must keep true: entries sorted and found again by lookup, link
// counts (a file's names counted across the tree; a directory's 2 plus its
// subdirectories), a node count that matches the nodes reachable or held,
// a byte count within the budget, and sizes that reads agree with. At the
// end every reference is dropped, the RamFs destroyed, and every page must
// be back in the allocator. A crash, a sanitizer report or a VERIFY failure
// is a bug. Seeds: seeds/ram_fs_fuzz (tests/fuzz/make_ram_fs_seeds.py).
#include <stddef.h>
#include <stdint.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/verify.hpp"
#include "fs/ram_fs.hpp"
#include "../unit/support/fake_ram.hpp"
#include "../unit/support/fs_sync.hpp"

using namespace mote;
using namespace mote::fs;
using namespace mote::test;

namespace {

class Input {
public:
    Input(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}
    bool done() const { return m_at >= m_size; }
    u8 byte() { return m_at < m_size ? m_data[m_at++] : 0; }
    u16 word() { return u16(byte() | (byte() << 8)); }

private:
    const uint8_t* m_data;
    size_t m_size;
    size_t m_at = 0;
};

const char* const kNames[] = {"a", "b", "c", "d", "long-name-" "0123456789", "e"};
const char* const kDirs[] = {".", "a", "b", "a/b", "a/c", "b/a", "c"};
const char* const kTargets[] = {"a", "b/a", "..", "../..", "a/../b", "/abs", "c", "a/b/c/d", ".", "d"};

char g_scratch[kWalkScratchBytes];

Result<NodeRef> walk_path(FsNode& root, StringView path, bool follow = true) {
    return walk_now(root, path, nullptr,
                    WalkOptions {.mode = WalkMode::Any, .follow_last = follow, .scratch = Span<char>(g_scratch, sizeof g_scratch)});
}

FsNode* directory(FsNode& root, Input& in, NodeRef& holder) {
    auto found = walk_path(root, kDirs[in.byte() % (sizeof kDirs / sizeof *kDirs)]);
    if (found.is_error() || !found.value()->is_directory()) return nullptr;
    holder = found.release_value();
    return holder.get();
}

const char* name(Input& in) { return kNames[in.byte() % (sizeof kNames / sizeof *kNames)]; }

u64 offset(Input& in) {
    // Small, near a page boundary, or at a page-map level boundary.
    static const u64 bases[] = {0, 1, kPageSize - 1, kPageSize, 11 * kPageSize, 12 * kPageSize, 524 * kPageSize,
                                525 * kPageSize, (PageMap::kMaxPages - 1) * kPageSize};
    u8 pick = in.byte();
    return bases[pick % (sizeof bases / sizeof *bases)] + (pick >> 4) * 37;
}

// The whole-tree invariants; returns the reachable nodes.
void check_tree(RamFs& fs, std::set<FsNode*>& reachable, std::map<FsNode*, u32>& names) {
    std::vector<FsNode*> stack = {&fs.root()};
    reachable.insert(&fs.root());
    names[&fs.root()] = 1;
    while (!stack.empty()) {
        FsNode* dir = stack.back();
        stack.pop_back();
        u32 subdirs = 0;
        std::string previous;
        bool first = true;
        for (u64 i = 0;; ++i) {
            DirEntry entry;
            auto more = read_dir_now(*dir, i, entry);
            VERIFY(more.ok());
            if (!more.value()) {
                VERIFY(dir->stat().size == i);
                break;
            }
            std::string entry_name(entry.name().data(), entry.name().length());
            VERIFY(first || previous < entry_name);
            first = false;
            previous = entry_name;
            auto child = lookup_now(*dir, entry.name());
            VERIFY(child.ok());
            FsNode* node = child.value().get();
            Stat stat = node->stat();
            VERIFY(stat.inode == entry.inode && stat.type == entry.type);
            VERIFY(node->filesystem() == &fs);
            ++names[node];
            if (stat.type == NodeType::Directory) {
                ++subdirs;
                VERIFY(!reachable.count(node));  // a directory has one name
                stack.push_back(node);
            }
            reachable.insert(node);
        }
        VERIFY(dir->stat().links == 2 + subdirs);
    }
    for (auto& [node, count] : names) {
        Stat stat = node->stat();
        if (stat.type != NodeType::Directory) VERIFY(stat.links == count);
        if (stat.type == NodeType::Directory) continue;
        // Sizes agree with reads: the last bytes are there, nothing beyond.
        u8 buffer[16];
        if (stat.size) {
            u64 at = stat.size > sizeof buffer ? stat.size - sizeof buffer : 0;
            auto n = read_now(*node, at, Span<u8>(buffer, sizeof buffer));
            VERIFY(n.ok() && n.value() == stat.size - at);
        }
        auto past = read_now(*node, stat.size, Span<u8>(buffer, sizeof buffer));
        VERIFY(past.ok() && past.value() == 0);
        if (stat.type == NodeType::Symlink) VERIFY(stat.size >= 1 && stat.size <= RamNode::kMaxTarget);
    }
    VERIFY(fs.bytes_used() <= fs.limits().bytes);
    VERIFY(fs.nodes_used() <= fs.limits().nodes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static FakeRam ram(4 << 20);
    static PageAllocator pages;
    static bool ready = false;
    static PageAllocatorStats before;
    if (!ready) {
        PhysRange range = ram.range(0, ram.size());
        VERIFY(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
        before = pages.stats();
        ready = true;
    }
    Input in(data, size);
    u64 byte_limit = (8 + in.byte() % 64) * kPageSize;
    u64 node_limit = 2 + in.byte() % 40;
    alignas(RamFs) static u8 storage[sizeof(RamFs)];
    auto* fs = new (storage) RamFs(pages, {.bytes = byte_limit, .nodes = node_limit});
    FsNode& root = fs->root();
    {
        NodeRef held[8];
        for (int step = 0; step < 200 && !in.done(); ++step) {
            u8 op = in.byte() % 13;
            {
            NodeRef dir_holder, other_holder;  // gone before the check below
            switch (op) {
            case 0: {
                if (FsNode* dir = directory(root, in, dir_holder)) (void)create_now(*dir, name(in));
                break;
            }
            case 1: {
                if (FsNode* dir = directory(root, in, dir_holder)) (void)mkdir_now(*dir, name(in));
                break;
            }
            case 2: {
                if (FsNode* dir = directory(root, in, dir_holder))
                    (void)symlink_now(*dir, name(in), kTargets[in.byte() % (sizeof kTargets / sizeof *kTargets)]);
                break;
            }
            case 3: {
                if (FsNode* dir = directory(root, in, dir_holder)) (void)unlink_now(*dir, name(in), in.byte() & 1);
                break;
            }
            case 4: {
                FsNode* from = directory(root, in, dir_holder);
                FsNode* to = directory(root, in, other_holder);
                const char* a = name(in);
                const char* b = name(in);
                if (from && to) (void)rename_now(*from, a, *to, b);
                break;
            }
            case 5: {
                FsNode* from = directory(root, in, dir_holder);
                FsNode* to = directory(root, in, other_holder);
                const char* a = name(in);
                const char* b = name(in);
                if (!from || !to) break;
                auto source = lookup_now(*from, a);
                if (source.ok()) (void)link_now(*to, b, *source.value());
                break;
            }
            case 6: case 7: case 11: case 12: {
                // On a held node or one found by a path.
                u8 which = in.byte();
                NodeRef target;
                if (which & 0x80) {
                    target = NodeRef(held[which % 8]);
                } else if (FsNode* dir = directory(root, in, dir_holder)) {
                    auto found = lookup_now(*dir, name(in));
                    if (found.ok()) target = found.release_value();
                }
                if (!target) break;
                if (op == 6) {
                    u8 bytes[300];
                    u16 length = in.word() % sizeof bytes;
                    for (u16 i = 0; i < length; ++i) bytes[i] = u8(i * 13 + step);
                    u64 at = offset(in);
                    u64 size = target->stat().size;
                    auto wrote = write_now(*target, at, ReadonlyBytes(bytes, length));
                    if (wrote.ok()) {
                        VERIFY(wrote.value() <= length);
                        if (wrote.value()) VERIFY(target->stat().size == max(size, at + wrote.value()));
                        u8 back[300];
                        auto got = read_now(*target, at, Span<u8>(back, wrote.value()));
                        VERIFY(got.ok() && got.value() == wrote.value());
                        for (usize i = 0; i < wrote.value(); ++i) VERIFY(back[i] == bytes[i]);
                    }
                } else if (op == 7) {
                    u64 to = offset(in);
                    if (truncate_now(*target, to).ok()) VERIFY(target->stat().size == to);
                } else if (op == 11) {
                    (void)set_times_now(*target, in.byte(), in.byte() & 1 ? mote::abi::kTimeOmit : 5);
                } else {
                    u8 buffer[64];
                    (void)read_now(*target, offset(in), Span<u8>(buffer, sizeof buffer));
                }
                break;
            }
            case 8: {
                u8 slot = in.byte() % 8;
                auto found = walk_path(root, kDirs[in.byte() % (sizeof kDirs / sizeof *kDirs)]);
                if (found.ok()) {
                    auto child = lookup_now(*found.value(), name(in));
                    if (child.ok()) held[slot] = child.release_value();
                }
                break;
            }
            case 9: {
                held[in.byte() % 8].reset();
                break;
            }
            case 10: {
                // An arbitrary path.
                char path[24];
                u8 length = in.byte() % sizeof path;
                for (u8 i = 0; i < length; ++i) {
                    u8 c = in.byte();
                    path[i] = "abcd/.-e"[c % 8];
                }
                bool follow = in.byte() & 1;
                WalkFault fault = WalkFault::None;
                auto found = walk_now(root, StringView(path, length), &fault,
                                      WalkOptions {.mode = WalkMode::Any, .follow_last = follow,
                                                   .scratch = Span<char>(g_scratch, sizeof g_scratch)});
                VERIFY(found.ok() == (fault == WalkFault::None));
                if (found.ok()) VERIFY(found.value()->filesystem() == fs);
                break;
            }
            }
            }
            std::set<FsNode*> reachable;
            std::map<FsNode*, u32> names;
            check_tree(*fs, reachable, names);
            // Every node is reachable, or held and unlinked.
            std::set<FsNode*> all = reachable;
            for (NodeRef& ref : held)
                if (ref) {
                    if (!reachable.count(ref.get())) VERIFY(ref->stat().links == 0);
                    all.insert(ref.get());
                }
            VERIFY(fs->nodes_used() == all.size());
        }
    }
    fs->~RamFs();
    VERIFY(same_free_state(pages.stats(), before));
    return 0;
}
