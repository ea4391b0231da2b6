// A block device backed by a host file, with real asynchronous I/O through
// io_uring: up to kQueueDepth requests are in the kernel at once, and their
// completions arrive through an eventfd that the hosted machine watches like
// an interrupt line.
//
// Requests beyond the queue depth wait in a FIFO (through their
// provider_node) and start as earlier ones complete.
#pragma once

#include <liburing.h>

#include "dev/block_device.hpp"

namespace mote {

class FileBlockDevice final : public BlockDevice {
public:
    static constexpr u32 kQueueDepth = 32;
    static constexpr u32 kSectorSize = 512;

    FileBlockDevice() = default;
    ~FileBlockDevice();

    // Opens (creating with `create_size` bytes if missing) the file. A file
    // that cannot be opened for writing is attached read-only.
    Result<void> open(const char* path, u64 create_size, Loop& loop);
    int event_fd() const { return m_event_fd; }
    StringView model() const override { return "host file (io_uring)"; }

    // Loop context, when the eventfd is readable: completes what finished.
    void on_completion_event();

    void cancel_request(Request& request) override;

private:
    void start(BlockRequest& request) override;
    // The polled write is a plain pwrite and fdatasync: the host's kernel
    // does the waiting.
    Result<void> prepare_polled(u32) override { return m_fd >= 0 ? Result<void>() : Result<void>(Error::BadState); }
    Result<void> perform_polled(u64 lba, ReadonlyBytes data) override;
    bool issue(BlockRequest& request);
    void start_waiting();

    int m_fd = -1;
    int m_event_fd = -1;
    bool m_ring_ready = false;
    io_uring m_ring {};
    u32 m_issued = 0;
    RequestQueue m_waiting;
};

}  // namespace mote
