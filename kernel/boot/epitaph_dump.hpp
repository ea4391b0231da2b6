// EpitaphDump: the epitaph's copy on a disk (mote.dump=DISK:SECTOR), for
// what RAM cannot keep: a cold boot, a power cycle, a new QEMU process.
//
// The dump area is kSectors sectors from SECTOR on the named block device:
// one EpitaphRecord (core/epitaph_record.hpp), zero-padded. It is the user's
// disk, so Mote takes the area only when it is safe to:
//
//   * at boot the area is read first; it is taken only if it holds an
//     epitaph already or nothing but zeros. Anything else (a filesystem's
//     block, a partition table) is left alone with a log line that says
//     how to make the area usable (zero it);
//   * an area inside the mounted filesystem on the same disk is refused
//     (the filesystem may put a file there at any time);
//   * the area must lie on the disk and the disk must be writable.
//
// Then the area mirrors the RAM page: the previous boot's record is decoded
// (as untrusted input), and if RAM held none it becomes the previous boot's
// finding ("previous boot ended in a crash: ..." at boot, after a line
// that names the place, and in sys/epitaph with the place "vda sectors
// 2048..2055"); this boot's
// Running record is written over it. A crash writes the Crashed record by
// polling the disk (BlockDevice::write_polled, interrupts off); an orderly
// end writes the Clean one the same way. So a cold boot after a power cut
// finds Running: "ended without an epitaph".
#pragma once

#include "base/format.hpp"
#include "core/epitaph_record.hpp"
#include "core/loop.hpp"
#include "core/previous_boot.hpp"
#include "dev/block_device.hpp"

namespace mote {

// mote.dump=DISK:SECTOR ("vda:2048"): the device's name and the first
// sector of the area. Malformed for anything else.
struct DumpPlace {
    StringView disk;
    u64 sector = 0;
};
Result<DumpPlace> parse_dump_place(StringView text);

class EpitaphDump {
public:
    static constexpr u32 kSectors = 8;
    static constexpr usize kBytes = usize(kSectors) * 512;
    static_assert(sizeof(EpitaphRecord) <= kBytes);

    enum class State : u8 {
        Off,      // no mote.dump=, or not started yet
        Reading,  // reading the area at boot
        Refused,  // the area is not safe to write (`refusal()` says why)
        Armed,    // a crash writes here
        Failed,   // the disk failed a read or a write
    };

    EpitaphDump() = default;
    EpitaphDump(const EpitaphDump&) = delete;
    EpitaphDump& operator=(const EpitaphDump&) = delete;

    // Starts: validates the place, reserves the device's polled write, reads
    // the area. `live` is this boot's record (its boot number may be raised
    // to follow the disk's); `previous` what RAM gave, filled in from the
    // disk if RAM had nothing. `avoid_sectors`: the area must start at or
    // past this sector (the end of a filesystem mounted on the same disk),
    // 0 if nothing is mounted there. Errors are logged and leave the dump
    // Refused or Failed; the boot goes on without it.
    void start(BlockDevice& device, u64 sector, u64 avoid_sectors, EpitaphRecord& live, PreviousBoot& previous);

    State state() const { return m_state; }
    bool armed() const { return m_state == State::Armed; }
    // "vda sectors 2048..2055"
    StringView place() const { return m_place.view(); }
    StringView refusal() const { return m_refusal.view(); }

    // The crash path's writer (an EpitaphWriter): the sealed record, by
    // polling. Returns words for the report: the place, or why not.
    static const char* write_on_crash(const EpitaphRecord& record, void* self);
    // An orderly end: the Clean record, by polling (the loop has stopped).
    Result<void> write_now(const EpitaphRecord& record);

private:
    static void on_read(Request& request);
    static void on_written(Request& request);
    // Decides what the area held once it is read.
    void take_area();
    template <typename... Args>
    void refuse(StringView fmt, const Args&... args) {
        m_refusal.clear();
        m_refusal.appendf(fmt, args...);
        m_state = State::Refused;
        log_refusal();
    }
    void log_refusal();

    BlockDevice* m_device = nullptr;
    u64 m_sector = 0;
    EpitaphRecord* m_live = nullptr;
    PreviousBoot* m_previous = nullptr;
    State m_state = State::Off;
    FixedString<48> m_place;
    FixedString<160> m_refusal;
    BlockRequest m_request {on_read};
    // What the area held, decoded (4 KiB: kept here, not on the one
    // kernel stack).
    EpitaphRecord m_disk_record;
    alignas(64) u8 m_buffer[kBytes];
    // The crash path formats nothing: it returns this.
    FixedString<96> m_crash_words;
};

}  // namespace mote
