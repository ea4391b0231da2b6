// Crash-state testing for anything that writes a block device (a journal, a
// filesystem): record what reached the device and in which order, then
// rebuild every disk image a power cut could have left, and check each.
//
//   CrashRecorder   a RAM block device that logs every write (its sectors and
//                   bytes) and every flush, in the order the device took
//                   them. With delay_writes, a write completes on the next
//                   loop turn, so a flush issued before the caller saw its
//                   writes complete is logged before them and does not
//                   cover them (a real device's volatile cache behaves so).
//   enumerate_crash_states(base, events, options, callback)
//                   the model: after flush k completed, every write logged
//                   before it is on media; of the writes logged after it
//                   and before flush k + 1 (the window), any subset may be
//                   on media too, and a multi-sector write may be torn: only
//                   a prefix of its 512-byte sectors written. Writes that
//                   made it are applied in log order. For each k it
//                   produces every combination (lost, torn at a few
//                   prefixes, whole) per write of the window when there are
//                   at most options.exhaustive_limit of them, otherwise
//                   options.samples random ones plus every in-order prefix.
//                   It calls back with each image and says how many it made.
//   OverlayDisk     a block device over a crash image that keeps its own
//                   writes to the side (copy on write), so a callback can
//                   mount and repair the image without copying it.
//
// Nothing here knows about any filesystem; images are plain byte vectors.
#pragma once

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/deferred.hpp"
#include "core/loop.hpp"
#include "dev/block_device.hpp"

namespace mote::test {

inline constexpr u32 kCrashSectorSize = 512;

struct DiskEvent {
    enum class Kind : u8 { Write, Flush };
    Kind kind = Kind::Write;
    u64 lba = 0;          // Write: first sector
    std::vector<u8> bytes;  // Write: what was written (whole sectors)

    u32 sectors() const { return u32(bytes.size() / kCrashSectorSize); }
    bool is_flush() const { return kind == Kind::Flush; }
};

class CrashRecorder final : public BlockDevice {
public:
    // A device holding `initial` (a whole number of sectors), which is the
    // durable state before the first recorded event.
    CrashRecorder(Loop& loop, std::vector<u8> initial, u32 max_sectors = 256, u32 queue_depth = 64)
        : data(std::move(initial)), m_base(data), m_perform(perform_pending, this) {
        m_loop = &loop;
        m_info.sectors = data.size() / kCrashSectorSize;
        m_info.sector_size = kCrashSectorSize;
        m_info.max_sectors_per_request = max_sectors;
        m_info.queue_depth = queue_depth;
    }
    ~CrashRecorder() {
        if (m_perform.queued()) m_loop->cancel(m_perform);
    }
    StringView model() const override { return "crash-recorder"; }
    void cancel_request(Request&) override {}

    // Complete writes on the next loop turn instead of at once (see above).
    bool delay_writes = false;

    // The image with every write applied: what the device shows now.
    std::vector<u8> data;

    const std::vector<u8>& base() const { return m_base; }
    const std::vector<DiskEvent>& events() const { return m_events; }
    usize flushes() const { return m_flushes; }
    usize writes() const { return m_events.size() - m_flushes; }
    // Makes the present image the durable base and forgets the events (a
    // test records only the part of its workload it wants to crash).
    void restart() {
        VERIFY(m_pending.empty());
        m_base = data;
        m_events.clear();
        m_flushes = 0;
    }

protected:
    void start(BlockRequest& r) override {
        if (r.op == BlockOp::Write && delay_writes) {
            m_pending.push_back(&r);
            m_loop->defer(m_perform);
            return;
        }
        perform(r);
    }

private:
    static void perform_pending(Deferred& call) {
        auto* self = static_cast<CrashRecorder*>(call.context());
        std::vector<BlockRequest*> pending;
        pending.swap(self->m_pending);
        for (BlockRequest* r : pending) self->perform(*r);
    }

    void perform(BlockRequest& r) {
        const usize bytes = usize(r.sectors) * kCrashSectorSize;
        u8* at = data.data() + r.lba * kCrashSectorSize;
        if (r.op == BlockOp::Read) {
            std::memcpy(r.buffer.data(), at, bytes);
        } else if (r.op == BlockOp::Write) {
            std::memcpy(at, r.buffer.data(), bytes);
            DiskEvent e;
            e.kind = DiskEvent::Kind::Write;
            e.lba = r.lba;
            e.bytes.assign(r.buffer.data(), r.buffer.data() + bytes);
            m_events.push_back(std::move(e));
        } else {
            DiskEvent e;
            e.kind = DiskEvent::Kind::Flush;
            m_events.push_back(std::move(e));
            ++m_flushes;
        }
        finish(r, Result<void>());
    }

