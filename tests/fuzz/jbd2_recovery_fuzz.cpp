// Drives jbd2 recovery over arbitrary journals. The input is the journal:
// 1024-byte blocks, block 0 the superblock, the rest the log; blocks past
// the end of the input read as zeros, so a short input still describes a
// journal of up to kJournalBlocks blocks. When the superblock decodes,
// Recovery runs to Done or an error with a driver that checks every step:
//
//   - reads stay in the log ([s_first, s_maxlen)) and number at most three
//     passes over it; steps are at most a Replay per Read plus a few;
//   - every Replay names the block just read and a home block inside the
//     filesystem; misuse (next() with a Read unfed) is refused;
//   - the only error is RevokeTableFull (the driver feeds the same bytes in
//     every pass, so PassMismatch cannot happen);
//   - Done's outcome is consistent, and its state encodes into the
//     superblock and decodes again as a clean journal.
//
// Then the writer: a transaction made of blocks from the input goes into
// a clean copy of the same journal geometry, and recovery must give back
// exactly that transaction. Seeds: seeds/jbd2_recovery_fuzz
// (tests/fuzz/make_jbd2_recovery_fuzz_seeds.py).
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <map>
#include <vector>

#include "base/verify.hpp"
#include "fs/jbd2/recovery.hpp"
#include "fs/jbd2/transaction_writer.hpp"

using namespace mote;
using namespace mote::fs::jbd2;

