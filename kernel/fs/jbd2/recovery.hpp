// Journal recovery as a push-driven state machine: it decides, the driver
// does the I/O.
//
//     Recovery r(sb, fs_block_count, revoke_storage, descriptor_buffer);
//     for (;;) {
//         auto action = TRY(r.next());                 // on error: r.fault()
//         if (action.step == RecoveryStep::Read) {
//             read journal block action.journal_block into buf;
//             TRY(r.feed(buf));
//         } else if (action.step == RecoveryStep::Replay) {
//             // buf is the block just fed (action.journal_block)
//             if (action.escaped) store kMagic big-endian in buf[0..4);
//             write buf to filesystem block action.home_block;
//         } else break;                                // Done: r.outcome()
//     }
//     then make the writes durable, and write r.outcome().state into the
//     journal superblock (JournalSuperblock::encode_state).
//
// Journal blocks are journal-relative (the driver maps them through the
// journal inode). The passes are jbd2's:
//
//   scan    from s_start with transaction s_sequence, block by block round
//           the ring [s_first, s_maxlen), to find the end of the log: the
//           first block that is not a journal block, carries another
//           sequence or an unknown type, or is damaged. Only transactions
//           whose commit block was found intact before that point are
//           replayed; the transaction in progress there is dropped (a
//           descriptor without its commit is never replayed).
//   revoke  the same walk up to the end, collecting revoke records into
//           the caller's revoke table (skipped if the scan saw none).
//   replay  the same walk again; every logged block that is not revoked is
//           read and handed back as Replay, in log order, so a later copy
//           of a block overwrites an earlier one.
//
// Damage ends the log at the last intact commit rather than failing: a
// descriptor or revoke block whose tail checksum is wrong, a commit block
// whose checksum is wrong (v1 sum or v2/v3 crc32c), a logged block that does
// not match its tag checksum (the scan reads the logged blocks to check
// them whenever the journal has checksums), a tag naming a block beyond the
// filesystem, a descriptor whose blocks would run past the log's own start.
// outcome().end names the reason (jbd2_fault_is_corruption tells damage from
// an ordinary end) so the driver can flag the filesystem.
//
// Where this differs from Linux: jbd2 fails the whole recovery on a bad
// descriptor checksum in a transaction that has a commit block (this ends
// the log before it), and replays a transaction whose data block has a bad
// checksum without that one block (this ends the log before it). Both keep
// what is replayed a prefix of whole transactions.
//
// Errors (next() and feed() return them, fault() names them; the machine
// then stays failed): RevokeTableFull (more revoked blocks than the table
// holds), PassMismatch (a pass read other bytes than the scan validated).
// Misuse returns Error::BadState (next() while a Read is unfed, feed()
// without a Read) or Error::InvalidArgument (a block of the wrong size),
// and changes nothing.
//
// Bounded: the scan reads at most s_maxlen - s_first blocks (the ring
// once), each later pass at most as many as the scan, so a recovery is at
// most three times the log length in Reads plus one Replay per Read.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/jbd2/descriptor_block.hpp"
#include "fs/jbd2/jbd2_fault.hpp"
#include "fs/jbd2/journal_superblock.hpp"
#include "fs/jbd2/revoke_table.hpp"

namespace mote::fs::jbd2 {

enum class RecoveryStep : u8 {
    Read,    // read journal_block and feed() it
    Replay,  // write the block just fed to home_block (restore the magic if escaped)
    Done,    // finished: outcome() holds the result
};

struct RecoveryAction {
    RecoveryStep step = RecoveryStep::Done;
    u32 journal_block = 0;  // Read: the block wanted; Replay: the block just fed
    u64 home_block = 0;     // Replay
    bool escaped = false;   // Replay: the first four bytes must become kMagic (big-endian)
};

struct RecoveryOutcome {
    JournalState state;                    // for the superblock: start 0, the next sequence, errno as it was
    u32 first_transaction = 0;             // s_sequence at the start
    u32 end_transaction = 0;               // the first transaction not replayed
    u32 transactions = 0;                  // replayed: end_transaction - first_transaction
    u32 end_block = 0;                     // journal block where the log ends (0 for a clean journal)
    Jbd2Fault end = Jbd2Fault::None;       // why the log ends there; None for a clean journal
    u64 blocks_replayed = 0;
    u64 blocks_revoked = 0;                // logged blocks skipped because a revoke covers them
    u64 revoke_records = 0;                // records read from revoke blocks
};

class Recovery {
public:
    // `sb` is the journal's decoded superblock; home blocks at or beyond
    // `fs_block_count` end the log (BlockOutOfRange). `revoke_storage`
    // holds the revoke table; `descriptor_buffer` (at least sb.block_size
    // bytes) keeps the descriptor being worked through while its blocks are
    // read. Both must outlive the Recovery; nothing else is allocated.
    Recovery(const JournalSuperblock& sb, u64 fs_block_count, Span<RevokeEntry> revoke_storage,
             Bytes descriptor_buffer);
    // It points into itself (the tag cursor into its descriptor).
    Recovery(const Recovery&) = delete;
    Recovery& operator=(const Recovery&) = delete;

    Result<RecoveryAction> next();
    // The block asked for by the last Read: exactly sb.block_size bytes,
    // only read during the call.
    Result<void> feed(ReadonlyBytes block);

    // The reason for the last error (None while there is none).
    Jbd2Fault fault() const { return m_fault; }
    // Final after Done; counters grow while the passes run.
    const RecoveryOutcome& outcome() const { return m_outcome; }

private:
    enum class Pass : u8 { Scan, Revoke, Replay, Done, Failed };
    enum class Want : u8 { Header, Data };

    RecoveryAction read(Want want);
    Result<void> on_header(ReadonlyBytes block);
    Result<void> on_data(ReadonlyBytes block);
    Result<void> on_descriptor(ReadonlyBytes block);
    void end_scan(Jbd2Fault reason, u32 block);
    void start_pass(Pass pass);
    void finish();
    Error fail(Jbd2Fault fault, Error error);
    void next_tag();
    bool scan_reads_data() const;

    JournalSuperblock m_sb;
    u64 m_fs_blocks;
    RevokeTable m_revokes;
    Bytes m_buffer;

    Pass m_pass = Pass::Scan;
    Jbd2Fault m_fault = Jbd2Fault::None;
    Error m_error = Error::BadState;
    bool m_awaiting = false;      // a Read was returned and not fed yet
    Want m_want = Want::Header;
    u32 m_read_block = 0;         // the block of the last Read
    u32 m_position = 0;           // the next log block
    u32 m_walked = 0;             // log blocks consumed in this pass
    u32 m_sequence = 0;           // the transaction expected
    u32 m_end_sequence = 0;       // set by the scan
    bool m_saw_revoke = false;
    u32 m_crc32_sum = ~u32(0);    // v1 transaction checksum
    DescriptorBlock m_descriptor; // over m_buffer
    DescriptorBlock::Iterator m_tag;
    u32 m_tags_left = 0;
    bool m_replay_ready = false;  // the fed data block waits to be returned as Replay
    RecoveryOutcome m_outcome;
};

}  // namespace mote::fs::jbd2