    std::vector<u8> m_base;
    std::vector<DiskEvent> m_events;
    usize m_flushes = 0;
    std::vector<BlockRequest*> m_pending;
    Deferred m_perform;
};

struct CrashOptions {
    // A window whose combinations number at most this is enumerated whole.
    u64 exhaustive_limit = 4096;
    // Otherwise this many random combinations (plus the in-order prefixes).
    usize samples = 512;
    // Torn variants per multi-sector write: prefixes of 1 .. sectors-1
    // sectors, spread evenly when there are more than this.
    u32 max_tears = 3;
    u64 seed = 0x5eed;
};

struct CrashState {
    usize flushes = 0;           // flushes completed: every write before the flushes-th is durable
    usize window_first = 0;      // event index of the window's first write
    std::vector<usize> writes;   // event indexes of the window's writes
    std::vector<u32> sectors;    // per window write: sectors that made it (0 lost, all = whole)
    bool sampled = false;        // from a sampled window

    // Durable writes: those before the window plus the ones the state keeps.
    std::string describe() const {
        std::string out = "after flush " + std::to_string(flushes) + ":";
        for (usize i = 0; i < writes.size(); ++i)
            out += " #" + std::to_string(writes[i]) + "=" + std::to_string(sectors[i]);
        return out;
    }
};

// Called with each crash image; return false to stop the enumeration.
using CrashCallback = std::function<bool(const std::vector<u8>& image, const CrashState& state)>;

namespace crash_detail {

// The prefix lengths a write of `sectors` sectors may be torn at.
inline std::vector<u32> tears(u32 sectors, u32 max_tears) {
    std::vector<u32> out;
    if (sectors < 2 || max_tears == 0) return out;
    const u32 possible = sectors - 1;
    if (possible <= max_tears) {
        for (u32 p = 1; p < sectors; ++p) out.push_back(p);
        return out;
    }
    for (u32 i = 0; i < max_tears; ++i) {
        const u32 p = 1 + u32(u64(possible - 1) * i / (max_tears - 1 ? max_tears - 1 : 1));
        if (out.empty() || out.back() != p) out.push_back(p);
    }
    return out;
}

inline void apply(std::vector<u8>& image, const DiskEvent& e, u32 sectors, std::vector<std::pair<u64, std::vector<u8>>>* undo) {
    const usize offset = usize(e.lba) * kCrashSectorSize;
    const usize bytes = usize(sectors) * kCrashSectorSize;
    if (undo) undo->push_back({offset, std::vector<u8>(image.begin() + long(offset), image.begin() + long(offset + bytes))});
    std::memcpy(image.data() + offset, e.bytes.data(), bytes);
}

}  // namespace crash_detail

// See the header comment. `base` is the durable image before events[0].
// Returns how many states it produced (callbacks made).
inline usize enumerate_crash_states(const std::vector<u8>& base, const std::vector<DiskEvent>& events,
                                    const CrashOptions& options, const CrashCallback& callback) {
    std::vector<u8> image = base;
    usize produced = 0;
    usize flushes = 0;
    usize at = 0;  // first event of the window
    bool stop = false;
    while (!stop) {
        // The window: writes up to the next flush (or the end).
        std::vector<usize> window;
        usize end = at;
        while (end < events.size() && !events[end].is_flush()) window.push_back(end++);

        // Choices per write: 0 lost, tears..., whole.
        std::vector<std::vector<u32>> choices;
        u64 combinations = 1;
        for (usize index : window) {
            std::vector<u32> c {0};
            for (u32 p : crash_detail::tears(events[index].sectors(), options.max_tears)) c.push_back(p);
            c.push_back(events[index].sectors());
            combinations = combinations > options.exhaustive_limit ? combinations : combinations * c.size();
            choices.push_back(std::move(c));
        }

        auto visit = [&](const std::vector<u32>& pick, bool sampled) {
            // "Nothing of this window" is the previous window's "all of it".
            if (flushes > 0 && std::all_of(pick.begin(), pick.end(), [](u32 s) { return s == 0; })) return;
            std::vector<std::pair<u64, std::vector<u8>>> undo;
            for (usize i = 0; i < window.size(); ++i)
                if (pick[i]) crash_detail::apply(image, events[window[i]], pick[i], &undo);
            CrashState state;
            state.flushes = flushes;
            state.window_first = at;
            state.writes = window;
            state.sectors = pick;
            state.sampled = sampled;
            ++produced;
            if (!callback(image, state)) stop = true;
            for (auto it = undo.rbegin(); it != undo.rend(); ++it)
                std::memcpy(image.data() + it->first, it->second.data(), it->second.size());
        };

        if (combinations <= options.exhaustive_limit) {
            std::vector<usize> digit(window.size(), 0);
            std::vector<u32> pick(window.size(), 0);
            for (bool more = true; more && !stop;) {
                for (usize i = 0; i < window.size(); ++i) pick[i] = choices[i][digit[i]];
                visit(pick, false);
                more = false;
                for (usize i = 0; i < window.size(); ++i) {
                    if (++digit[i] < choices[i].size()) {
                        more = true;
                        break;
                    }
                    digit[i] = 0;
                }
            }
        } else {
            // The in-order prefixes (what a device that keeps order leaves),
            // then random combinations.
            std::vector<u32> pick(window.size(), 0);
            for (usize n = 0; n <= window.size() && !stop; ++n) {
                for (usize i = 0; i < window.size(); ++i) pick[i] = i < n ? choices[i].back() : 0;
                visit(pick, true);
            }
            std::mt19937_64 random(options.seed ^ (u64(flushes) * 0x9E3779B97F4A7C15ull));
            for (usize s = 0; s < options.samples && !stop; ++s) {
                for (usize i = 0; i < window.size(); ++i) pick[i] = choices[i][random() % choices[i].size()];
                visit(pick, true);
            }
        }

        // Everything up to the flush ending the window becomes durable.
        for (usize index : window) crash_detail::apply(image, events[index], events[index].sectors(), nullptr);
        if (end >= events.size()) break;
        ++flushes;
        at = end + 1;
    }
    return produced;
}

// A block device over a crash image: reads see the image with this
// device's own writes on top; the image itself is never changed.
class OverlayDisk final : public BlockDevice {
public:
    OverlayDisk(Loop& loop, const std::vector<u8>& image, u32 max_sectors = 256) : m_image(image) {
        m_loop = &loop;
        m_info.sectors = image.size() / kCrashSectorSize;
        m_info.sector_size = kCrashSectorSize;
        m_info.max_sectors_per_request = max_sectors;
        m_info.queue_depth = 64;
    }
    StringView model() const override { return "overlay"; }
    void cancel_request(Request&) override {}

