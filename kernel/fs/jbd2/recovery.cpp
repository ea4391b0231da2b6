#include "fs/jbd2/recovery.hpp"

#include "base/crc32_be.hpp"
#include "fs/jbd2/commit_block.hpp"
#include "fs/jbd2/log_block.hpp"
#include "fs/jbd2/revoke_block.hpp"

namespace mote::fs::jbd2 {

Recovery::Recovery(const JournalSuperblock& sb, u64 fs_block_count, Span<RevokeEntry> revoke_storage,
                   Bytes descriptor_buffer)
    : m_sb(sb), m_fs_blocks(fs_block_count), m_revokes(revoke_storage), m_buffer(descriptor_buffer) {
    m_outcome.first_transaction = sb.state.sequence;
    m_outcome.end_transaction = sb.state.sequence;
    if (m_buffer.size() < sb.block_size) {
        fail(Jbd2Fault::BlockSizeMismatch, Error::InvalidArgument);
        return;
    }
    m_buffer = m_buffer.first(sb.block_size);
    if (sb.clean()) {
        m_end_sequence = sb.state.sequence;
        finish();
        return;
    }
    start_pass(Pass::Scan);
}

Error Recovery::fail(Jbd2Fault fault, Error error) {
    m_pass = Pass::Failed;
    m_fault = fault;
    m_error = error;
    return error;
}

void Recovery::start_pass(Pass pass) {
    m_pass = pass;
    m_position = m_sb.state.start;
    m_sequence = m_sb.state.sequence;
    m_walked = 0;
    m_tags_left = 0;
    m_crc32_sum = ~u32(0);
}

void Recovery::finish() {
    m_pass = Pass::Done;
    m_outcome.end_transaction = m_end_sequence;
    m_outcome.transactions = m_end_sequence - m_outcome.first_transaction;
    // As jbd2: the log restarts one ID further on, so no commit block left
    // in the log (the dropped transaction's, say) can match the next scan.
    m_outcome.state = JournalState {0, m_end_sequence + 1, m_sb.state.error};
}

void Recovery::end_scan(Jbd2Fault reason, u32 block) {
    m_outcome.end = reason;
    m_outcome.end_block = block;
    m_end_sequence = m_sequence;
    if (m_end_sequence == m_sb.state.sequence) finish();
    else start_pass(m_saw_revoke ? Pass::Revoke : Pass::Replay);
}

bool Recovery::scan_reads_data() const { return m_sb.has_csum_v1() || m_sb.has_csum_v2_or_v3(); }

RecoveryAction Recovery::read(Want want) {
    m_awaiting = true;
    m_want = want;
    m_read_block = m_position;
    return RecoveryAction {RecoveryStep::Read, m_position, 0, false};
}

void Recovery::next_tag() {
    ++m_tag;
    --m_tags_left;
}

Result<RecoveryAction> Recovery::next() {
    if (m_pass == Pass::Failed) return m_error;
    if (m_awaiting) return Error::BadState;
    if (m_replay_ready) {
        m_replay_ready = false;
        const BlockTag tag = *m_tag;
        next_tag();
        ++m_outcome.blocks_replayed;
        return RecoveryAction {RecoveryStep::Replay, m_read_block, tag.block, tag.escaped()};
    }
    // Each turn either returns, finishes a pass, or skips one revoked
    // block; passes and skips are bounded by the log length.
    for (;;) {
        if (m_pass == Pass::Done) return RecoveryAction {};
        if (m_tags_left > 0) {
            const BlockTag tag = *m_tag;
            if (m_pass == Pass::Replay && m_revokes.revoked(tag.block, m_sequence)) {
                ++m_outcome.blocks_revoked;
                m_position = m_sb.advance(m_position, 1);
                ++m_walked;
                next_tag();
                continue;
            }
            return read(Want::Data);
        }
        if (m_pass == Pass::Scan) {
            if (m_walked >= m_sb.log_blocks()) {
                end_scan(Jbd2Fault::WholeLogScanned, m_position);
                continue;
            }
        } else if (m_sequence == m_end_sequence) {
            if (m_pass == Pass::Revoke) start_pass(Pass::Replay);
            else finish();
            continue;
        } else if (m_walked >= m_sb.log_blocks()) {
            // The scan ended within the ring; a later pass cannot go further.
            return fail(Jbd2Fault::PassMismatch, Error::Malformed);
        }
        return read(Want::Header);
    }
}

Result<void> Recovery::feed(ReadonlyBytes block) {
    if (m_pass == Pass::Failed) return m_error;
    if (!m_awaiting) return Error::BadState;
    if (block.size() != m_sb.block_size) return Error::InvalidArgument;
    m_awaiting = false;
    m_position = m_sb.advance(m_position, 1);
    ++m_walked;
    return m_want == Want::Data ? on_data(block) : on_header(block);
}

Result<void> Recovery::on_header(ReadonlyBytes block) {
    const bool scan = m_pass == Pass::Scan;
    // In the later passes every block up to the end was validated by the
    // scan; any difference now means the journal changed under recovery.
    auto reject = [&](Jbd2Fault reason) -> Result<void> {
        if (!scan) return fail(Jbd2Fault::PassMismatch, Error::Malformed);
        end_scan(reason, m_read_block);
        return {};
    };
    Jbd2Fault fault = Jbd2Fault::None;
    auto header = decode_block_header(block, &fault);
    if (header.is_error()) return reject(fault);
    if (header.value().sequence != m_sequence) return reject(Jbd2Fault::SequenceMismatch);

    switch (header.value().type) {
    case kBlockDescriptor: {
        auto descriptor = DescriptorBlock::decode(block, m_sb, &fault);
        if (descriptor.is_error()) return reject(fault);
        const u32 count = descriptor.value().tag_count();
        // m_walked <= log_blocks(): the header was read inside the ring.
        if (count > m_sb.log_blocks() - m_walked) return reject(Jbd2Fault::LogOverrun);
        for (const BlockTag tag : descriptor.value())
            if (tag.block >= m_fs_blocks) return reject(Jbd2Fault::BlockOutOfRange);
        if (m_pass == Pass::Revoke || (scan && !scan_reads_data())) {
            m_position = m_sb.advance(m_position, count);
            m_walked += count;
            return {};
        }
        if (scan && m_sb.has_csum_v1()) m_crc32_sum = crc32_be_update(m_crc32_sum, block);
        return on_descriptor(block);
    }
    case kBlockRevoke: {
        auto revoke = RevokeBlock::decode(block, m_sb, &fault);
        if (revoke.is_error()) return reject(fault);
        if (scan) m_saw_revoke = true;
        if (m_pass != Pass::Revoke) return {};
        for (u32 i = 0; i < revoke.value().record_count(); ++i) {
            if (m_revokes.add(revoke.value().record(i), m_sequence).is_error())
                return fail(Jbd2Fault::RevokeTableFull, Error::NoMemory);
            ++m_outcome.revoke_records;
        }
        return {};
    }
    case kBlockCommit: {
        auto commit = CommitBlock::decode(block, m_sb, &fault);
        if (commit.is_error()) return reject(fault);
        if (scan && m_sb.has_csum_v1()) {
            if (!commit.value().v1_checksum_matches(m_crc32_sum)) return reject(Jbd2Fault::BadCommitChecksum);
            m_crc32_sum = ~u32(0);
        }
        ++m_sequence;
        return {};
    }
    default: return reject(Jbd2Fault::UnknownBlockType);
    }
}

// Keeps the descriptor in the caller's buffer while its blocks are read
// one by one (the fed block is only valid during feed()).
Result<void> Recovery::on_descriptor(ReadonlyBytes block) {
    for (usize i = 0; i < block.size(); ++i) m_buffer[i] = block[i];
    m_descriptor = MUST(DescriptorBlock::decode(m_buffer, m_sb));
    m_tag = m_descriptor.begin();
    m_tags_left = m_descriptor.tag_count();
    return {};
}

Result<void> Recovery::on_data(ReadonlyBytes block) {
    const BlockTag tag = *m_tag;
    if (!tag_checksum_matches(m_sb, tag, m_sequence, block)) {
        if (m_pass != Pass::Scan) return fail(Jbd2Fault::PassMismatch, Error::Malformed);
        end_scan(Jbd2Fault::BadDataChecksum, m_read_block);
        return {};
    }
    if (m_pass == Pass::Scan) {
        if (m_sb.has_csum_v1()) m_crc32_sum = crc32_be_update(m_crc32_sum, block);
        next_tag();
        return {};
    }
    // Replay: next() hands the block back and then moves to the next tag.
    m_replay_ready = true;
    return {};
}

}  // namespace mote::fs::jbd2
