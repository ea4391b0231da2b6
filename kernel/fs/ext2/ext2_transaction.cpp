// The seams between the filesystem's changes and the journal: every
// metadata block changed goes through modify()/dirty(), every file data
// block written through modify_data(), and each operation is bracketed by
// begin_change()/end_change().
#include "fs/ext2/ext2_fs.hpp"

namespace mote::fs::ext2 {

// Until the runtime journal lands, an ext3 volume whose journal is clean is
// used as ext2 (its journal left untouched); one that needs recovery is
// refused. Both are replaced by jbd2::Journal.
Task<void> Ext2Fs::open_journal() {
    if (m_sb.needs_recovery) co_return Error::Unsupported;
    co_return Result<void> {};
}
Task<void> Ext2Fs::close_journal() { return Result<void> {}; }
void Ext2Fs::destroy_journal() {}

Task<void> Ext2Fs::begin_change(u32 blocks) {
    (void)blocks;
    if (m_read_only) return Error::ReadOnly;
    return Result<void> {};
}

Task<void> Ext2Fs::end_change() {
    // The superblock's free counts, once per change rather than per block.
    if (m_sb_dirty) CO_TRY(co_await write_superblock());
    co_return Result<void> {};
}

Task<void> Ext2Fs::modify(BufferRef& buffer) { return m_cache.prepare_modify(buffer); }

void Ext2Fs::dirty(BufferRef& buffer) { m_cache.mark_dirty(buffer); }

Task<void> Ext2Fs::modify_data(BufferRef& buffer) { return m_cache.prepare_modify(buffer); }

void Ext2Fs::forget_metadata(u32 block) { (void)block; }

Task<void> Ext2Fs::commit() { return Result<void> {}; }

}  // namespace mote::fs::ext2
