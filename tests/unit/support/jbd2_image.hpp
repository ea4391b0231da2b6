// Helpers of the jbd2 tests (jbd2_*_test.cpp): running e2fsprogs in a
// temporary directory, an ext2/3/4 image held in memory, the journal
// inode's block map as debugfs reports it, big-endian field writers for
// hand-made blocks (independent of the kernel's encoders), and a driver
// that runs Recovery over an image the way the kernel will: read journal
// blocks through the map, copy replayed blocks home.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include "base/crc32c.hpp"
#include "fs/jbd2/journal_superblock.hpp"
#include "fs/jbd2/recovery.hpp"

namespace mote::jbd2_test {

using namespace mote;
using namespace mote::fs::jbd2;

// ---------------------------------------------------------------------------
// Tools and files.

// Runs `command` through the shell; its output (stdout and stderr) goes to
// `output` if given. Returns the exit status.
inline int run(const std::string& command, std::string* output = nullptr) {
    std::FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return -1;
    std::string text;
    char chunk[4096];
    usize n;
    while ((n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0) text.append(chunk, n);
    const int status = pclose(pipe);
    if (output) *output = text;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline bool have_e2fsprogs() {
    return run("command -v mke2fs && command -v debugfs && command -v e2fsck && command -v dumpe2fs") == 0;
}

class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "mote-jbd2-XXXXXX").string();
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back(0);
        const char* made = mkdtemp(buffer.data());
        EXPECT_NE(made, nullptr);
        m_path = made ? made : "";
    }
    ~TempDir() {
        std::error_code ignored;
        if (!m_path.empty()) std::filesystem::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

inline std::vector<u8> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    std::vector<u8> bytes(in ? usize(in.tellg()) : 0);
    in.seekg(0);
    in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(bytes.size()));
    return bytes;
}

