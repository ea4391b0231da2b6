// The checker's frame: loading the superblock and descriptors, the memory
// it needs, the disk and inode-table access every pass uses, and the order
// of the passes.
#include "checker_state.hpp"

#include "base/memory.hpp"

namespace mote::fsck {

Checker::Checker(const Disk& disk, const Allocator& allocator, const Output& output, const Options& options)
    : m_disk(disk), m_allocator(allocator), m_output(output), m_options(options), m_fix(options.fix) {}

Checker::~Checker() {
    for (usize i = 0; i < m_allocation_count; ++i) m_allocator.release(m_allocations[i], m_allocator.context);
}

void* Checker::allocate(usize bytes) {
    if (bytes == 0) bytes = 1;
    if (m_allocation_count == sizeof(m_allocations) / sizeof(m_allocations[0])) return nullptr;
    if (m_options.memory_limit && m_allocated + bytes > m_options.memory_limit) return nullptr;
    void* p = m_allocator.allocate(bytes, m_allocator.context);
    if (!p) return nullptr;
    mem_set(p, 0, bytes);
    m_allocations[m_allocation_count++] = p;
    m_allocated += bytes;
    return p;
}

Result<Bits> Checker::allocate_bits(u32 count) {
    Bits bits;
    bits.count = count;
    bits.bytes = static_cast<u8*>(allocate((usize(count) + 7) / 8));
    if (!bits.bytes) return Error::NoMemory;
    return bits;
}

void Checker::say(StringView line) {
    if (m_output.line) m_output.line(m_output.context, line);
}

void Checker::count(Problem problem, bool fixed) {
    ++m_summary.problems;
    ++m_summary.by_problem[usize(problem)];
    if (fixed) ++m_summary.fixed;
}

Result<void> Checker::read_blocks(u32 block, u32 count, Bytes out) {
    const u64 offset = u64(block) * geometry().block_size;
    const u64 length = u64(count) * geometry().block_size;
    if (out.size() < length || offset + length > m_disk.size) return Error::OutOfRange;
    return m_disk.read(m_disk.context, offset, out.first(usize(length)));
}

Result<void> Checker::read_block(u32 block, Bytes out) { return read_blocks(block, 1, out); }

Result<void> Checker::write_block(u32 block, ReadonlyBytes data) {
    // The one path to the disk's write: -n never reaches it.
    VERIFY(m_fix);
    const u64 offset = u64(block) * geometry().block_size;
    if (data.size() != geometry().block_size || offset + data.size() > m_disk.size) return Error::OutOfRange;
    // Keep the inode-table cache the truth for the blocks it holds.
    if (m_table_count && block >= m_table_first && block < m_table_first + m_table_count)
        mem_copy(m_table + usize(block - m_table_first) * geometry().block_size, data.data(), data.size());
    return m_disk.write(m_disk.context, offset, data);
}

Result<Inode> Checker::read_inode(u32 number, Ext2Fault* fault) {
    const Geometry& g = geometry();
    const InodeLocation at = TRY(locate_inode(g, number, fault));
    const u32 table = m_groups[at.group].descriptor.inode_table;
    const u32 block = table + at.table_block;
    if (!(m_table_count && block >= m_table_first && block < m_table_first + m_table_count)) {
        // Read ahead through the rest of this group's table: passes go in
        // inode order.
        const u32 cache_blocks = u32(kTableCacheBytes / g.block_size);
        const u32 left = g.inode_table_blocks - at.table_block;
        m_table_count = 0;
        const u32 count = min(cache_blocks, left);
        TRY(read_blocks(block, count, Bytes(m_table, kTableCacheBytes)));
        m_table_first = block;
        m_table_count = count;
    }
    const usize offset = usize(block - m_table_first) * g.block_size + at.offset;
    return load_inode(g, ReadonlyBytes(m_table + offset, g.inode_size));
}

Result<void> Checker::write_inode(u32 number, const Inode& inode) {
    const Geometry& g = geometry();
    TRY(read_inode(number));  // brings its block into the cache
    const InodeLocation at = TRY(locate_inode(g, number));
    const u32 block = m_groups[at.group].descriptor.inode_table + at.table_block;
    u8* bytes = m_table + usize(block - m_table_first) * g.block_size;
    encode_inode(g, inode, Bytes(bytes + at.offset, g.inode_size));
    return write_block(block, ReadonlyBytes(bytes, g.block_size));
}

Result<void> Checker::write_superblock() {
    VERIFY(m_fix);
    encode_superblock(m_sb, Bytes(m_raw_superblock));
    return m_disk.write(m_disk.context, kSuperblockOffset, ReadonlyBytes(m_raw_superblock));
}

Result<void> Checker::write_descriptor(u32 group) {
    const DescriptorLocation at = geometry().descriptor_location(group);
    TRY(read_block(at.block, Bytes(m_work, geometry().block_size)));
    encode_group_descriptor(m_groups[group].descriptor, Bytes(m_work + at.offset, kGroupDescriptorSize));
    return write_block(at.block, ReadonlyBytes(m_work, geometry().block_size));
}

DirInfo* Checker::dir_info(u32 number) {
    // m_dirs is in inode order (pass 1 fills it in a sweep).
    u32 low = 0, high = m_dir_count;
    while (low < high) {
        const u32 mid = low + (high - low) / 2;
        if (m_dirs[mid].inode == number) return &m_dirs[mid];
        if (m_dirs[mid].inode < number) low = mid + 1;
        else high = mid;
    }
    return nullptr;
}

Result<void> Checker::clear_inode(u32 number, Inode& inode) {
    // Checking only, the inode stays what the disk says it is (as e2fsck
    // -n goes on): in use if it was, its bitmap bit expected set.
    if (!m_fix) return {};
    inode.links_count = 0;
    inode.dtime = m_now;
    m_types[number] = u8(FileType::Unknown);
    return write_inode(number, inode);
}

u32 Checker::allocate_block(u32 goal) {
    const Geometry& g = geometry();
    const u32 bits = g.blocks_count - g.first_data_block;
    const u32 start = goal >= g.first_data_block ? goal - g.first_data_block : 0;
    auto found = find_clear_bit(m_block_used.span(), bits, start);
    if (found.is_error()) return 0;
    m_block_used.set(found.value());
    return found.value() + g.first_data_block;
}

namespace {

struct LostFoundSearch {
    Checker* checker;
    StringView name;
    u32 number;
    FileType type;
    bool done;
    Error error;
    bool failed;
};

u32 try_insert(void* context, const BlockRef& ref) {
    auto& s = *static_cast<LostFoundSearch*>(context);
    Checker& c = *s.checker;
    if (s.done || s.failed || ref.level != 0 || !c.geometry().is_data_block(ref.block)) return ref.block;
    Bytes block(c.m_dir_block, c.geometry().block_size);
    if (auto r = c.read_block(ref.block, block); r.is_error()) {
        s.failed = true;
        s.error = r.error();
        return ref.block;
    }
    if (insert_entry(c.geometry(), block, s.name, s.number, s.type).is_error()) return ref.block;
    if (auto r = c.write_block(ref.block, block); r.is_error()) {
        s.failed = true;
        s.error = r.error();
        return ref.block;
    }
    s.done = true;
    return ref.block;
}

}  // namespace

Result<bool> Checker::add_to_lost_found(u32 number, FileType type) {
    VERIFY(m_fix);
    if (m_lost_found == 0 || !in_use(m_lost_found) || type_of(m_lost_found) != FileType::Directory) return false;
    const Geometry& g = geometry();
    FixedString<16> name;
    name.appendf("#{}", number);
    Inode dir = TRY(read_inode(m_lost_found));
    LostFoundSearch search {this, name.view(), number, g.filetype ? type : FileType::Unknown, false, Error::Io, false};
    TRY(walk_blocks(dir, try_insert, &search));
    if (search.failed) return search.error;
    if (search.done) return true;
    // Full: append a block, as long as it is a direct one.
    const u64 blocks = dir.size / g.block_size;
    if (blocks >= kDirectBlocks || dir.block[blocks] != 0) return false;
    const u32 fresh = allocate_block(dir.block[blocks ? blocks - 1 : 0]);
    if (fresh == 0) return false;
    Bytes block(m_dir_block, g.block_size);
    init_empty_directory_block(g, block);
    if (insert_entry(g, block, name.view(), number, search.type).is_error()) return false;
    TRY(write_block(fresh, block));
    dir.block[blocks] = fresh;
    dir.size += g.block_size;
    dir.sectors += g.block_size / 512;
    // An index would not know the new block.
    dir.flags &= ~kInodeFlagIndex;
    TRY(write_inode(m_lost_found, dir));
    return true;
}

Summary Checker::run() {
    auto fail = [&](Error error) {
        m_summary.outcome = Outcome::Failed;
        m_summary.error = error;
        m_summary.memory_bytes = m_allocated;
        note("cannot check: {}", error);
        return m_summary;
    };

    // Pass 0: the superblock, through the format layer.
    if (m_disk.size < kSuperblockOffset + kSuperblockSize) return fail(Error::OutOfRange);
    if (auto r = m_disk.read(m_disk.context, kSuperblockOffset, Bytes(m_raw_superblock)); r.is_error())
        return fail(r.error());
    Ext2Fault fault = Ext2Fault::None;
    const char* feature = nullptr;
    auto sb = decode_superblock(ReadonlyBytes(m_raw_superblock), &fault, &feature);
    if (sb.is_error()) {
        note("superblock: {}{}{}", ext2_fault_name(fault), feature ? " " : "", feature ? feature : "");
        return fail(sb.error());
    }
    m_sb = sb.value();
    const Geometry& g = m_sb.geometry;
    m_summary.inodes_count = g.inodes_count;
    m_summary.blocks_count = g.blocks_count;
    if (u64(g.blocks_count) * g.block_size > m_disk.size) {
        note("the filesystem has {} blocks; the disk holds {}", g.blocks_count, m_disk.size / g.block_size);
        return fail(Error::OutOfRange);
    }
    if (m_sb.needs_recovery) {
        report(Problem::NeedsRecovery, false,
               "the journal needs replaying (needs_recovery): mount the filesystem once, then check it");
        m_summary.outcome = Outcome::NeedsRecovery;
        return m_summary;
    }
    if (m_fix && m_sb.read_only) {
        note("feature {} is not understood: checking only", m_sb.read_only_feature);
        m_fix = false;
    }
    m_now = max(max(m_options.now, m_sb.write_time), max(m_sb.mkfs_time, g.inodes_count + 1));

    // Memory: buffers, then the descriptors, then the per-block and
    // per-inode state.
    for (auto& level : m_level)
        if (!(level = static_cast<u8*>(allocate(g.block_size)))) return fail(Error::NoMemory);
    m_dir_block = static_cast<u8*>(allocate(g.block_size));
    m_work = static_cast<u8*>(allocate(g.block_size));
    m_table = static_cast<u8*>(allocate(kTableCacheBytes));
    m_groups = static_cast<GroupState*>(allocate(sizeof(GroupState) * g.group_count));
    if (!m_dir_block || !m_work || !m_table || !m_groups) return fail(Error::NoMemory);
    for (u32 group = 0; group < g.group_count; ++group) {
        const DescriptorLocation at = g.descriptor_location(group);
        if (at.offset == 0 || group == 0)
            if (auto r = read_block(at.block, Bytes(m_work, g.block_size)); r.is_error()) return fail(r.error());
        u8 bytes[kGroupDescriptorSize];
        mem_copy(bytes, m_work + at.offset, sizeof bytes);
        auto first_try = decode_group_descriptor(g, group, ReadonlyBytes(bytes), &fault);
        if (first_try.is_error() && (fault == Ext2Fault::BadGroupFreeBlocks || fault == Ext2Fault::BadGroupFreeInodes ||
                                     fault == Ext2Fault::BadUsedDirsCount)) {
            // Counts pass 5 recomputes anyway: decode the locations without them.
            encode_group_descriptor(GroupDescriptor {}, Bytes(bytes));
            m_groups[group].counts_bad = true;
        }
        auto d = decode_group_descriptor(g, group, ReadonlyBytes(bytes), &fault);
        if (d.is_error()) {
            note("group {} descriptor: {}", group, ext2_fault_name(fault));
            return fail(d.error());
        }
        m_groups[group].descriptor = d.value();
    }
    const u32 block_bits = g.blocks_count - g.first_data_block;
    auto used = allocate_bits(block_bits);
    auto meta = allocate_bits(block_bits);
    auto dup = allocate_bits(block_bits);
    m_types = static_cast<u8*>(allocate(usize(g.inodes_count) + 1));
    m_links = static_cast<u16*>(allocate((usize(g.inodes_count) + 1) * sizeof(u16)));
    m_counted = static_cast<u16*>(allocate((usize(g.inodes_count) + 1) * sizeof(u16)));
    if (used.is_error() || meta.is_error() || dup.is_error() || !m_types || !m_links || !m_counted)
        return fail(Error::NoMemory);
    m_block_used = used.value();
    m_block_meta = meta.value();
    m_block_dup = dup.value();
    m_walk_budget = 2 * u64(g.blocks_count) + 64;

    // The fixed metadata of every group is in use before any file claims a block.
    for (u32 group = 0; group < g.group_count; ++group) {
        const GroupDescriptor& d = m_groups[group].descriptor;
        const u32 first = g.group_first_block(group);
        auto mark = [&](u32 block, u32 count) {
            for (u32 b = block; b < block + count; ++b) {
                m_block_used.set(block_bit(b));
                m_block_meta.set(block_bit(b));
            }
        };
        mark(first, g.group_metadata_blocks(group));
        mark(d.block_bitmap, 1);
        mark(d.inode_bitmap, 1);
        mark(d.inode_table, g.inode_table_blocks);
    }

    Result<void> step = process_orphans();
    if (step.ok()) step = pass1();
    if (step.ok() && m_dup_blocks) step = pass1b();
    bool rooted = true;
    if (step.ok()) step = pass2();
    if (step.ok()) {
        auto r = pass3();
        if (r.is_error()) step = r.error();
        else rooted = r.value();
    }
    if (step.ok() && rooted) step = pass4();
    if (step.ok() && rooted) step = pass5();
    if (step.is_error()) return fail(step.error());

    if (m_summary.problems == 0) m_summary.outcome = Outcome::Clean;
    else if (m_summary.fixed == m_summary.problems) m_summary.outcome = Outcome::Fixed;
    else m_summary.outcome = Outcome::ProblemsLeft;
    // Repaired whole: clean and error-free, as e2fsck leaves it.
    if (m_fix && m_summary.outcome == Outcome::Fixed) {
        m_sb.state = u16((m_sb.state | kStateValid) & ~kStateErrors);
        m_sb.last_check_time = m_now;
        if (auto r = write_superblock(); r.is_error()) return fail(r.error());
    }
    m_summary.memory_bytes = m_allocated;
    note("{} inodes, {} blocks used of {}; {} problems, {} fixed", m_summary.inodes_used, m_summary.blocks_used,
         g.blocks_count, m_summary.problems, m_summary.fixed);
    return m_summary;
}

Summary check_filesystem(const Disk& disk, const Allocator& allocator, const Output& output, const Options& options) {
    Checker checker(disk, allocator, output, options);
    return checker.run();
}

int exit_status(const Summary& summary) {
    switch (summary.outcome) {
    case Outcome::Clean: return kExitClean;
    case Outcome::Fixed: return kExitFixed;
    case Outcome::ProblemsLeft: return kExitProblems;
    case Outcome::NeedsRecovery: return kExitNeedsRecovery;
    case Outcome::Failed: return kExitFailed;
    }
    return kExitFailed;
}

const char* outcome_name(Outcome outcome) {
    switch (outcome) {
    case Outcome::Clean: return "Clean";
    case Outcome::Fixed: return "Fixed";
    case Outcome::ProblemsLeft: return "ProblemsLeft";
    case Outcome::NeedsRecovery: return "NeedsRecovery";
    case Outcome::Failed: return "Failed";
    }
    return "Unknown";
}

}  // namespace mote::fsck
