// The crash matrix (CrashMonkey-style) for ext3: workloads of up to three
// operations (create+write, append, fsync, rename, rename over a file,
// unlink, mkdir, link, truncate) run on a mounted mke2fs -t ext3 image over
// a recording device; then every crash state the recorder can build (each
// flush, each subset of the writes in flight after it, torn sectors) is
// mounted with Mote (journal replay), and:
//   * the mount succeeds and the image then passes e2fsck -fn;
//   * every file fsync'd before the crash (and not touched after) has its
//     name and its data.
// ./mote test runs a bounded matrix (MOTE_CRASH_STATES, default 300 states
// in all); ./mote bench fs runs it whole (MOTE_CRASH_STATES=0: no bound)
// and reports the count.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <string>

#include "support/crash_recorder.hpp"
#include "support/ext2_fs_fixture.hpp"

namespace mote {
namespace {

using namespace mote::ext2_test;

std::string content(usize size, u32 seed) {
    std::string out(size, '\0');
    for (auto& c : out) {
        seed = seed * 1103515245 + 12345;
        c = char('a' + (seed >> 16) % 26);
    }
    return out;
}

// What the workload promised: after `flushes` device flushes, `path` holds
// `data` (fsync returned).
struct Promise {
    usize flushes;
    std::string path;
    std::string data;
};

class Ext2Crash : public ::testing::Test, public Ext2FsFixture {
protected:
    void SetUp() override {
        if (!have_e2fsprogs()) GTEST_SKIP() << "e2fsprogs not installed";
        const stdfs::path tree = dir.path() / "tree";
        stdfs::create_directories(tree / "d");
        put(tree / "a", content(2000, 1));
        put(tree / "b", content(1500, 2));
        put(tree / "d" / "x", content(700, 3));
        const std::string image = (dir.path() / "base.img").string();
        ASSERT_EQ(ext2_test::run("truncate -s 8M " + quote(image) + " && mke2fs -q -F -t ext3 -b 1024 -d " +
                      quote(tree.string()) + " " + quote(image))
                      .status,
                  0);
        base = read_file(image);
        const char* budget = std::getenv("MOTE_CRASH_STATES");
        if (budget) state_budget = std::strtoull(budget, nullptr, 10);
    }
    static void put(const stdfs::path& path, const std::string& text) {
        std::ofstream out(path, std::ios::binary);
        out << text;
    }

    // ---- the operations (each on the mounted `fs`), keeping `model` (what
    // each path holds) up to date and `touched` (paths changed since their
    // last fsync).
    using Op = std::function<void(Ext2Crash&)>;

    NodeRef node(const std::string& path) { return must_walk(path); }
    void set(const std::string& path, std::string data) {
        model[path] = std::move(data);
        touched.insert(path);
    }

    static void op_create(Ext2Crash& t) {
        NodeRef r = t.root();
        NodeRef f = t.must_create(*r, "new", NodeType::File);
        const std::string data = content(3000, 9);
        ASSERT_FALSE(t.write(*f, 0, data).is_error());
        t.set("new", data);
    }
    static void op_append(Ext2Crash& t) {
        NodeRef a = t.node("a");
        const std::string more = content(2500, 10);
        ASSERT_FALSE(t.write(*a, t.model["a"].size(), more).is_error());
        t.set("a", t.model["a"] + more);
    }
    static void op_rename(Ext2Crash& t) {
        NodeRef r = t.root();
        ASSERT_FALSE(t.go(r->rename("a", *t.node("d"), "a2")).is_error());
        t.set("d/a2", t.model["a"]);
        t.model.erase("a");
        t.touched.insert("a");
    }
    static void op_rename_over(Ext2Crash& t) {
        NodeRef r = t.root();
        ASSERT_FALSE(t.go(r->rename("b", *r, "a")).is_error());
        t.set("a", t.model["b"]);
        t.model.erase("b");
        t.touched.insert("b");
    }
    static void op_unlink(Ext2Crash& t) {
        NodeRef r = t.root();
        ASSERT_FALSE(t.go(r->unlink("b", false)).is_error());
        t.model.erase("b");
        t.touched.insert("b");
    }
    static void op_mkdir(Ext2Crash& t) {
        NodeRef r = t.root();
        NodeRef e = t.must_create(*r, "e", NodeType::Directory);
        NodeRef f = t.must_create(*e, "f", NodeType::File);
        ASSERT_FALSE(t.write(*f, 0, "in e").is_error());
        t.set("e/f", "in e");
    }
    static void op_link(Ext2Crash& t) {
        NodeRef r = t.root();
        ASSERT_FALSE(t.go(r->link("hl", *t.node("d/x"))).is_error());
        t.set("hl", t.model["d/x"]);
    }
    static void op_truncate(Ext2Crash& t) {
        ASSERT_FALSE(t.go(t.node("a")->truncate(100)).is_error());
        t.set("a", t.model["a"].substr(0, 100));
    }
    // fsync of every path changed since the last one: each is promised from
    // the flush count at which the fsync returned.
    static void op_fsync(Ext2Crash& t) {
        for (const std::string& path : t.touched) {
            auto it = t.model.find(path);
            if (it == t.model.end()) continue;
            ASSERT_FALSE(t.go(t.node(path)->sync()).is_error()) << path;
        }
        for (const std::string& path : t.touched) {
            auto it = t.model.find(path);
            // A promise on a path holds until a later operation changes it.
            t.promises.erase(std::remove_if(t.promises.begin(), t.promises.end(),
                                            [&](const Promise& p) { return p.path == path; }),
                             t.promises.end());
            if (it != t.model.end()) t.promises.push_back({t.recorder->flushes(), path, it->second});
        }
        t.touched.clear();
    }