inline void write_file(const std::string& path, const std::vector<u8>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// ---------------------------------------------------------------------------
// Hand-made fields: big-endian, at literal offsets from the format.

inline void put_be16(u8* p, u32 v) {
    p[0] = u8(v >> 8);
    p[1] = u8(v);
}
inline void put_be32(u8* p, u32 v) {
    p[0] = u8(v >> 24);
    p[1] = u8(v >> 16);
    p[2] = u8(v >> 8);
    p[3] = u8(v);
}
inline void put_be64(u8* p, u64 v) {
    put_be32(p, u32(v >> 32));
    put_be32(p + 4, u32(v));
}
inline u32 get_be32(const u8* p) { return u32(p[0]) << 24 | u32(p[1]) << 16 | u32(p[2]) << 8 | p[3]; }
inline u32 get_le32(const u8* p) { return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24; }

// ---------------------------------------------------------------------------
// An ext2/3/4 image in memory.

struct Image {
    std::string path;
    std::vector<u8> bytes;
    u32 block_size = 0;

    explicit Image(std::string file) : path(std::move(file)) { load(); }
    void load() {
        bytes = read_file(path);
        // s_log_block_size: the block size is 1024 << it.
        block_size = bytes.size() >= 2048 ? 1024u << get_le32(bytes.data() + 1024 + 24) : 0;
    }
    void save() const { write_file(path, bytes); }
    u64 block_count() const { return block_size ? bytes.size() / block_size : 0; }
    // The block that holds the filesystem superblock (byte 1024).
    u64 superblock_block() const { return 1024 / block_size; }
    u8* block(u64 n) { return bytes.data() + n * block_size; }
    const u8* block(u64 n) const { return bytes.data() + n * block_size; }
    ReadonlyBytes view(u64 n) const { return ReadonlyBytes(block(n), block_size); }
    std::vector<u8> copy(u64 n) const { return std::vector<u8>(block(n), block(n) + block_size); }
};

// Physical blocks of the journal (inode 8), in file order: debugfs's
// "stat <8>" lists runs like "(0-11):562-573" and metadata like "(IND):574",
// which are not journal blocks.
inline std::vector<u64> journal_map(const std::string& image) {
    std::string out;
    EXPECT_EQ(run("debugfs -R 'stat <8>' '" + image + "'", &out), 0) << out;
    std::vector<u64> map;
    const std::regex run_re(R"(\((\d+)(?:-(\d+))?\):(\d+)(?:-(\d+))?)");
    for (auto it = std::sregex_iterator(out.begin(), out.end(), run_re); it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        const u64 logical = std::stoull(m[1]);
        const u64 logical_end = m[2].matched ? std::stoull(m[2]) : logical;
        const u64 physical = std::stoull(m[3]);
        EXPECT_EQ(logical, map.size()) << "journal runs out of order";
        for (u64 i = 0; i <= logical_end - logical; ++i) map.push_back(physical + i);
    }
    return map;
}

// The ext2 superblock's block count (64-bit when the 64bit feature is on).
inline u64 fs_block_count(const Image& image) {
    const u8* sb = image.bytes.data() + 1024;
    u64 count = get_le32(sb + 0x04);
    if (get_le32(sb + 0x60) & 0x80) count |= u64(get_le32(sb + 0x150)) << 32;
    return count;
}

// ---------------------------------------------------------------------------
// Recovery over an image.

struct Replayed {
    bool ok = false;
    Error error = Error::BadState;
    Jbd2Fault fault = Jbd2Fault::None;
    RecoveryOutcome outcome;
    std::vector<std::pair<u64, u32>> replays;  // (home block, journal block), in order
    usize steps = 0;
};

// Decodes the journal superblock, runs Recovery to the end, copies every
// Replay into `image` (restoring escaped magic) and, when done, writes the
// outcome's state into the journal superblock. `image` is changed in
// memory only.
inline Replayed recover_image(Image& image, const std::vector<u64>& map, usize revoke_capacity = 4096) {
    Replayed result;
    Jbd2Fault fault = Jbd2Fault::None;
    auto sb = JournalSuperblock::decode(image.view(map.at(0)), image.block_size, map.size(), &fault);
    EXPECT_TRUE(sb.ok()) << jbd2_fault_name(fault);
    if (sb.is_error()) {
        result.fault = fault;
        result.error = sb.error();
        return result;
    }
    std::vector<RevokeEntry> revokes(revoke_capacity);
    std::vector<u8> descriptor(image.block_size);
    std::vector<u8> last(image.block_size);
    u32 last_block = ~0u;
    Recovery recovery(sb.value(), fs_block_count(image), Span<RevokeEntry>(revokes.data(), revokes.size()),
                      Bytes(descriptor.data(), descriptor.size()));
    for (;;) {
        ++result.steps;
        auto action = recovery.next();
        if (action.is_error()) {
            result.error = action.error();
            result.fault = recovery.fault();
            return result;
        }
        const RecoveryAction a = action.value();
        if (a.step == RecoveryStep::Read) {
            EXPECT_LT(a.journal_block, map.size());
            last = image.copy(map.at(a.journal_block));
            last_block = a.journal_block;
            auto fed = recovery.feed(ReadonlyBytes(last.data(), last.size()));
            if (fed.is_error()) {
                result.error = fed.error();
                result.fault = recovery.fault();
                return result;
            }
        } else if (a.step == RecoveryStep::Replay) {
            EXPECT_EQ(a.journal_block, last_block);
            EXPECT_LT(a.home_block, image.block_count());
            std::vector<u8> data = last;
            if (a.escaped) put_be32(data.data(), kMagic);
            std::copy(data.begin(), data.end(), image.block(a.home_block));
            result.replays.push_back({a.home_block, a.journal_block});
        } else {
            result.ok = true;
            result.outcome = recovery.outcome();
            JournalSuperblock updated = sb.value();
            updated.state = result.outcome.state;
            EXPECT_TRUE(updated.encode_state(Bytes(image.block(map[0]), image.block_size)).ok());
            return result;
        }
    }
}

// ---------------------------------------------------------------------------
// Hand-made journals in memory: block 0 the superblock, the rest the log.
// Fields are written at the format's offsets as literal numbers, so the
// kernel's encoders are not used to test its decoders.

inline constexpr u8 kTestUuid[16] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE,
                                     0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF};

