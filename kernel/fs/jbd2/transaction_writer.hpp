// Encodes one of Mote's own transactions into the journal's log: the
// blocks, their order and where each one goes. Pure: the caller writes.
//
//     TransactionSpec spec {.start = head, .tail = sb.state.start, .sequence = n,
//                           .home_blocks = homes, .contents = blocks, .revoked = revokes};
//     auto writer = TRY(TransactionWriter::plan(sb, fs_block_count, spec, &fault));
//     while (!writer.done()) {
//         LogWrite w = TRY(writer.next(buffer));
//         if (w.kind == LogBlockKind::Data)
//             write contents[w.data_index] to journal block w.journal_block,
//             its first four bytes zeroed if w.escaped;
//         else
//             write buffer to journal block w.journal_block;
//     }
//     next transaction starts at writer.end() with sequence n + 1.
//
// Layout, in log order from spec.start, wrapping from s_maxlen to s_first:
// the revoke blocks, then each descriptor followed by the blocks its tags
// describe, then the commit block. The commit is the last block next()
// produces; when to write it (after the others are durable, or not, with
// async_commit) is the caller's policy. A block whose contents start with
// the jbd2 magic is escaped. Checksums follow the journal's features: v1
// sum in the commit, or v2/v3 tails, tag checksums and commit crc32c.
//
// The superblock: a transaction is only found by recovery if the
// superblock's state (start, sequence) leads to it. For the first
// transaction into a clean journal that is log_start_state(sb, start, n),
// written before the commit block; after a checkpoint (home blocks durable)
// the log start moves on with log_start_state(sb, oldest_start,
// oldest_sequence), or becomes clean_state(sb, next_sequence) when nothing
// is left.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/jbd2/jbd2_fault.hpp"
#include "fs/jbd2/journal_superblock.hpp"

namespace mote::fs::jbd2 {

struct TransactionSpec {
    u32 start = 0;                         // log position of the transaction's first block
    u32 tail = 0;                          // start of the oldest live transaction; 0 when the log is empty
    u32 sequence = 0;                      // the transaction ID
    Span<const u64> home_blocks;           // filesystem blocks logged, in order
    Span<const ReadonlyBytes> contents;    // their new contents, one sb.block_size buffer each
    Span<const u64> revoked;               // filesystem blocks revoked by this transaction
    u64 commit_seconds = 0;                // the commit block's time stamp
    u32 commit_nanoseconds = 0;
};

enum class LogBlockKind : u8 { Revoke, Descriptor, Data, Commit };

struct LogWrite {
    LogBlockKind kind = LogBlockKind::Commit;
    u32 journal_block = 0;  // where the block goes
    usize data_index = 0;   // Data: the index into home_blocks / contents
    bool escaped = false;   // Data: write it with its first four bytes zeroed
};

class TransactionWriter {
public:
    // Checks the spec: positions in the log (BadPosition), one block-sized
    // buffer per home block (BadContents), block numbers below
    // fs_block_count (BlockOutOfRange) and within 32 bits without the
    // 64bit feature (BlockNumberTooLarge), revokes only with the revoke
    // feature (RevokeNotEnabled), and that the blocks fit: fewer than the
    // log's length (TransactionTooLarge, Error::Overflow) and than the free
    // blocks between spec.start and spec.tail (LogFull, Error::Busy; one
    // block always stays free so a full log never looks empty).
    // The spans are borrowed until the last next().
    static Result<TransactionWriter> plan(const JournalSuperblock& sb, u64 fs_block_count, const TransactionSpec& spec,
                                          Jbd2Fault* fault = nullptr);

    u32 block_count() const { return m_revoke_blocks + m_descriptor_blocks + u32(m_spec.home_blocks.size()) + 1; }
    u32 revoke_blocks() const { return m_revoke_blocks; }
    u32 descriptor_blocks() const { return m_descriptor_blocks; }
    // The log position after the commit block: where the next transaction goes.
    u32 end() const { return m_sb.advance(m_spec.start, block_count()); }
    bool done() const { return m_phase == Phase::Done; }

    // The next block in log order. Revoke, Descriptor and Commit blocks are
    // encoded into `out` (sb.block_size bytes); for Data the caller writes
    // contents[data_index] and `out` is left alone. Error::BadState after
    // the commit, Error::InvalidArgument if `out` has the wrong size.
    Result<LogWrite> next(Bytes out);

private:
    enum class Phase : u8 { Revoke, Body, Commit, Done };

    TransactionWriter(const JournalSuperblock& sb, const TransactionSpec& spec) : m_sb(sb), m_spec(spec) {}
    LogWrite place(LogBlockKind kind);

    JournalSuperblock m_sb;
    TransactionSpec m_spec;
    u32 m_revoke_blocks = 0;
    u32 m_descriptor_blocks = 0;
    Phase m_phase = Phase::Revoke;
    u32 m_position = 0;
    usize m_revoked_done = 0;   // revoke records written
    usize m_homes_done = 0;     // data blocks handed out
    usize m_described = 0;      // data blocks covered by descriptors written so far
    u32 m_crc32_sum = ~u32(0);  // v1 sum over descriptors and data
};

// Superblock state whose log starts with transaction `sequence` at `start`.
JournalState log_start_state(const JournalSuperblock& sb, u32 start, u32 sequence);
// Superblock state of a clean journal whose next transaction is `next_sequence`.
JournalState clean_state(const JournalSuperblock& sb, u32 next_sequence);

// Whether `block` (a home block's contents) must be escaped in the log.
bool needs_escape(ReadonlyBytes block);

}  // namespace mote::fs::jbd2