    // Runs `ops` on a fresh mount over a recorder, unmounts, then checks
    // crash states (at most `limit`). Returns how many were checked.
    usize run_workload(const std::vector<std::pair<const char*, Op>>& ops, usize limit) {
        std::string name;
        for (auto& [op_name, _] : ops) name += std::string(name.empty() ? "" : "+") + op_name;
        model = {{"a", content(2000, 1)}, {"b", content(1500, 2)}, {"d/x", content(700, 3)}};
        touched.clear();
        promises.clear();
        // The original files are durable from the start.
        for (auto& [path, data] : model) promises.push_back({0, path, data});

        recorder.emplace(loop, base);
        recorder->delay_writes = true;
        auto mounted = go(Ext2Fs::mount(*recorder, loop, pages, {}));
        EXPECT_FALSE(mounted.is_error()) << name;
        if (mounted.is_error()) return 0;
        fs = mounted.value();
        for (auto& [op_name, op] : ops) {
            op(*this);
            // Any later operation may be in a crash image, so an fsync promise
            // made before it on a path it touches no longer binds.
            for (auto& path : touched)
                promises.erase(std::remove_if(promises.begin(), promises.end(),
                                              [&](const Promise& p) { return p.path == path; }),
                               promises.end());
        }
        auto done = go(fs->unmount());
        EXPECT_FALSE(done.is_error()) << name;
        fs = nullptr;

        // The whole matrix (no budget) enumerates more per flush window.
        test::CrashOptions options;
        options.exhaustive_limit = limit ? 64 : 512;
        options.samples = limit ? 16 : 48;
        options.max_tears = limit ? 1 : 2;
        usize checked = 0;
        const std::string image_path = (dir.path() / "state.img").string();
        const std::vector<Promise> kept = promises;
        // Under a budget, states spread evenly over the whole workload (the
        // first ones are only the mount's own writes).
        const usize all = test::enumerate_crash_states(recorder->base(), recorder->events(), options,
                                                       [](const std::vector<u8>&, const test::CrashState&) { return true; });
        if (std::getenv("MOTE_CRASH_COUNT_ONLY")) return all;
        const usize stride = limit && all > limit ? (all + limit - 1) / limit : 1;
        usize index = 0;
        test::enumerate_crash_states(
            recorder->base(), recorder->events(), options, [&](const std::vector<u8>& image, const test::CrashState& state) {
                if (index++ % stride != 0 && index != all) return true;
                ++checked;
                check_state(name, image, state, kept, image_path);
                return !HasFatalFailure();
            });
        recorder.reset();
        return checked;
    }