struct HandJournal {
    u32 block_size = 1024;
    u32 compat = 0, incompat = 0;
    std::vector<std::vector<u8>> blocks;  // journal-relative

    HandJournal(u32 max_len, u32 bs = 1024, u32 compat_bits = 0, u32 incompat_bits = 0)
        : block_size(bs), compat(compat_bits), incompat(incompat_bits),
          blocks(max_len, std::vector<u8>(bs, 0)) {}

    bool csum() const { return incompat & 0x18; }
    bool v3() const { return incompat & 0x10; }
    bool wide() const { return incompat & 0x2; }
    usize tag_bytes() const { return v3() ? 16 : 8 + (wide() ? 4 : 0) + ((incompat & 0x8) ? 2 : 0); }
    u32 seed() const { return crc32c_update(~0u, ReadonlyBytes(kTestUuid, 16)); }

    // Superblock v2 with s_first 1; `start` 0 is clean.
    void superblock(u32 sequence, u32 start, u32 first = 1) {
        auto& b = blocks[0];
        std::fill(b.begin(), b.end(), 0);
        put_be32(&b[0], 0xC03B3998);
        put_be32(&b[4], 4);
        put_be32(&b[0x0C], block_size);
        put_be32(&b[0x10], u32(blocks.size()));
        put_be32(&b[0x14], first);
        put_be32(&b[0x18], sequence);
        put_be32(&b[0x1C], start);
        put_be32(&b[0x24], compat);
        put_be32(&b[0x28], incompat);
        std::copy(kTestUuid, kTestUuid + 16, &b[0x30]);
        put_be32(&b[0x40], 1);
        if (csum()) {
            b[0x50] = 4;
            put_be32(&b[0xFC], crc32c_update(~0u, ReadonlyBytes(b.data(), 1024)));
        }
    }
    JournalSuperblock decoded() const {
        Jbd2Fault fault = Jbd2Fault::None;
        auto sb = JournalSuperblock::decode(ReadonlyBytes(blocks[0].data(), block_size), block_size, blocks.size(),
                                            &fault);
        EXPECT_TRUE(sb.ok()) << jbd2_fault_name(fault);
        return sb.ok() ? sb.value() : JournalSuperblock {};
    }

    static void header(std::vector<u8>& b, u32 type, u32 sequence) {
        std::fill(b.begin(), b.end(), 0);
        put_be32(&b[0], 0xC03B3998);
        put_be32(&b[4], type);
        put_be32(&b[8], sequence);
    }
    // The checksum of a logged block as a tag stores it (csum v2/v3).
    u32 data_csum(u32 sequence, const std::vector<u8>& logged) const {
        u8 seq[4];
        put_be32(seq, sequence);
        u32 crc = crc32c_update(seed(), ReadonlyBytes(seq, 4));
        return crc32c_update(crc, ReadonlyBytes(logged.data(), logged.size()));
    }
    void seal_tail(std::vector<u8>& b) const {
        if (!csum()) return;
        put_be32(&b[block_size - 4], 0);
        put_be32(&b[block_size - 4], crc32c_update(seed(), ReadonlyBytes(b.data(), block_size)));
    }

