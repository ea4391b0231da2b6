#include "fs/jbd2/journal_superblock.hpp"

#include "base/crc32c.hpp"

namespace mote::fs::jbd2 {

namespace {

Error fail(Jbd2Fault* out, Jbd2Fault fault, Error error) {
    if (out) *out = fault;
    return error;
}

// jbd2 allows only one filesystem per journal here (an internal journal
// says 1; old mke2fs versions left 0).
constexpr u32 kMaxUsers = 1;

}  // namespace

Result<void> check_journal_features(u32 version, u32 compat, u32 incompat, u32 ro_compat, Jbd2Fault& fault) {
    if (version == 1) {
        // A v1 superblock has no feature words; the writer must not invent any.
        if (compat || incompat || ro_compat) {
            fault = Jbd2Fault::UnknownIncompatFeature;
            return Error::Unsupported;
        }
        return {};
    }
    if (incompat & kIncompatFastCommit) {
        fault = Jbd2Fault::FastCommit;
        return Error::Unsupported;
    }
    if (incompat & ~kSupportedIncompat) {
        fault = Jbd2Fault::UnknownIncompatFeature;
        return Error::Unsupported;
    }
    if (ro_compat) {
        fault = Jbd2Fault::UnknownRoCompatFeature;
        return Error::Unsupported;
    }
    const bool v2 = incompat & kIncompatCsumV2;
    const bool v3 = incompat & kIncompatCsumV3;
    if ((v2 && v3) || ((v2 || v3) && (compat & kCompatChecksum))) {
        fault = Jbd2Fault::ConflictingChecksums;
        return Error::Malformed;
    }
    return {};
}

u32 journal_superblock_checksum(ReadonlyBytes bytes) {
    VERIFY(bytes.size() >= kSuperblockSize);
    static constexpr u8 kZero[4] = {};
    u32 crc = crc32c_update(~u32(0), bytes.first(kSbChecksum));
    crc = crc32c_update(crc, ReadonlyBytes(kZero, sizeof kZero));
    return crc32c_update(crc, bytes.slice(kSbChecksum + 4, kSuperblockSize - kSbChecksum - 4));
}

Result<JournalSuperblock> JournalSuperblock::decode(ReadonlyBytes bytes, u32 fs_block_size, u64 journal_file_blocks,
                                                    Jbd2Fault* fault) {
    if (fault) *fault = Jbd2Fault::None;
    if (bytes.size() < kSuperblockSize) return fail(fault, Jbd2Fault::SuperblockTooShort, Error::Malformed);
    const u8* p = bytes.data();
    if (load_be32(p + kHeaderMagic) != kMagic) return fail(fault, Jbd2Fault::BadSuperblockMagic, Error::Malformed);

    JournalSuperblock sb;
    const u32 type = load_be32(p + kHeaderType);
    if (type == kBlockSuperblockV1) sb.version = 1;
    else if (type == kBlockSuperblockV2) sb.version = 2;
    else return fail(fault, Jbd2Fault::BadSuperblockType, Error::Malformed);

    sb.block_size = load_be32(p + kSbBlockSize);
    sb.max_len = load_be32(p + kSbMaxLen);
    sb.first = load_be32(p + kSbFirst);
    sb.state.sequence = load_be32(p + kSbSequence);
    sb.state.start = load_be32(p + kSbStart);
    sb.state.error = i32(load_be32(p + kSbErrno));
    if (sb.version == 2) {
        // Only v2 defines the fields from here on; jbd2 ignores them in v1.
        sb.feature_compat = load_be32(p + kSbFeatureCompat);
        sb.feature_incompat = load_be32(p + kSbFeatureIncompat);
        sb.feature_ro_compat = load_be32(p + kSbFeatureRoCompat);
        for (usize i = 0; i < kUuidSize; ++i) sb.uuid[i] = p[kSbUuid + i];
        sb.user_count = load_be32(p + kSbUserCount);
        sb.checksum_type = p[kSbChecksumType];
        sb.checksum = load_be32(p + kSbChecksum);
    }

    // Unknown compat bits may be ignored by definition; only known ones stay.
    Jbd2Fault feature_fault = Jbd2Fault::None;
    if (auto ok = check_journal_features(sb.version, sb.feature_compat & kSupportedCompat, sb.feature_incompat,
                                         sb.feature_ro_compat, feature_fault);
        ok.is_error())
        return fail(fault, feature_fault, ok.error());
    if (sb.has_csum_v2_or_v3()) {
        if (sb.checksum_type != kChecksumTypeCrc32c) return fail(fault, Jbd2Fault::BadChecksumType, Error::Malformed);
        if (journal_superblock_checksum(bytes) != sb.checksum)
            return fail(fault, Jbd2Fault::BadSuperblockChecksum, Error::Malformed);
        sb.checksum_seed = crc32c_update(~u32(0), ReadonlyBytes(sb.uuid, kUuidSize));
    }

    if (sb.block_size != fs_block_size || sb.block_size < kMinBlockSize || sb.block_size > kMaxBlockSize ||
        (sb.block_size & (sb.block_size - 1)) != 0)
        return fail(fault, Jbd2Fault::BadBlockSize, Error::Malformed);
    if (sb.max_len > journal_file_blocks) return fail(fault, Jbd2Fault::JournalTooShort, Error::Malformed);
    if (sb.first == 0 || sb.first >= sb.max_len) return fail(fault, Jbd2Fault::BadFirstBlock, Error::Malformed);
    if (sb.state.start != 0 && !sb.in_log(sb.state.start))
        return fail(fault, Jbd2Fault::BadStartBlock, Error::Malformed);
    if (sb.user_count > kMaxUsers) return fail(fault, Jbd2Fault::SharedJournal, Error::Unsupported);
    return sb;
}

Result<void> JournalSuperblock::encode_state(Bytes bytes, Jbd2Fault* fault) const {
    if (fault) *fault = Jbd2Fault::None;
    if (bytes.size() < kSuperblockSize) return fail(fault, Jbd2Fault::SuperblockTooShort, Error::InvalidArgument);
    u8* p = bytes.data();
    if (load_be32(p + kHeaderMagic) != kMagic) return fail(fault, Jbd2Fault::BadSuperblockMagic, Error::InvalidArgument);
    const u32 type = load_be32(p + kHeaderType);
    if (type != (version == 1 ? kBlockSuperblockV1 : kBlockSuperblockV2))
        return fail(fault, Jbd2Fault::BadSuperblockType, Error::InvalidArgument);
    Jbd2Fault feature_fault = Jbd2Fault::None;
    if (check_journal_features(version, feature_compat, feature_incompat, feature_ro_compat, feature_fault).is_error())
        return fail(fault, feature_fault, Error::InvalidArgument);
    if (state.start != 0 && !in_log(state.start)) return fail(fault, Jbd2Fault::BadStartBlock, Error::InvalidArgument);

    store_be32(p + kSbSequence, state.sequence);
    store_be32(p + kSbStart, state.start);
    store_be32(p + kSbErrno, u32(state.error));
    if (version == 2) {
        store_be32(p + kSbFeatureCompat, feature_compat);
        store_be32(p + kSbFeatureIncompat, feature_incompat);
        store_be32(p + kSbFeatureRoCompat, feature_ro_compat);
        if (has_csum_v2_or_v3()) {
            p[kSbChecksumType] = kChecksumTypeCrc32c;
            store_be32(p + kSbChecksum, journal_superblock_checksum(bytes));
        }
    }
    return {};
}

usize JournalSuperblock::tag_size() const {
    if (has_csum_v3()) return 16;
    usize size = 8;
    if (has_64bit()) size += 4;
    if (has_csum_v2()) size += 2;
    return size;
}

u32 JournalSuperblock::advance(u32 position, u32 count) const {
    VERIFY(in_log(position));
    const u32 length = log_blocks();
    const u32 offset = position - first;
    // offset < length, so this cannot overflow once count is reduced.
    return first + u32((u64(offset) + count % length) % length);
}

u32 JournalSuperblock::distance(u32 from, u32 to) const {
    VERIFY(in_log(from) && in_log(to));
    return to >= from ? to - from : log_blocks() - (from - to);
}

}  // namespace mote::fs::jbd2