    void check_state(const std::string& workload, const std::vector<u8>& image, const test::CrashState& state,
                     const std::vector<Promise>& kept, const std::string& image_path) {
        const std::string where = workload + " " + state.describe();
        load(image);
        auto mounted = try_mount();
        ASSERT_FALSE(mounted.is_error()) << where << ": mount: " << error_name(mounted.error());
        fs = mounted.value();
        for (const Promise& p : kept) {
            if (p.flushes > state.flushes) continue;
            auto n = walk(StringView(p.path.data(), p.path.size()));
            ASSERT_FALSE(n.is_error()) << where << ": fsync'd " << p.path << " is missing";
            auto data = try_read_all(*n.value());
            ASSERT_FALSE(data.is_error()) << where << ": " << p.path;
            EXPECT_TRUE(data.value() == p.data) << where << ": fsync'd " << p.path << " has other data ("
                                                << data.value().size() << " bytes, want " << p.data.size() << ")";
        }
        auto done = go(fs->unmount());
        fs = nullptr;
        ASSERT_FALSE(done.is_error()) << where << ": unmount";
        save(image_path);
        Command fsck = ext2_test::run("e2fsck -fn " + quote(image_path) + " 2>&1");
        EXPECT_EQ(fsck.status, 0) << where << "\n" << fsck.out;
    }

    TempDir dir;
    std::vector<u8> base;
    u64 state_budget = 300;
    std::optional<test::CrashRecorder> recorder;
    std::map<std::string, std::string> model;
    std::set<std::string> touched;
    std::vector<Promise> promises;
};

TEST_F(Ext2Crash, EveryCrashStateOfEveryWorkloadMountsCleanAndKeepsWhatWasFsynced) {
    const std::vector<std::pair<const char*, Op>> ops = {
        {"create", op_create}, {"append", op_append},   {"rename", op_rename}, {"rename_over", op_rename_over},
        {"unlink", op_unlink}, {"mkdir", op_mkdir},     {"link", op_link},     {"truncate", op_truncate},
    };
    const std::pair<const char*, Op> fsync = {"fsync", op_fsync};
    // Workloads: each op alone then fsync; each ordered pair with an fsync
    // between and after; each pair then fsync then a third op unsynced.
    std::vector<std::vector<std::pair<const char*, Op>>> workloads;
    for (auto& a : ops) workloads.push_back({a, fsync});
    for (auto& a : ops)
        for (auto& b : ops)
            if (&a != &b) workloads.push_back({a, fsync, b, fsync});
    for (usize i = 0; i < ops.size(); ++i)
        workloads.push_back({ops[i], ops[(i + 1) % ops.size()], fsync, ops[(i + 3) % ops.size()]});

    // The budget is spread over the workloads (at least a few states each).
    const usize per = state_budget ? std::max<usize>(4, state_budget / workloads.size()) : 0;
    usize total = 0;
    // MOTE_CRASH_SHARD=i/n: only every n-th workload from the i-th (the
    // bench runs the whole matrix as parallel shards).
    usize shard = 0, shards = 1;
    if (const char* spec = std::getenv("MOTE_CRASH_SHARD")) std::sscanf(spec, "%zu/%zu", &shard, &shards);
    usize number = 0;
    for (auto& w : workloads) {
        if (number++ % shards != shard) continue;
        // Ops that need what an earlier op removed are skipped.
        bool ok = true;
        std::set<std::string> gone;
        for (auto& [name, _] : w) {
            const std::string n = name;
            if ((n == "append" || n == "rename" || n == "truncate") && (gone.count("a"))) ok = false;
            if ((n == "unlink" || n == "rename_over") && gone.count("b")) ok = false;
            if (n == "rename") gone.insert("a");
            if (n == "unlink" || n == "rename_over") gone.insert("b");
            if (n == "create" && gone.count("new")) ok = false;
            if (n == "create") gone.insert("new");
            if (n == "mkdir" && gone.count("e")) ok = false;
            if (n == "mkdir") gone.insert("e");
            if (n == "link" && gone.count("hl")) ok = false;
            if (n == "link") gone.insert("hl");
        }
        if (!ok) continue;
        total += run_workload(w, per);
        if (HasFatalFailure()) break;
    }
    std::printf("CRASH-MATRIX workloads=%zu shard=%zu/%zu states=%zu failures=%d\n", workloads.size(), shard, shards, total,
                HasFailure() ? 1 : 0);
    EXPECT_GT(total, 100u);
}

}  // namespace
}  // namespace mote
