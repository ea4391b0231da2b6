// Block devices: the asynchronous sector interface that filesystems and
// dev/vda's file use, implemented by virtio-blk on bare metal and by a file on the
// hosted build.
//
// submit() decodes and validates the whole request first (operation, range,
// buffer size, read-only) and only then hands it to the driver: a request the
// driver sees is always well formed, and a rejected one never produces a
// completion (the error comes back from submit). The buffer belongs to the
// driver from a successful submit until the completion callback runs.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "core/request.hpp"
#include "core/timer.hpp"

namespace mote {

enum class BlockOp : u8 { Read, Write, Flush };

const char* block_op_name(BlockOp);

class BlockRequest : public Request {
public:
    using Request::Request;

    BlockOp op = BlockOp::Read;
    u64 lba = 0;       // first sector
    u32 sectors = 0;   // sector count (0 for Flush)
    Bytes buffer;      // at least sectors * sector_size bytes
};

struct BlockInfo {
    u64 sectors = 0;
    u32 sector_size = 512;
    u32 max_sectors_per_request = 0;  // 0: no limit beyond the buffer
    u32 queue_depth = 1;              // requests the device takes at once
    bool read_only = false;
};

struct BlockStats {
    u64 reads = 0;
    u64 writes = 0;
    u64 flushes = 0;
    u64 sectors_read = 0;
    u64 sectors_written = 0;
    u64 errors = 0;     // completions with an error other than Cancelled
    u64 rejected = 0;   // submits refused by validation
    u64 in_flight = 0;
};

class BlockDevice : public RequestProvider {
public:
    StringView name() const { return StringView(m_name, StringView::cstring_length(m_name)); }
    void set_name(StringView name);
    virtual StringView model() const = 0;
    const BlockInfo& info() const { return m_info; }
    const BlockStats& stats() const { return m_stats; }

    // Who owns the device's contents (a mounted filesystem, "ext2 at /mnt"),
    // or empty. Raw writes through dev/ are refused while it has one: they
    // would go behind the filesystem's cache and journal.
    StringView holder() const { return m_holder; }
    void set_holder(StringView holder) { m_holder = holder; }

    // Validates, then starts the request. Ok: exactly one completion follows.
    Result<void> submit(BlockRequest& request);

    // Polled writes: the crash path's (and the orderly end's) way to put a
    // few sectors on the disk when the loop no longer runs, perhaps with
    // interrupts off. reserve_polled(sectors), called once while the
    // kernel is healthy, sets aside what the write will need (a DMA buffer,
    // descriptors) so that write_polled neither allocates nor waits for an
    // interrupt: it writes `data` (whole sectors, at most the reserved
    // number) at `lba`, flushes the device's cache, and spins on the device
    // for at most kPolledLimit. Other requests that the device returns
    // meanwhile are completed as usual (their callbacks run when the loop
    // turns, if it ever does). Unsupported where the
    // driver has no polled path; Busy if the crash was inside the driver
    // (its queue may be half written: better no dump than a wild write).
    static constexpr Nanoseconds kPolledLimit = 2'000'000'000;
    Result<void> reserve_polled(u32 sectors);
    Result<void> write_polled(u64 lba, ReadonlyBytes data);

protected:
    BlockDevice() = default;
    ~BlockDevice() = default;

    // The driver's half of submit: the request is valid and accepted.
    virtual void start(BlockRequest& request) = 0;
    // Drivers call this instead of Loop::complete so the counters stay true.
    void finish(BlockRequest& request, Result<void> result);
    // The drivers' halves of the polled write (validated, within the
    // reserved size).
    virtual Result<void> prepare_polled(u32 sectors) {
        (void)sectors;
        return Error::Unsupported;
    }
    virtual Result<void> perform_polled(u64 lba, ReadonlyBytes data) {
        (void)lba, (void)data;
        return Error::Unsupported;
    }

    Loop* m_loop = nullptr;
    BlockInfo m_info;
    BlockStats m_stats;

private:
    Result<void> validate(const BlockRequest& request) const;
    char m_name[8] = "blk?";
    StringView m_holder;
    u32 m_polled_sectors = 0;  // reserved by reserve_polled
};

}  // namespace mote
