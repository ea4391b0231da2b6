#include "fs/jbd2/transaction_writer.hpp"

#include "base/crc32_be.hpp"
#include "fs/jbd2/commit_block.hpp"
#include "fs/jbd2/descriptor_block.hpp"
#include "fs/jbd2/revoke_block.hpp"

namespace mote::fs::jbd2 {

namespace {

Error fail(Jbd2Fault* out, Jbd2Fault fault, Error error) {
    if (out) *out = fault;
    return error;
}

u64 blocks_for(u64 items, u64 per_block) { return (items + per_block - 1) / per_block; }

}  // namespace

bool needs_escape(ReadonlyBytes block) { return block.size() >= 4 && load_be32(block.data()) == kMagic; }

JournalState log_start_state(const JournalSuperblock& sb, u32 start, u32 sequence) {
    VERIFY(sb.in_log(start));
    return JournalState {start, sequence, sb.state.error};
}

JournalState clean_state(const JournalSuperblock& sb, u32 next_sequence) {
    return JournalState {0, next_sequence, sb.state.error};
}

Result<TransactionWriter> TransactionWriter::plan(const JournalSuperblock& sb, u64 fs_block_count,
                                                  const TransactionSpec& spec, Jbd2Fault* fault) {
    if (fault) *fault = Jbd2Fault::None;
    if (!sb.in_log(spec.start) || (spec.tail != 0 && !sb.in_log(spec.tail)))
        return fail(fault, Jbd2Fault::BadPosition, Error::InvalidArgument);
    if (spec.contents.size() != spec.home_blocks.size())
        return fail(fault, Jbd2Fault::BadContents, Error::InvalidArgument);
    for (usize i = 0; i < spec.home_blocks.size(); ++i)
        if (spec.contents[i].size() != sb.block_size) return fail(fault, Jbd2Fault::BadContents, Error::InvalidArgument);
    auto check_block = [&](u64 block) -> Result<void> {
        if (!sb.has_64bit() && block > 0xFFFFFFFFu)
            return fail(fault, Jbd2Fault::BlockNumberTooLarge, Error::OutOfRange);
        if (block >= fs_block_count) return fail(fault, Jbd2Fault::BlockOutOfRange, Error::OutOfRange);
        return {};
    };
    for (u64 block : spec.home_blocks) TRY(check_block(block));
    for (u64 block : spec.revoked) TRY(check_block(block));
    if (!spec.revoked.empty() && !sb.has_revoke())
        return fail(fault, Jbd2Fault::RevokeNotEnabled, Error::InvalidArgument);

    const u64 revoke_blocks = blocks_for(spec.revoked.size(), RevokeBlock::capacity(sb));
    const u64 descriptor_blocks = blocks_for(spec.home_blocks.size(), DescriptorEncoder::capacity(sb));
    const u64 total = revoke_blocks + descriptor_blocks + spec.home_blocks.size() + 1;
    // One block always stays free: a log that filled the ring would end
    // where it starts, and a full log would look like an empty one.
    if (total >= sb.log_blocks()) return fail(fault, Jbd2Fault::TransactionTooLarge, Error::Overflow);
    const u32 used = spec.tail == 0 ? 0 : sb.distance(spec.tail, spec.start);
    if (total >= u64(sb.log_blocks() - used)) return fail(fault, Jbd2Fault::LogFull, Error::Busy);

    TransactionWriter writer(sb, spec);
    writer.m_revoke_blocks = u32(revoke_blocks);
    writer.m_descriptor_blocks = u32(descriptor_blocks);
    writer.m_position = spec.start;
    writer.m_phase = spec.revoked.empty() ? Phase::Body : Phase::Revoke;
    return writer;
}

LogWrite TransactionWriter::place(LogBlockKind kind) {
    LogWrite w;
    w.kind = kind;
    w.journal_block = m_position;
    m_position = m_sb.advance(m_position, 1);
    return w;
}

Result<LogWrite> TransactionWriter::next(Bytes out) {
    if (m_phase == Phase::Done) return Error::BadState;
    if (out.size() != m_sb.block_size) return Error::InvalidArgument;
    const usize homes = m_spec.home_blocks.size();

    if (m_phase == Phase::Revoke) {
        const usize count = min(usize(RevokeBlock::capacity(m_sb)), m_spec.revoked.size() - m_revoked_done);
        RevokeBlock::encode(m_sb, out, m_spec.sequence, m_spec.revoked.slice(m_revoked_done, count));
        m_revoked_done += count;
        if (m_revoked_done == m_spec.revoked.size()) m_phase = Phase::Body;
        return place(LogBlockKind::Revoke);
    }
    if (m_phase == Phase::Body && m_homes_done == homes) m_phase = Phase::Commit;
    if (m_phase == Phase::Commit) {
        CommitBlock::encode(m_sb, out, m_spec.sequence, m_spec.commit_seconds, m_spec.commit_nanoseconds,
                            m_crc32_sum);
        m_phase = Phase::Done;
        return place(LogBlockKind::Commit);
    }
    if (m_homes_done == m_described) {
        DescriptorEncoder descriptor(m_sb, out, m_spec.sequence);
        while (!descriptor.full() && m_described < homes) {
            const ReadonlyBytes data = m_spec.contents[m_described];
            descriptor.add(m_spec.home_blocks[m_described], needs_escape(data), data);
            ++m_described;
        }
        descriptor.finish();
        if (m_sb.has_csum_v1()) m_crc32_sum = crc32_be_update(m_crc32_sum, out);
        return place(LogBlockKind::Descriptor);
    }
    const usize index = m_homes_done++;
    const ReadonlyBytes data = m_spec.contents[index];
    const bool escaped = needs_escape(data);
    if (m_sb.has_csum_v1()) {
        // The sum covers the block as logged: escaped blocks with zeros first.
        static constexpr u8 kZero[4] = {};
        if (escaped) {
            m_crc32_sum = crc32_be_update(m_crc32_sum, ReadonlyBytes(kZero, 4));
            m_crc32_sum = crc32_be_update(m_crc32_sum, data.slice(4));
        } else {
            m_crc32_sum = crc32_be_update(m_crc32_sum, data);
        }
    }
    LogWrite w = place(LogBlockKind::Data);
    w.data_index = index;
    w.escaped = escaped;
    return w;
}

}  // namespace mote::fs::jbd2
