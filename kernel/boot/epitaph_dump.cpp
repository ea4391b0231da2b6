#include "boot/epitaph_dump.hpp"

#include "base/memory.hpp"
#include "base/parse_number.hpp"
#include "core/log.hpp"

namespace mote {

Result<DumpPlace> parse_dump_place(StringView text) {
    // DISK:SECTOR, the disk a block device's name ("vda"), the sector a
    // decimal number.
    usize colon = 0;
    while (colon < text.length() && text[colon] != ':') ++colon;
    if (colon == 0 || colon + 1 >= text.length()) return Error::Malformed;
    DumpPlace place;
    place.disk = text.substr(0, colon);
    if (place.disk.length() > 7) return Error::Malformed;
    for (char c : place.disk)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return Error::Malformed;
    auto sector = parse_u64(text.substr(colon + 1));
    if (sector.is_error()) return Error::Malformed;
    place.sector = sector.value();
    return place;
}

void EpitaphDump::start(BlockDevice& device, u64 sector, u64 avoid_sectors, EpitaphRecord& live,
                        PreviousBoot& previous) {
    VERIFY(m_state == State::Off);
    m_device = &device;
    m_sector = sector;
    m_live = &live;
    m_previous = &previous;
    m_place.clear();
    m_place.appendf("{} sectors {}..{}", device.name(), sector, sector + kSectors - 1);

    // Decode the place before touching the disk.
    const BlockInfo& info = device.info();
    if (info.sector_size != 512)
        return refuse("{} has {}-byte sectors; the dump area is in 512-byte ones", device.name(), info.sector_size);
    if (sector > info.sectors || info.sectors - sector < kSectors)
        return refuse("past the end of {} ({} sectors)", device.name(), info.sectors);
    if (sector < avoid_sectors)
        return refuse("inside the filesystem mounted from {} (its sectors 0..{}); put the area past it",
                      device.name(), avoid_sectors - 1);
    if (info.read_only) return refuse("{} is read-only", device.name());
    if (auto reserved = device.reserve_polled(kSectors); reserved.is_error())
        return refuse("{}'s driver cannot write without interrupts ({})", device.name(), reserved.error());

    m_request.set_callback(on_read, this);
    m_request.op = BlockOp::Read;
    m_request.lba = sector;
    m_request.sectors = kSectors;
    m_request.buffer = Bytes(m_buffer, kBytes);
    if (auto submitted = device.submit(m_request); submitted.is_error()) {
        m_state = State::Failed;
        log_warn("epitaph", "{}: cannot read the dump area: {}", m_place.view(), submitted.error());
        return;
    }
    m_state = State::Reading;
}

void EpitaphDump::log_refusal() {
    log_warn("epitaph", "mote.dump: {}: {}; no crash dump on disk this boot", m_place.view(), m_refusal.view());
}

void EpitaphDump::on_read(Request& request) {
    auto* self = static_cast<EpitaphDump*>(request.context());
    if (!request.ok()) {
        self->m_state = State::Failed;
        log_warn("epitaph", "{}: reading the dump area failed: {}", self->m_place.view(), request.error());
        return;
    }
    self->take_area();
}

void EpitaphDump::take_area() {
    // The area is untrusted input: a record that fails any check is not
    // one, and then only zeros make the area ours to write.
    EpitaphRecord& disk = m_disk_record;
    EpitaphFault fault = EpitaphFault::None;
    bool found = decode_epitaph(ReadonlyBytes(m_buffer, sizeof(EpitaphRecord)), disk, &fault).ok();
    // A record that starts with the magic but fails a later check is ours
    // too: a crash dump torn by a power cut must not lock the area.
    u64 magic = 0;
    mem_copy(&magic, m_buffer, sizeof(magic));
    if (!found && magic == kEpitaphMagic) {
        log_warn("epitaph", "{}: the dump area holds a damaged epitaph ({}); overwriting it", m_place.view(),
                 epitaph_fault_name(fault));
    } else if (!found) {
        for (usize i = 0; i < kBytes; ++i)
            if (m_buffer[i] != 0)
                return refuse("it holds data that is not an epitaph ({}, byte {} is {:#x}); left alone: fill it "
                              "with zeros to make it the dump area",
                              epitaph_fault_name(fault), i, m_buffer[i]);
        log_info("epitaph", "{}: an empty dump area, taken", m_place.view());
    }

    if (found && m_previous->found != PreviousBoot::Found::Record) {
        // RAM had nothing (a cold boot): the disk tells how the last boot
        // ended. When RAM has a record, it is the newer or the same one.
        m_previous->record = disk;
        m_previous->found = PreviousBoot::Found::Record;
        m_previous->fault = EpitaphFault::None;
        m_previous->place = m_place.view();
        m_previous->boot = disk.boot + 1;
        m_live->boot = m_previous->boot;
        m_live->seal();
        // Two lines: the second is the boot's usual one, whose cause can
        // fill a log line by itself.
        log_info("epitaph", "RAM held no record; the previous boot's is in {}", m_place.view());
        char storage[240];
        FormatBuffer line(Span<char>(storage, sizeof(storage)));
        format_previous_boot(line, *m_previous);
        if (disk.record_state() == EpitaphState::Clean) log_info("boot", "{}", line.view());
        else log_warn("boot", "{}", line.view());
    }

    // This boot's Running record replaces what was there: a boot that ends
    // without another word leaves it for the next one to find.
    mem_set(m_buffer, 0, kBytes);
    mem_copy(m_buffer, m_live, sizeof(EpitaphRecord));
    m_request.set_callback(on_written, this);
    m_request.op = BlockOp::Write;
    if (auto submitted = m_device->submit(m_request); submitted.is_error()) {
        m_state = State::Failed;
        log_warn("epitaph", "{}: cannot write the dump area: {}", m_place.view(), submitted.error());
        return;
    }
}

void EpitaphDump::on_written(Request& request) {
    auto* self = static_cast<EpitaphDump*>(request.context());
    if (!request.ok()) {
        self->m_state = State::Failed;
        log_warn("epitaph", "{}: writing the dump area failed: {}", self->m_place.view(), request.error());
        return;
    }
    if (self->m_request.op == BlockOp::Write) {
        // Through the device's cache before the area counts as ours: the
        // crash path's write must not race a write still in the device.
        self->m_request.op = BlockOp::Flush;
        self->m_request.sectors = 0;
        if (auto submitted = self->m_device->submit(self->m_request); submitted.is_error()) {
            self->m_state = State::Failed;
            log_warn("epitaph", "{}: cannot flush the dump area: {}", self->m_place.view(), submitted.error());
            return;
        }
        return;
    }
    self->m_state = State::Armed;
    log_info("epitaph", "a crash leaves its epitaph in {} too", self->m_place.view());
}

Result<void> EpitaphDump::write_now(const EpitaphRecord& record) {
    if (m_state != State::Armed) return Error::BadState;
    mem_set(m_buffer, 0, kBytes);
    mem_copy(m_buffer, &record, sizeof(EpitaphRecord));
    return m_device->write_polled(m_sector, ReadonlyBytes(m_buffer, kBytes));
}

const char* EpitaphDump::write_on_crash(const EpitaphRecord& record, void* context) {
    auto* self = static_cast<EpitaphDump*>(context);
    self->m_crash_words.clear();
    if (self->m_state != State::Armed) {
        self->m_crash_words.append("none (the dump area is not armed)");
        return self->m_crash_words.c_str();
    }
    auto written = self->write_now(record);
    if (written.ok()) self->m_crash_words.append(self->m_place.view());
    else self->m_crash_words.appendf("{} not written ({})", self->m_place.view(), written.error());
    return self->m_crash_words.c_str();
}

}  // namespace mote
