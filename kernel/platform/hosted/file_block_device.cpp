#include "platform/hosted/file_block_device.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.hpp"
#include "core/loop.hpp"

namespace mote {

namespace {
// user_data of io_uring's own cancel operations, whose completions carry no
// request.
constexpr u64 kCancelTag = 1;
}  // namespace

FileBlockDevice::~FileBlockDevice() {
    if (m_ring_ready) io_uring_queue_exit(&m_ring);
    if (m_event_fd >= 0) close(m_event_fd);
    if (m_fd >= 0) close(m_fd);
}

Result<void> FileBlockDevice::open(const char* path, u64 create_size, Loop& loop) {
    m_loop = &loop;
    m_fd = ::open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    bool read_only = false;
    if (m_fd < 0 && (errno == EACCES || errno == EROFS)) {
        m_fd = ::open(path, O_RDONLY | O_CLOEXEC);
        read_only = true;
    }
    if (m_fd < 0) {
        log_error("blk", "cannot open {}: errno {}", path, errno);
        return Error::NotFound;
    }
    struct stat st;
    if (fstat(m_fd, &st) != 0) return Error::Io;
    u64 size = u64(st.st_size);
    if (size == 0 && !read_only) {
        if (ftruncate(m_fd, off_t(create_size)) != 0) return Error::Io;
        size = create_size;
    }
    if (size % kSectorSize)
        log_warn("blk", "{}: size {} is not a multiple of {}; the tail is not used", path, size, kSectorSize);

    if (io_uring_queue_init(kQueueDepth * 2, &m_ring, 0) < 0) return Error::Io;
    m_ring_ready = true;
    m_event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_event_fd < 0 || io_uring_register_eventfd(&m_ring, m_event_fd) < 0) return Error::Io;

    m_info.sectors = size / kSectorSize;
    m_info.sector_size = kSectorSize;
    m_info.queue_depth = kQueueDepth;
    m_info.read_only = read_only;
    m_info.max_sectors_per_request = 2048;  // 1 MiB
    return {};
}

void FileBlockDevice::start(BlockRequest& request) {
    if (m_issued >= kQueueDepth || !m_waiting.empty() || !issue(request)) m_waiting.push_back(request);
}

bool FileBlockDevice::issue(BlockRequest& request) {
    io_uring_sqe* sqe = io_uring_get_sqe(&m_ring);
    if (!sqe) return false;
    off_t offset = off_t(request.lba * kSectorSize);
    unsigned length = request.sectors * kSectorSize;
    switch (request.op) {
    case BlockOp::Read: io_uring_prep_read(sqe, m_fd, request.buffer.data(), length, offset); break;
    case BlockOp::Write: io_uring_prep_write(sqe, m_fd, request.buffer.data(), length, offset); break;
    case BlockOp::Flush: io_uring_prep_fsync(sqe, m_fd, 0); break;
    }
    io_uring_sqe_set_data(sqe, &request);
    request.start();
    ++m_issued;
    // One io_uring_enter per request keeps the latency of a lone request
    // low; batching across a loop turn is a possible later optimisation.
    io_uring_submit(&m_ring);
    return true;
}

void FileBlockDevice::start_waiting() {
    while (m_issued < kQueueDepth && !m_waiting.empty()) {
        Request* next = m_waiting.front();
        auto& request = static_cast<BlockRequest&>(*next);
        m_waiting.remove(request);
        if (!issue(request)) {
            m_waiting.push_front(request);
            return;
        }
    }
}

void FileBlockDevice::on_completion_event() {
    u64 ignored;
    (void)!::read(m_event_fd, &ignored, sizeof(ignored));
    io_uring_cqe* cqe;
    while (io_uring_peek_cqe(&m_ring, &cqe) == 0) {
        u64 tag = cqe->user_data;
        int res = cqe->res;
        io_uring_cqe_seen(&m_ring, cqe);
        if (tag == kCancelTag) continue;
        auto& request = *reinterpret_cast<BlockRequest*>(tag);
        --m_issued;
        u64 expected = request.op == BlockOp::Flush ? 0 : u64(request.sectors) * kSectorSize;
        if (res == -ECANCELED) {
            finish(request, Error::Cancelled);
        } else if (res < 0) {
            finish(request, Error::Io);
        } else if (u64(res) != expected) {
            // A short transfer on a file we sized ourselves: the file shrank
            // under us. Report it rather than pretend.
            log_warn("blk", "{}: short {} at lba {} ({} of {} bytes)", name(), block_op_name(request.op),
                     request.lba, res, expected);
            finish(request, Error::Io);
        } else {
            request.set_value(expected);
            finish(request, Result<void>());
        }
    }
    start_waiting();
}

Result<void> FileBlockDevice::perform_polled(u64 lba, ReadonlyBytes data) {
    usize done = 0;
    while (done < data.size()) {
        ssize_t n = pwrite(m_fd, data.data() + done, data.size() - done, off_t(lba * kSectorSize + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Error::Io;
        done += usize(n);
    }
    if (fdatasync(m_fd) != 0) return Error::Io;
    return {};
}

void FileBlockDevice::cancel_request(Request& r) {
    auto& request = static_cast<BlockRequest&>(r);
    if (request.provider_node.is_linked()) {
        // Still waiting for a slot: withdraw it now.
        m_waiting.remove(request);
        finish(request, Error::Cancelled);
        return;
    }
    // In the host kernel: ask io_uring to cancel; the request's own
    // completion reports whether that worked (-ECANCELED) or it finished.
    io_uring_sqe* sqe = io_uring_get_sqe(&m_ring);
    if (!sqe) return;
    io_uring_prep_cancel(sqe, &request, 0);
    io_uring_sqe_set_data64(sqe, kCancelTag);
    io_uring_submit(&m_ring);
}

}  // namespace mote
