#include "dev/block_device.hpp"

#include "base/checked.hpp"
#include "core/log.hpp"
#include "core/loop.hpp"

namespace mote {

const char* block_op_name(BlockOp op) {
    switch (op) {
    case BlockOp::Read: return "read";
    case BlockOp::Write: return "write";
    case BlockOp::Flush: return "flush";
    }
    return "?";
}

void BlockDevice::set_name(StringView name) {
    usize n = min(name.length(), sizeof(m_name) - 1);
    for (usize i = 0; i < n; ++i) m_name[i] = name[i];
    m_name[n] = '\0';
}

Result<void> BlockDevice::validate(const BlockRequest& r) const {
    if (r.op == BlockOp::Flush) return {};
    if (r.op != BlockOp::Read && r.op != BlockOp::Write) return Error::InvalidArgument;
    if (r.sectors == 0) return Error::InvalidArgument;
    if (r.op == BlockOp::Write && m_info.read_only) return Error::ReadOnly;
    if (m_info.max_sectors_per_request && r.sectors > m_info.max_sectors_per_request) return Error::InvalidArgument;
    TRY(check_range<u64>(r.lba, r.sectors, m_info.sectors));
    u64 bytes = TRY(checked_mul<u64>(r.sectors, m_info.sector_size));
    if (r.buffer.size() < bytes) return Error::Overflow;
    return {};
}

Result<void> BlockDevice::submit(BlockRequest& request) {
    VERIFY_MSG(m_loop, "block device used before it was attached to a loop");
    if (auto valid = validate(request); valid.is_error()) {
        ++m_stats.rejected;
        return valid.error();
    }
    request.accept(*this, *m_loop);
    ++m_stats.in_flight;
    start(request);
    return {};
}

Result<void> BlockDevice::reserve_polled(u32 sectors) {
    if (sectors == 0 || sectors > 64) return Error::InvalidArgument;
    if (m_info.read_only) return Error::ReadOnly;
    if (sectors <= m_polled_sectors) return {};
    TRY(prepare_polled(sectors));
    m_polled_sectors = sectors;
    return {};
}

Result<void> BlockDevice::write_polled(u64 lba, ReadonlyBytes data) {
    // Decode everything first: the crash path must not write a wild range.
    if (m_polled_sectors == 0) return Error::BadState;
    if (data.size() == 0 || data.size() % m_info.sector_size) return Error::InvalidArgument;
    u64 sectors = data.size() / m_info.sector_size;
    if (sectors > m_polled_sectors) return Error::Overflow;
    if (m_info.read_only) return Error::ReadOnly;
    TRY(check_range<u64>(lba, sectors, m_info.sectors));
    TRY(perform_polled(lba, data));
    ++m_stats.writes;
    m_stats.sectors_written += sectors;
    return {};
}

void BlockDevice::finish(BlockRequest& request, Result<void> result) {
    VERIFY(m_stats.in_flight > 0);
    --m_stats.in_flight;
    if (result.ok()) {
        switch (request.op) {
        case BlockOp::Read:
            ++m_stats.reads;
            m_stats.sectors_read += request.sectors;
            break;
        case BlockOp::Write:
            ++m_stats.writes;
            m_stats.sectors_written += request.sectors;
            break;
        case BlockOp::Flush: ++m_stats.flushes; break;
        }
        m_loop->complete(request);
        return;
    }
    if (result.error() != Error::Cancelled) {
        ++m_stats.errors;
        log_warn("blk", "{}: {} lba {} x{} failed: {}", name(), block_op_name(request.op), request.lba,
                 request.sectors, result.error());
    }
    m_loop->complete(request, result.error());
}

}  // namespace mote
