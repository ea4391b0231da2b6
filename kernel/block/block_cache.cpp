#include "block/block_cache.hpp"

#include "base/memory.hpp"
#include "core/request_awaiter.hpp"

namespace mote {

namespace {

u32 order_for_bytes(usize bytes) {
    u32 order = 0;
    while ((kPageSize << order) < bytes) ++order;
    return order;
}

}  // namespace

// ---- BufferRef ----------------------------------------------------------

BufferRef::BufferRef(Buffer& buffer) : m_buffer(&buffer) { buffer.m_cache->pin(buffer); }

BufferRef& BufferRef::operator=(BufferRef&& other) {
    if (this != &other) {
        reset();
        m_buffer = other.m_buffer;
        other.m_buffer = nullptr;
    }
    return *this;
}

void BufferRef::reset() {
    if (!m_buffer) return;
    Buffer* buffer = m_buffer;
    m_buffer = nullptr;
    buffer->m_cache->unpin(*buffer);
}

// ---- set-up -------------------------------------------------------------

BlockCache::BlockCache(BlockDevice& device, Loop& loop, PageAllocator& pages)
    : m_device(device), m_loop(loop), m_pages(pages) {}

BlockCache::~BlockCache() {
    if (!m_buffers) return;
    for (const BlockRun& run : m_runs) VERIFY_MSG(!run.busy, "block cache destroyed with a run in flight");
    if (m_staging_phys) m_pages.free(m_staging_phys, m_staging_order);
    VERIFY_MSG(m_pinned == 0, "block cache destroyed with pinned buffers");
    for (usize i = 0; i < m_buffer_count; ++i) {
        Buffer& buffer = m_buffers[i];
        VERIFY_MSG(buffer.m_state != Buffer::State::Reading && !buffer.m_writing,
                   "block cache destroyed with I/O in flight");
        if (buffer.m_lru_node.is_linked()) m_lru.remove(buffer);
        if (buffer.m_dirty_node.is_linked()) m_dirty.remove(buffer);
        if (buffer.m_hashed) hash_remove(buffer);
        buffer.~Buffer();
    }
    for (usize i = 0; i <= m_bucket_mask; ++i) m_buckets[i].~IntrusiveList();
    for (usize i = 0; i < m_data_page_count; ++i) m_pages.free(m_data_pages[i], 0);
    m_pages.free(m_data_pages_phys, m_data_pages_order);
    m_pages.free(m_buckets_phys, m_buckets_order);
    m_pages.free(m_headers_phys, m_headers_order);
}

Result<void> BlockCache::initialize(u32 block_size, usize buffers) {
    if (m_buffers) return Error::BadState;
    const BlockInfo& info = m_device.info();
    if (block_size == 0 || block_size > kPageSize || block_size % info.sector_size || kPageSize % block_size)
        return Error::InvalidArgument;
    if (buffers < 4) return Error::InvalidArgument;
    u32 sectors = block_size / info.sector_size;
    if (info.max_sectors_per_request && sectors > info.max_sectors_per_request) return Error::Unsupported;
    m_block_size = block_size;
    m_sectors_per_block = sectors;
    m_block_count = info.sectors / sectors;

    usize per_page = kPageSize / block_size;
    m_data_page_count = (buffers + per_page - 1) / per_page;
    buffers = m_data_page_count * per_page;  // use whole pages

    usize buckets = 1;
    while (buckets < buffers) buckets <<= 1;

    m_headers_order = order_for_bytes(buffers * sizeof(Buffer));
    m_buckets_order = order_for_bytes(buckets * sizeof(Buffer::HashList));
    m_data_pages_order = order_for_bytes(m_data_page_count * sizeof(PhysAddr));
    if (m_headers_order > kMaxPageOrder || m_buckets_order > kMaxPageOrder || m_data_pages_order > kMaxPageOrder)
        return Error::NoMemory;
    m_headers_phys = TRY(m_pages.allocate(m_headers_order));
    auto buckets_phys = m_pages.allocate(m_buckets_order);
    auto pages_phys = m_pages.allocate(m_data_pages_order);
    if (buckets_phys.is_error() || pages_phys.is_error()) {
        if (buckets_phys.ok()) m_pages.free(buckets_phys.value(), m_buckets_order);
        if (pages_phys.ok()) m_pages.free(pages_phys.value(), m_data_pages_order);
        m_pages.free(m_headers_phys, m_headers_order);
        return Error::NoMemory;
    }
    m_buckets_phys = buckets_phys.value();
    m_data_pages_phys = pages_phys.value();
    m_data_pages = static_cast<PhysAddr*>(m_pages.to_virtual(m_data_pages_phys));
    for (usize i = 0; i < m_data_page_count; ++i) {
        auto page = m_pages.allocate(0);
        if (page.is_error()) {
            for (usize j = 0; j < i; ++j) m_pages.free(m_data_pages[j], 0);
            m_pages.free(m_data_pages_phys, m_data_pages_order);
            m_pages.free(m_buckets_phys, m_buckets_order);
            m_pages.free(m_headers_phys, m_headers_order);
            return Error::NoMemory;
        }
        m_data_pages[i] = page.value();
    }

    m_buckets = static_cast<Buffer::HashList*>(m_pages.to_virtual(m_buckets_phys));
    for (usize i = 0; i < buckets; ++i) new (&m_buckets[i]) Buffer::HashList();
    m_bucket_mask = buckets - 1;

    m_buffers = static_cast<Buffer*>(m_pages.to_virtual(m_headers_phys));
    m_buffer_count = buffers;
    for (usize i = 0; i < buffers; ++i) {
        Buffer* buffer = new (&m_buffers[i]) Buffer();
        buffer->m_cache = this;
        buffer->m_data = static_cast<u8*>(m_pages.to_virtual(m_data_pages[i / per_page])) + (i % per_page) * block_size;
        buffer->m_request.set_callback(Buffer::io_completed, buffer);
        m_lru.push_back(*buffer);
    }
    // Staging for multi-block runs: optional (without it every block is
    // its own request).
    m_staging_order = order_for_bytes(kRuns * kStagingBytes);
    if (auto staging = m_pages.allocate(m_staging_order); staging.ok()) {
        m_staging_phys = staging.value();
        u8* base = static_cast<u8*>(m_pages.to_virtual(m_staging_phys));
        for (usize i = 0; i < kRuns; ++i) {
            m_runs[i].cache = this;
            m_runs[i].staging = base + i * kStagingBytes;
            m_runs[i].request.set_callback(run_completed, &m_runs[i]);
        }
    }
    return {};
}

// ---- the index ----------------------------------------------------------

Buffer* BlockCache::lookup(u64 block) {
    // Fibonacci hashing: blocks of one file are consecutive numbers.
    usize bucket = usize((block * 0x9E3779B97F4A7C15ull) >> 32) & m_bucket_mask;
    for (Buffer& buffer : m_buckets[bucket])
        if (buffer.m_block == block) return &buffer;
    return nullptr;
}

void BlockCache::hash_insert(Buffer& buffer) {
    usize bucket = usize((buffer.m_block * 0x9E3779B97F4A7C15ull) >> 32) & m_bucket_mask;
    m_buckets[bucket].push_back(buffer);
    buffer.m_hashed = true;
    ++m_cached;
}

void BlockCache::hash_remove(Buffer& buffer) {
    usize bucket = usize((buffer.m_block * 0x9E3779B97F4A7C15ull) >> 32) & m_bucket_mask;
    m_buckets[bucket].remove(buffer);
    buffer.m_hashed = false;
    --m_cached;
}

void BlockCache::pin(Buffer& buffer) {
    if (buffer.m_pins++ == 0) {
        ++m_pinned;
        if (buffer.m_lru_node.is_linked()) m_lru.remove(buffer);
    }
}

void BlockCache::unpin(Buffer& buffer) {
    VERIFY_MSG(buffer.m_pins > 0, "buffer unpinned more often than pinned");
    if (--buffer.m_pins > 0) return;
    --m_pinned;
    if (!buffer.m_hashed) {
        // A failed read left it without a block: reuse it first.
        m_lru.push_front(buffer);
    } else {
        m_lru.push_back(buffer);
    }
    m_free_waiters.wake_one(m_loop);
}

Buffer* BlockCache::take_free() {
    u32 writes_started = 0;
    for (Buffer& buffer : m_lru) {
        if (buffer.m_writing || buffer.m_state == Buffer::State::Reading) continue;
        if (buffer.m_dirty) {
            // Start it home so a later pass finds it clean; a handful per
            // pass keeps the device busy without flooding it.
            if (buffer.m_holds == 0 && writes_started < 8 && start_write_from(buffer)) ++writes_started;
            continue;
        }
        if (buffer.m_hashed) {
            hash_remove(buffer);
            ++m_stats.evictions;
        }
        buffer.m_state = Buffer::State::Empty;
        buffer.m_io_failed = false;
        buffer.m_prefetched = false;
        buffer.m_note = 0;
        return &buffer;
    }
    return nullptr;
}

u64 BlockCache::drop_clean() {
    u64 dropped = 0;
    for (Buffer& buffer : m_lru) {
        if (buffer.m_dirty || buffer.m_writing || buffer.m_holds || buffer.m_state == Buffer::State::Reading) continue;
        if (!buffer.m_hashed) continue;
        hash_remove(buffer);
        buffer.m_state = Buffer::State::Empty;
        buffer.m_prefetched = false;
        ++dropped;
    }
    return dropped;
}

// ---- I/O ----------------------------------------------------------------

Result<void> BlockCache::start_read(Buffer& buffer) {
    buffer.m_state = Buffer::State::Reading;
    buffer.m_request.op = BlockOp::Read;
    buffer.m_request.lba = buffer.m_block * m_sectors_per_block;
    buffer.m_request.sectors = m_sectors_per_block;
    buffer.m_request.buffer = Bytes(buffer.m_data, m_block_size);
    auto submitted = m_device.submit(buffer.m_request);
    if (submitted.is_error()) {
        buffer.m_state = Buffer::State::Empty;
        buffer.m_io_failed = true;
        ++m_stats.read_errors;
    }
    return submitted;
}

Result<void> BlockCache::start_write(Buffer& buffer) {
    VERIFY(buffer.m_dirty && !buffer.m_writing && buffer.m_holds == 0);
    buffer.m_request.op = BlockOp::Write;
    buffer.m_request.lba = buffer.m_block * m_sectors_per_block;
    buffer.m_request.sectors = m_sectors_per_block;
    buffer.m_request.buffer = Bytes(buffer.m_data, m_block_size);
    TRY(m_device.submit(buffer.m_request));
    // Clean from now on unless modified again (after prepare_modify, which
    // waits for this write to finish).
    buffer.m_writing = true;
    buffer.m_dirty = false;
    m_dirty.remove(buffer);
    return {};
}

void Buffer::io_completed(Request& request) { static_cast<Buffer*>(request.context())->m_cache->io_finished(
                                                  *static_cast<Buffer*>(request.context())); }

void BlockCache::io_finished(Buffer& buffer) {
    finish_buffer_io(buffer, buffer.m_request.op == BlockOp::Read, buffer.m_request.ok());
}

void BlockCache::finish_buffer_io(Buffer& buffer, bool read, bool ok) {
    buffer.m_in_run = false;
    if (read) {
        buffer.m_note = 0;
        if (ok) {
            buffer.m_state = Buffer::State::Valid;
            buffer.m_io_failed = false;
        } else {
            buffer.m_state = Buffer::State::Empty;
            buffer.m_io_failed = true;
            ++m_stats.read_errors;
            if (buffer.m_hashed) hash_remove(buffer);
        }
    } else {
        buffer.m_writing = false;
        if (ok) {
            ++m_stats.writes;
            buffer.m_io_failed = false;
        } else {
            // Still owed to the disk: dirty again, and the waiter hears of it.
            ++m_stats.write_errors;
            buffer.m_io_failed = true;
            if (!buffer.m_dirty) {
                buffer.m_dirty = true;
                m_dirty.push_back(buffer);
            }
        }
    }
    buffer.m_io_waiters.wake_all(m_loop);
    // A buffer that became clean and is unpinned can be reused.
    if (buffer.m_pins == 0) m_free_waiters.wake_one(m_loop);
}

// ---- multi-block runs ---------------------------------------------------

BlockRun* BlockCache::free_run() {
    if (!m_staging_phys) return nullptr;
    for (BlockRun& run : m_runs)
        if (!run.busy) return &run;
    return nullptr;
}

u32 BlockCache::run_limit() const {
    u32 limit = u32(kStagingBytes / m_block_size);
    if (limit > BlockRun::kMaxBlocks) limit = BlockRun::kMaxBlocks;
    const u32 max_sectors = m_device.info().max_sectors_per_request;
    if (max_sectors && limit > max_sectors / m_sectors_per_block) limit = max_sectors / m_sectors_per_block;
    return limit;
}

void BlockCache::run_completed(Request& request) {
    auto* run = static_cast<BlockRun*>(request.context());
    run->cache->run_finished(*run);
}

void BlockCache::run_finished(BlockRun& run) {
    const bool read = run.request.op == BlockOp::Read;
    const bool ok = run.request.ok();
    for (u32 i = 0; i < run.count; ++i) {
        Buffer& buffer = *run.buffers[i];
        if (read && ok) mem_copy(buffer.m_data, run.staging + usize(i) * m_block_size, m_block_size);
        finish_buffer_io(buffer, read, ok);
    }
    run.count = 0;
    run.busy = false;
}

bool BlockCache::start_write_from(Buffer& first) {
    BlockRun* run = free_run();
    const u32 limit = run_limit();
    if (!run || limit < 2) return start_write(first).ok();
    // `first` and the dirty, idle blocks right after it.
    run->count = 0;
    for (u64 block = first.m_block; run->count < limit && block < m_block_count; ++block) {
        Buffer* buffer = block == first.m_block ? &first : lookup(block);
        if (!buffer || !buffer->m_dirty || buffer->m_writing || buffer->m_holds ||
            buffer->m_state != Buffer::State::Valid)
            break;
        run->buffers[run->count++] = buffer;
    }
    if (run->count < 2) {
        run->count = 0;
        return start_write(first).ok();
    }
    for (u32 i = 0; i < run->count; ++i)
        mem_copy(run->staging + usize(i) * m_block_size, run->buffers[i]->m_data, m_block_size);
    run->request.op = BlockOp::Write;
    run->request.lba = first.m_block * m_sectors_per_block;
    run->request.sectors = run->count * m_sectors_per_block;
    run->request.buffer = Bytes(run->staging, usize(run->count) * m_block_size);
    if (m_device.submit(run->request).is_error()) {
        run->count = 0;
        return start_write(first).ok();
    }
    run->busy = true;
    ++m_stats.runs;
    m_stats.run_blocks += run->count;
    for (u32 i = 0; i < run->count; ++i) {
        Buffer& buffer = *run->buffers[i];
        buffer.m_in_run = true;
        buffer.m_writing = true;
        buffer.m_dirty = false;
        m_dirty.remove(buffer);
    }
    return true;
}

// ---- the public calls ---------------------------------------------------

BufferRef BlockCache::peek(u64 block) {
    Buffer* cached = block < m_block_count ? lookup(block) : nullptr;
    if (!cached || cached->m_state != Buffer::State::Valid) return {};
    if (cached->m_prefetched) {
        cached->m_prefetched = false;
        ++m_stats.readahead_used;
    }
    ++m_stats.hits;
    return BufferRef(*cached);
}

Task<BufferRef> BlockCache::read(u64 block) {
    if (BufferRef hit = peek(block)) return Task<BufferRef>(mote::move(hit));
    return read_waiting(block);
}

Task<BufferRef> BlockCache::read_waiting(u64 block) {
    if (block >= m_block_count) co_return Error::OutOfRange;
    while (true) {
        if (Buffer* cached = lookup(block)) {
            BufferRef ref(*cached);
            if (cached->m_prefetched) {
                cached->m_prefetched = false;
                ++m_stats.readahead_used;
            }
            if (cached->m_state == Buffer::State::Valid) {
                ++m_stats.hits;
                co_return mote::move(ref);
            }
            // Someone else's read (or a prefetch) is in flight: share it.
            ++m_stats.coalesced;
            while (cached->m_state == Buffer::State::Reading) co_await cached->m_io_waiters.wait();
            if (cached->m_state == Buffer::State::Valid) co_return mote::move(ref);
            co_return Error::Io;  // that read failed; the buffer left the index
        }
        Buffer* buffer = take_free();
        if (!buffer) {
            ++m_stats.buffer_waits;
            co_await m_free_waiters.wait();
            continue;  // the block may have arrived meanwhile
        }
        ++m_stats.misses;
        buffer->m_block = block;
        hash_insert(*buffer);
        BufferRef ref(*buffer);
        if (start_read(*buffer).is_error()) {
            hash_remove(*buffer);
            buffer->m_io_waiters.wake_all(m_loop);
            co_return Error::Io;
        }
        while (buffer->m_state == Buffer::State::Reading) co_await buffer->m_io_waiters.wait();
        if (buffer->m_state != Buffer::State::Valid) co_return Error::Io;
        co_return mote::move(ref);
    }
}

BufferRef BlockCache::zero_fill(Buffer& buffer, u64 block) {
    buffer.m_block = block;
    hash_insert(buffer);
    mem_set(buffer.m_data, 0, m_block_size);
    buffer.m_note = 0;
    buffer.m_state = Buffer::State::Valid;
    return BufferRef(buffer);
}

Task<BufferRef> BlockCache::get_zeroed(u64 block) {
    if (block >= m_block_count) return Error::OutOfRange;
    if (Buffer* cached = lookup(block)) {
        if (cached->m_state == Buffer::State::Valid) return Task<BufferRef>(BufferRef(*cached));
    } else if (Buffer* buffer = take_free()) {
        return Task<BufferRef>(zero_fill(*buffer, block));
    }
    return get_zeroed_waiting(block);
}

Task<BufferRef> BlockCache::get_zeroed_waiting(u64 block) {
    while (true) {
        if (Buffer* cached = lookup(block)) {
            BufferRef ref(*cached);
            while (cached->m_state == Buffer::State::Reading) co_await cached->m_io_waiters.wait();
            if (cached->m_state == Buffer::State::Valid) co_return mote::move(ref);
            continue;  // the read failed and left the index: start over
        }
        Buffer* buffer = take_free();
        if (!buffer) {
            ++m_stats.buffer_waits;
            co_await m_free_waiters.wait();
            continue;
        }
        co_return zero_fill(*buffer, block);
    }
}

Task<void> BlockCache::prepare_modify(BufferRef& ref) {
    if (ref.buffer().m_writing) return wait_for_write(ref);
    ref.buffer().m_note = 0;
    return Result<void> {};
}

Task<void> BlockCache::wait_for_write(BufferRef& ref) {
    Buffer& buffer = ref.buffer();
    while (buffer.m_writing) co_await buffer.m_io_waiters.wait();
    buffer.m_note = 0;
    co_return {};
}

Task<void> BlockCache::quiesce() {
    // A buffer with I/O in flight is pinned by nobody necessarily (a
    // prefetch, a write-back): wait on each such buffer in turn until a
    // full pass finds none.
    for (bool busy = true; busy;) {
        busy = false;
        for (usize i = 0; i < m_buffer_count; ++i) {
            Buffer& buffer = m_buffers[i];
            if (buffer.m_state == Buffer::State::Reading || buffer.m_writing) {
                busy = true;
                co_await buffer.m_io_waiters.wait();
            }
        }
    }
    co_return {};
}

void BlockCache::mark_dirty(BufferRef& ref) {
    Buffer& buffer = ref.buffer();
    VERIFY_MSG(!buffer.m_writing, "buffer modified while its write is in flight (prepare_modify first)");
    VERIFY(buffer.m_state == Buffer::State::Valid);
    buffer.m_note = 0;
    if (!buffer.m_dirty) {
        buffer.m_dirty = true;
        m_dirty.push_back(buffer);
    }
}

Task<void> BlockCache::write(Span<Buffer* const> buffers) {
    for (Buffer* buffer : buffers)
        if (buffer->m_holds) co_return Error::BadState;
    // Pin them all for the duration, so none is reused under us.
    for (Buffer* buffer : buffers) pin(*buffer);
    Error failure {};
    bool failed = false;
    // Start every write first (the device works on them together), then
    // wait; adjacent dirty blocks go out as runs.
    for (Buffer* buffer : buffers) {
        if (buffer->m_dirty && !buffer->m_writing && !start_write_from(*buffer)) {
            failed = true;
            failure = Error::Io;
        }
    }
    for (Buffer* buffer : buffers) {
        // A write that was already in flight when we came may predate the
        // latest change: wait for it, then write again if still dirty.
        while (buffer->m_writing || buffer->m_dirty) {
            if (!buffer->m_writing) {
                if (start_write(*buffer).is_error()) {
                    failed = true;
                    failure = Error::Io;
                    break;
                }
            }
            co_await buffer->m_io_waiters.wait();
            if (buffer->m_io_failed) {
                failed = true;
                failure = Error::Io;
                break;
            }
        }
    }
    for (Buffer* buffer : buffers) unpin(*buffer);
    if (failed) co_return failure;
    co_return {};
}

Task<void> BlockCache::write_one(BufferRef& ref) {
    Buffer* one = &ref.buffer();
    co_return co_await write(Span<Buffer* const>(&one, 1));
}

Task<void> BlockCache::flush() {
    BlockRequest request;
    request.op = BlockOp::Flush;
    request.lba = 0;
    request.sectors = 0;
    CO_TRY(co_await submit_and_wait(request, [&] { return m_device.submit(request); }));
    ++m_stats.flushes;
    co_return {};
}

Task<void> BlockCache::sync() {
    // Snapshot the dirty, unheld buffers (the list changes as writes start).
    constexpr usize kBatch = 64;
    Buffer* batch[kBatch];
    while (true) {
        usize n = 0;
        for (Buffer& buffer : m_dirty) {
            if (buffer.m_holds || n == kBatch) continue;
            batch[n++] = &buffer;
        }
        if (n > 0) {
            CO_TRY(co_await write(Span<Buffer* const>(batch, n)));
            continue;
        }
        // Writes someone else started: wait for them, so the flush below
        // covers them. A failed one is dirty again and is written above.
        bool waited = false;
        for (usize i = 0; i < m_buffer_count; ++i) {
            Buffer& buffer = m_buffers[i];
            if (!buffer.m_writing) continue;
            BufferRef ref(buffer);
            while (buffer.m_writing) co_await buffer.m_io_waiters.wait();
            if (buffer.m_io_failed) co_return Error::Io;
            waited = true;
        }
        if (!waited) break;
    }
    CO_TRY(co_await flush());
    co_return {};
}

void BlockCache::hold_home_write(Buffer& buffer) { ++buffer.m_holds; }

void BlockCache::release_home_write(Buffer& buffer) {
    VERIFY_MSG(buffer.m_holds > 0, "home write released more often than held");
    --buffer.m_holds;
}

u32 BlockCache::prefetch(u64 first, u32 count) {
    u32 started = 0;
    const u32 limit = run_limit();
    u64 block = first;
    const u64 end = first + count < m_block_count ? first + count : m_block_count;
    while (block < end) {
        if (lookup(block)) {
            ++block;
            continue;
        }
        // A run of uncached blocks, into clean buffers from the cold end;
        // never write anything to make room.
        BlockRun* run = free_run();
        Buffer* taken[BlockRun::kMaxBlocks];
        u32 n = 0;
        const u32 want = run && limit >= 2 ? limit : 1;
        while (n < want && block + n < end && !lookup(block + n)) {
            Buffer* buffer = m_lru.front();
            if (!buffer || buffer->m_pins || buffer->m_dirty || buffer->m_writing ||
                buffer->m_state == Buffer::State::Reading)
                break;
            if (buffer->m_hashed) {
                hash_remove(*buffer);
                ++m_stats.evictions;
            }
            buffer->m_block = block + n;
            buffer->m_io_failed = false;
            buffer->m_state = Buffer::State::Reading;
            hash_insert(*buffer);
            // The read holds no pin; the buffer stays off the cold end
            // while Reading because take_free skips it.
            m_lru.remove(*buffer);
            m_lru.push_back(*buffer);
            taken[n++] = buffer;
        }
        if (n == 0) break;
        bool submitted = false;
        if (n >= 2) {
            run->count = n;
            for (u32 i = 0; i < n; ++i) run->buffers[i] = taken[i];
            run->request.op = BlockOp::Read;
            run->request.lba = block * m_sectors_per_block;
            run->request.sectors = n * m_sectors_per_block;
            run->request.buffer = Bytes(run->staging, usize(n) * m_block_size);
            submitted = m_device.submit(run->request).ok();
            if (submitted) {
                run->busy = true;
                ++m_stats.runs;
                m_stats.run_blocks += n;
                for (u32 i = 0; i < n; ++i) taken[i]->m_in_run = true;
            } else {
                run->count = 0;
            }
        } else {
            taken[0]->m_state = Buffer::State::Empty;
            submitted = start_read(*taken[0]).ok();
        }
        if (!submitted) {
            for (u32 i = 0; i < n; ++i) {
                taken[i]->m_state = Buffer::State::Empty;
                if (taken[i]->m_hashed) hash_remove(*taken[i]);
            }
            break;
        }
        for (u32 i = 0; i < n; ++i) taken[i]->m_prefetched = true;
        m_stats.readahead += n;
        started += n;
        block += n;
    }
    return started;
}

u32 BlockCache::write_back(u32 limit) {
    u32 started = 0;
    Buffer* buffer = m_dirty.front();
    while (buffer && started < limit) {
        Buffer* next = m_dirty.next(*buffer);
        if (!buffer->m_holds && !buffer->m_writing && buffer->m_dirty && start_write_from(*buffer)) ++started;
        buffer = next;
    }
    return started;
}

BlockCacheStats BlockCache::stats() const {
    BlockCacheStats stats = m_stats;
    stats.buffers = m_buffer_count;
    stats.block_size = m_block_size;
    stats.cached = m_cached;
    stats.pinned = m_pinned;
    stats.dirty = m_dirty.size();
    return stats;
}

}  // namespace mote
