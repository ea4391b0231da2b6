// The jbd2 journal's on-disk format: numbers, byte offsets and byte order.
//
// jbd2 is the journal of ext3/ext4 (Linux's Documentation/filesystems/ext4/
// journal.rst; e2fsprogs' lib/ext2fs/kernel-jbd.h). The journal is a file
// (inode 8) of s_maxlen blocks of the filesystem's block size. Block 0
// holds the journal superblock; blocks [s_first, s_maxlen) are a circular
// log of transactions. Every journal metadata block starts with the same
// 12-byte header: magic, block type, transaction sequence number.
//
// Everything in the journal is BIG-endian (the filesystem around it is
// little-endian). Fields are read and written byte by byte at the offsets
// below, never by casting a buffer to a struct, so any alignment works.
#pragma once

#include "base/types.hpp"

namespace mote::fs::jbd2 {

inline constexpr u32 kMagic = 0xC03B3998;

// Block types (h_blocktype).
inline constexpr u32 kBlockDescriptor = 1;
inline constexpr u32 kBlockCommit = 2;
inline constexpr u32 kBlockSuperblockV1 = 3;
inline constexpr u32 kBlockSuperblockV2 = 4;
inline constexpr u32 kBlockRevoke = 5;
inline constexpr u32 kBlockFastCommit = 6;

// The common header.
inline constexpr usize kHeaderMagic = 0x0;
inline constexpr usize kHeaderType = 0x4;
inline constexpr usize kHeaderSequence = 0x8;
inline constexpr usize kHeaderSize = 12;

// Journal superblock fields (its size is 1024 bytes whatever the block size).
inline constexpr usize kSbBlockSize = 0x0C;
inline constexpr usize kSbMaxLen = 0x10;
inline constexpr usize kSbFirst = 0x14;
inline constexpr usize kSbSequence = 0x18;
inline constexpr usize kSbStart = 0x1C;
inline constexpr usize kSbErrno = 0x20;
inline constexpr usize kSbFeatureCompat = 0x24;
inline constexpr usize kSbFeatureIncompat = 0x28;
inline constexpr usize kSbFeatureRoCompat = 0x2C;
inline constexpr usize kSbUuid = 0x30;
inline constexpr usize kSbUserCount = 0x40;
inline constexpr usize kSbChecksumType = 0x50;
inline constexpr usize kSbChecksum = 0xFC;
inline constexpr usize kSuperblockSize = 0x400;
inline constexpr usize kUuidSize = 16;

// Feature bits. Version-1 superblocks have no feature words (they read as 0).
inline constexpr u32 kCompatChecksum = 0x1;         // v1 transaction checksum (crc32_be) in commit blocks
inline constexpr u32 kIncompatRevoke = 0x1;         // the log may hold revoke blocks
inline constexpr u32 kIncompat64Bit = 0x2;          // tags and revoke records carry 64-bit block numbers
inline constexpr u32 kIncompatAsyncCommit = 0x4;    // commit blocks may be written before the data is durable
inline constexpr u32 kIncompatCsumV2 = 0x8;         // crc32c on metadata blocks, 16-bit tag checksums
inline constexpr u32 kIncompatCsumV3 = 0x10;        // crc32c on metadata blocks, 32-bit tag checksums
inline constexpr u32 kIncompatFastCommit = 0x20;    // ext4 fast commits after the log (not supported)
inline constexpr u32 kSupportedCompat = kCompatChecksum;
inline constexpr u32 kSupportedIncompat =
    kIncompatRevoke | kIncompat64Bit | kIncompatAsyncCommit | kIncompatCsumV2 | kIncompatCsumV3;

// s_checksum_type for csum v2/v3; the only type jbd2 writes with them.
inline constexpr u8 kChecksumTypeCrc32c = 4;
// h_chksum_type / h_chksum_size of a v1 commit block.
inline constexpr u8 kChecksumTypeCrc32 = 1;
inline constexpr u8 kChecksumSizeCrc32 = 4;

// Descriptor block tags. Two layouts:
//   csum v3: blocknr(4) flags(4) blocknr_high(4) checksum(4)        16 bytes
//   others:  blocknr(4) checksum(2) flags(2) [blocknr_high(4)]      8, +4 with 64bit, +2 with csum v2
// The low 16 bits of the flags sit at offset 6 in both.
inline constexpr usize kTagBlockLow = 0;
inline constexpr usize kTagChecksum16 = 4;
inline constexpr usize kTagFlags16 = 6;
inline constexpr usize kTag3Flags = 4;
inline constexpr usize kTagBlockHigh = 8;
inline constexpr usize kTag3Checksum = 12;

inline constexpr u32 kTagEscape = 0x1;     // the block started with kMagic, stored as zeros
inline constexpr u32 kTagSameUuid = 0x2;   // no 16-byte UUID follows this tag
inline constexpr u32 kTagDeleted = 0x4;    // block deleted by this transaction (unused by recovery)
inline constexpr u32 kTagLastTag = 0x8;    // the descriptor's last tag

// Revoke block: header, r_count (bytes used, header included), records.
inline constexpr usize kRevokeCount = 0x0C;
inline constexpr usize kRevokeHeaderSize = 16;

// Commit block.
inline constexpr usize kCommitChecksumType = 0x0C;
inline constexpr usize kCommitChecksumSize = 0x0D;
inline constexpr usize kCommitChecksum = 0x10;  // h_chksum[0]; h_chksum has 8 words
inline constexpr usize kCommitSeconds = 0x30;   // be64
inline constexpr usize kCommitNanoseconds = 0x38;

// The checksum tail of descriptor and revoke blocks with csum v2/v3.
inline constexpr usize kTailSize = 4;

inline constexpr u32 kMinBlockSize = 1024;
inline constexpr u32 kMaxBlockSize = 65536;

inline u32 load_be32(const u8* p) {
    return (u32(p[0]) << 24) | (u32(p[1]) << 16) | (u32(p[2]) << 8) | u32(p[3]);
}
inline u16 load_be16(const u8* p) { return u16((u16(p[0]) << 8) | p[1]); }
inline u64 load_be64(const u8* p) { return (u64(load_be32(p)) << 32) | load_be32(p + 4); }
inline void store_be16(u8* p, u16 v) {
    p[0] = u8(v >> 8);
    p[1] = u8(v);
}
inline void store_be32(u8* p, u32 v) {
    p[0] = u8(v >> 24);
    p[1] = u8(v >> 16);
    p[2] = u8(v >> 8);
    p[3] = u8(v);
}
inline void store_be64(u8* p, u64 v) {
    store_be32(p, u32(v >> 32));
    store_be32(p + 4, u32(v));
}

// Transaction IDs wrap at 2^32; "later" is decided on the difference, as
// jbd2's tid_gt does.
inline bool sequence_after(u32 a, u32 b) { return i32(a - b) > 0; }

}  // namespace mote::fs::jbd2