namespace {

constexpr u32 kBlockSize = 1024;
constexpr u32 kJournalBlocks = 64;
constexpr u64 kFsBlocks = 1u << 16;
constexpr usize kRevokeCapacity = 16;

struct Outcome {
    bool ok = false;
    RecoveryOutcome outcome;
    std::map<u64, std::vector<u8>> homes;
};

Outcome recover(const JournalSuperblock& sb, const std::vector<std::vector<u8>>& journal) {
    Outcome result;
    RevokeEntry revokes[kRevokeCapacity];
    std::vector<u8> descriptor(kBlockSize);
    Recovery r(sb, kFsBlocks, Span<RevokeEntry>(revokes, kRevokeCapacity), Bytes(descriptor.data(), kBlockSize));
    const usize max_reads = 3 * usize(sb.log_blocks());
    usize reads = 0, replays = 0, steps = 0;
    std::vector<u8> last;
    u32 last_block = ~0u;
    for (;;) {
        VERIFY(++steps <= 2 * max_reads + 4);
        auto action = r.next();
        if (action.is_error()) {
            VERIFY(action.error() == Error::NoMemory && r.fault() == Jbd2Fault::RevokeTableFull);
            return result;
        }
        const RecoveryAction a = action.value();
        if (a.step == RecoveryStep::Read) {
            VERIFY(sb.in_log(a.journal_block));
            VERIFY(++reads <= max_reads);
            VERIFY(r.next().error() == Error::BadState);
            last = journal[a.journal_block];
            last_block = a.journal_block;
            VERIFY(r.feed(ReadonlyBytes(last.data(), last.size())).ok());
        } else if (a.step == RecoveryStep::Replay) {
            VERIFY(a.journal_block == last_block);
            VERIFY(a.home_block < kFsBlocks);
            std::vector<u8> data = last;
            if (a.escaped) {
                data[0] = 0xC0, data[1] = 0x3B, data[2] = 0x39, data[3] = 0x98;
            }
            result.homes[a.home_block] = data;
            ++replays;
        } else {
            const RecoveryOutcome& o = r.outcome();
            VERIFY(r.next().value().step == RecoveryStep::Done);
            VERIFY(o.transactions == o.end_transaction - o.first_transaction);
            VERIFY(o.first_transaction == sb.state.sequence);
            VERIFY(o.state.start == 0 && o.state.sequence == o.end_transaction + 1);
            VERIFY(o.state.error == sb.state.error);
            VERIFY(o.blocks_replayed == replays);
            VERIFY(jbd2_fault_name(o.end) != nullptr);
            result.ok = true;
            result.outcome = o;
            return result;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::vector<u8>> journal(kJournalBlocks, std::vector<u8>(kBlockSize, 0));
    for (usize b = 0; b < kJournalBlocks && b * kBlockSize < size; ++b)
        memcpy(journal[b].data(), data + b * kBlockSize, min(usize(kBlockSize), size - b * kBlockSize));

    Jbd2Fault fault = Jbd2Fault::LogFull;
    auto decoded = JournalSuperblock::decode(ReadonlyBytes(journal[0].data(), kBlockSize), kBlockSize,
                                             kJournalBlocks, &fault);
    VERIFY(decoded.ok() == (fault == Jbd2Fault::None));
    VERIFY(jbd2_fault_name(fault) != nullptr);
    if (decoded.is_error()) return 0;
    const JournalSuperblock sb = decoded.value();
    VERIFY(sb.max_len <= kJournalBlocks && sb.in_log(sb.first) && (sb.clean() || sb.in_log(sb.state.start)));

    Outcome first = recover(sb, journal);
    if (first.ok) {
        std::vector<u8> block0 = journal[0];
        JournalSuperblock after = sb;
        after.state = first.outcome.state;
        VERIFY(after.encode_state(Bytes(block0.data(), kBlockSize)).ok());
        auto again = JournalSuperblock::decode(ReadonlyBytes(block0.data(), kBlockSize), kBlockSize, kJournalBlocks);
        VERIFY(again.ok() && again.value().clean() && again.value().state.sequence == first.outcome.state.sequence);
    }

    // The writer, in a clean journal of the same geometry and features:
    // up to three home blocks with contents from the input, one revoke.
    JournalSuperblock clean = sb;
    clean.feature_incompat |= kIncompatRevoke;
    if (clean.version == 1) return 0;
    std::vector<std::vector<u8>> fresh(kJournalBlocks, std::vector<u8>(kBlockSize, 0));
    fresh[0] = journal[0];
    const u32 count = size % 4;
    std::vector<u64> homes;
    std::vector<ReadonlyBytes> contents;
    for (u32 i = 0; i < count; ++i) {
        homes.push_back((u64(data[i % size]) * 257 + i * 7) % kFsBlocks);
        contents.push_back(ReadonlyBytes(journal[1 + i].data(), kBlockSize));
    }
    const u64 revoked[] = {homes.empty() ? 3 : homes[0] ^ 1};
    TransactionSpec spec;
    spec.start = sb.clean() ? sb.first : sb.state.start;
    spec.sequence = sb.state.sequence;
    spec.home_blocks = Span<const u64>(homes.data(), homes.size());
    spec.contents = Span<const ReadonlyBytes>(contents.data(), contents.size());
    spec.revoked = Span<const u64>(revoked, 1);
    auto planned = TransactionWriter::plan(clean, kFsBlocks, spec, &fault);
    if (planned.is_error()) {
        VERIFY(fault == Jbd2Fault::TransactionTooLarge);  // only the geometry can refuse it
        return 0;
    }
    TransactionWriter writer = planned.release_value();
    std::vector<u8> out(kBlockSize);
    while (!writer.done()) {
        const LogWrite w = writer.next(Bytes(out.data(), kBlockSize)).value();
        VERIFY(clean.in_log(w.journal_block));
        if (w.kind == LogBlockKind::Data) {
            fresh[w.journal_block] = journal[1 + w.data_index];
            if (w.escaped) memset(fresh[w.journal_block].data(), 0, 4);
        } else {
            fresh[w.journal_block] = out;
        }
    }
    clean.state = log_start_state(clean, spec.start, spec.sequence);
    VERIFY(clean.encode_state(Bytes(fresh[0].data(), kBlockSize)).ok());
    // The block after the commit must not continue the log.
    const u32 after_commit = writer.end();
    if (after_commit != spec.start) fresh[after_commit].assign(kBlockSize, 0);
    auto reread = JournalSuperblock::decode(ReadonlyBytes(fresh[0].data(), kBlockSize), kBlockSize, kJournalBlocks);
    VERIFY(reread.ok());
    Outcome back = recover(reread.value(), fresh);
    VERIFY(back.ok);
    VERIFY(back.outcome.transactions == 1);
    std::map<u64, std::vector<u8>> expected;
    for (u32 i = 0; i < count; ++i)
        if (homes[i] != revoked[0]) expected[homes[i]] = journal[1 + i];
    VERIFY(back.homes == expected);
    return 0;
}