    // A descriptor at `at` for (home, contents) pairs, the logged copies
    // right after it (escaped when they start with the magic); returns the
    // position after the last logged copy. The log may wrap.
    u32 descriptor(u32 at, u32 sequence, const std::vector<std::pair<u64, std::vector<u8>>>& logged,
                   u32 first = 1) {
        auto& b = blocks[at];
        header(b, 1, sequence);
        usize offset = 12;
        u32 position = at;
        auto next = [&](u32 p) { return p + 1 == blocks.size() ? first : p + 1; };
        for (usize i = 0; i < logged.size(); ++i) {
            std::vector<u8> copy = logged[i].second;
            u32 flags = 0;
            if (get_be32(copy.data()) == 0xC03B3998) {
                flags |= 1;
                put_be32(copy.data(), 0);
            }
            if (i > 0) flags |= 2;
            if (i + 1 == logged.size()) flags |= 8;
            u8* t = &b[offset];
            put_be32(t, u32(logged[i].first));
            if (wide()) put_be32(t + 8, u32(logged[i].first >> 32));
            if (v3()) {
                put_be32(t + 4, flags);
                put_be32(t + 12, data_csum(sequence, copy));
            } else {
                put_be16(t + 6, flags);
                if (csum()) put_be16(t + 4, data_csum(sequence, copy) & 0xFFFF);
            }
            offset += tag_bytes();
            if (i == 0) {
                std::copy(kTestUuid, kTestUuid + 16, &b[offset]);
                offset += 16;
            }
            position = next(position);
            blocks[position] = copy;
        }
        seal_tail(b);
        return next(position);
    }
    void revoke(u32 at, u32 sequence, const std::vector<u64>& records) {
        auto& b = blocks[at];
        header(b, 5, sequence);
        usize offset = 16;
        for (u64 r : records) {
            if (wide()) put_be64(&b[offset], r);
            else put_be32(&b[offset], u32(r));
            offset += wide() ? 8 : 4;
        }
        put_be32(&b[12], u32(offset));
        seal_tail(b);
    }
    void commit(u32 at, u32 sequence, u32 v1_sum = 0) {
        auto& b = blocks[at];
        header(b, 2, sequence);
        put_be64(&b[0x30], 1700000000u + sequence);
        if (compat & 1) {
            b[0x0C] = 1;
            b[0x0D] = 4;
            put_be32(&b[0x10], v1_sum);
        } else if (csum()) {
            put_be32(&b[0x10], crc32c_update(seed(), ReadonlyBytes(b.data(), block_size)));
        }
    }
};

// Runs Recovery over an in-memory journal; `filesystem` (sparse: blocks
// never written read as zeros through home()) receives the replays. `feed_hook` may change a block before it is fed
// (to simulate a journal that changes between passes).
struct MemoryRecovery {
    Replayed result;
    std::map<u64, std::vector<u8>> filesystem;
    std::vector<u32> reads;
    u32 block_size = 0;

    std::vector<u8> home(u64 block) const {
        auto it = filesystem.find(block);
        return it == filesystem.end() ? std::vector<u8>(block_size, 0) : it->second;
    }
};

inline MemoryRecovery recover_blocks(const HandJournal& journal, u64 fs_blocks, usize revoke_capacity = 256,
                                     std::function<void(u32 block, usize read_index, std::vector<u8>&)> feed_hook = {}) {
    MemoryRecovery m;
    m.block_size = journal.block_size;
    const JournalSuperblock sb = journal.decoded();
    std::vector<RevokeEntry> revokes(revoke_capacity);
    std::vector<u8> descriptor(journal.block_size);
    std::vector<u8> last;
    Recovery recovery(sb, fs_blocks, Span<RevokeEntry>(revokes.data(), revokes.size()),
                      Bytes(descriptor.data(), descriptor.size()));
    for (;;) {
        ++m.result.steps;
        auto action = recovery.next();
        if (action.is_error()) {
            m.result.error = action.error();
            m.result.fault = recovery.fault();
            return m;
        }
        const RecoveryAction a = action.value();
        if (a.step == RecoveryStep::Read) {
            EXPECT_TRUE(a.journal_block >= sb.first && a.journal_block < sb.max_len) << a.journal_block;
            last = journal.blocks.at(a.journal_block);
            if (feed_hook) feed_hook(a.journal_block, m.reads.size(), last);
            m.reads.push_back(a.journal_block);
            if (auto fed = recovery.feed(ReadonlyBytes(last.data(), last.size())); fed.is_error()) {
                m.result.error = fed.error();
                m.result.fault = recovery.fault();
                return m;
            }
        } else if (a.step == RecoveryStep::Replay) {
            EXPECT_EQ(a.journal_block, m.reads.back());
            std::vector<u8> data = last;
            if (a.escaped) put_be32(data.data(), 0xC03B3998);
            EXPECT_LT(a.home_block, fs_blocks);
            m.filesystem[a.home_block] = data;
            m.result.replays.push_back({a.home_block, a.journal_block});
        } else {
            m.result.ok = true;
            m.result.outcome = recovery.outcome();
            return m;
        }
    }
}

}  // namespace mote::jbd2_test