    // `length` bytes from byte `offset` as the device shows them.
    std::vector<u8> read(u64 offset, usize length) const {
        std::vector<u8> out(length);
        for (usize i = 0; i < length;) {
            const u64 sector = (offset + i) / kCrashSectorSize;
            const usize within = usize((offset + i) % kCrashSectorSize);
            const usize n = std::min(length - i, usize(kCrashSectorSize) - within);
            std::memcpy(out.data() + i, sector_data(sector) + within, n);
            i += n;
        }
        return out;
    }
    usize sectors_written() const { return m_written.size(); }
    u64 flushes = 0;

protected:
    void start(BlockRequest& r) override {
        for (u32 s = 0; s < r.sectors; ++s) {
            u8* buffer = r.buffer.data() + usize(s) * kCrashSectorSize;
            if (r.op == BlockOp::Read) {
                std::memcpy(buffer, sector_data(r.lba + s), kCrashSectorSize);
            } else if (r.op == BlockOp::Write) {
                auto& sector = m_written[r.lba + s];
                sector.assign(buffer, buffer + kCrashSectorSize);
            }
        }
        if (r.op == BlockOp::Flush) ++flushes;
        finish(r, Result<void>());
    }

private:
    const u8* sector_data(u64 sector) const {
        auto it = m_written.find(sector);
        return it != m_written.end() ? it->second.data() : m_image.data() + sector * kCrashSectorSize;
    }

    const std::vector<u8>& m_image;
    std::map<u64, std::vector<u8>> m_written;
};

}  // namespace mote::test
