// A RAM disk for tests of what stands on the block layer: completions come
// through the loop like a real device's, requests can be held and finished
// out of order, failures injected, and every write and flush is logged (in
// order of completion) so tests can check what reached the "device" and when.
#pragma once

#include <cstring>
#include <deque>
#include <vector>

#include "dev/block_device.hpp"

namespace mote::test {

class MemoryDisk final : public BlockDevice {
public:
    struct LogEntry {
        BlockOp op;
        u64 lba;
        u32 sectors;
    };

    MemoryDisk(Loop& loop, u64 sectors, u32 max_sectors = 256, u32 queue_depth = 64) : data(sectors * 512) {
        m_loop = &loop;
        m_info.sectors = sectors;
        m_info.sector_size = 512;
        m_info.max_sectors_per_request = max_sectors;
        m_info.queue_depth = queue_depth;
    }
    StringView model() const override { return "memory"; }
    void set_read_only(bool read_only) { m_info.read_only = read_only; }

    void cancel_request(Request&) override {}  // finishes what it started

    // Hold requests instead of finishing them at once.
    bool hold = false;
    // Fail the next N reads/writes with Error::Io (counted down).
    int fail_reads = 0;
    int fail_writes = 0;

    // Finish the held request at `index` (in arrival order).
    void finish_held(usize index) {
        BlockRequest* r = held[index];
        held.erase(held.begin() + long(index));
        perform(*r);
    }
    void finish_all_held() {
        while (!held.empty()) finish_held(0);
    }

    u64 count(BlockOp op) const {
        u64 n = 0;
        for (const LogEntry& e : log)
            if (e.op == op) ++n;
        return n;
    }

    std::vector<u8> data;
    std::vector<LogEntry> log;
    std::deque<BlockRequest*> held;
    u64 reads_started = 0;

    // Polled writes (BlockDevice::write_polled): allowed unless cleared;
    // each is logged as a write then a flush.
    bool polled_supported = true;
    bool fail_polled = false;
    u64 polled_writes = 0;

protected:
    Result<void> prepare_polled(u32) override {
        if (!polled_supported) return Error::Unsupported;
        return {};
    }
    Result<void> perform_polled(u64 lba, ReadonlyBytes bytes) override {
        if (fail_polled) return Error::Io;
        std::memcpy(data.data() + lba * 512, bytes.data(), bytes.size());
        log.push_back({BlockOp::Write, lba, u32(bytes.size() / 512)});
        log.push_back({BlockOp::Flush, 0, 0});
        ++polled_writes;
        return {};
    }
    void start(BlockRequest& r) override {
        if (r.op == BlockOp::Read) ++reads_started;
        if (hold) {
            held.push_back(&r);
            return;
        }
        perform(r);
    }

private:
    void perform(BlockRequest& r) {
        usize bytes = usize(r.sectors) * 512;
        u8* at = data.data() + r.lba * 512;
        if (r.op == BlockOp::Read) {
            if (fail_reads > 0) {
                --fail_reads;
                finish(r, Error::Io);
                return;
            }
            std::memcpy(r.buffer.data(), at, bytes);
        } else if (r.op == BlockOp::Write) {
            if (fail_writes > 0) {
                --fail_writes;
                finish(r, Error::Io);
                return;
            }
            std::memcpy(at, r.buffer.data(), bytes);
        }
        if (r.op != BlockOp::Read) log.push_back({r.op, r.lba, r.sectors});
        finish(r, Result<void>());
    }
};

}  // namespace mote::test
