#include "platform/bare_metal/epitaph_region.hpp"

#include "base/checked.hpp"
#include "core/previous_boot.hpp"

namespace mote {

namespace {

constexpr u64 kAlignment = 64 * 1024;
constexpr u64 kRegionSize = kPageSize;
constexpr u32 kMaxTries = 64;
static_assert(sizeof(EpitaphRecord) <= kRegionSize);

u64 g_phys = 0;
EpitaphRecord* g_live = nullptr;
FixedString<48> g_place;

bool overlaps(PhysRange a, PhysRange b) { return a.base < b.base + b.size && b.base < a.base + a.size; }

bool in_ram(const MemoryMap& memory, PhysRange range) {
    for (const PhysRange& ram : memory.ram())
        if (range.base >= ram.base && range.size <= ram.size && range.base - ram.base <= ram.size - range.size)
            return true;
    return false;
}

}  // namespace

bool epitaph_reserve(MemoryMap& memory, u64 kernel_phys_end) {
    u64 base = align_up(kernel_phys_end, kAlignment).value_or(0);
    for (u32 attempt = 0; base && attempt < kMaxTries; ++attempt, base += kAlignment) {
        PhysRange page {base, kRegionSize};
        if (!in_ram(memory, page)) continue;
        bool clear = true;
        for (const Reservation& r : memory.reservations()) clear &= !overlaps(page, r.range);
        if (!clear) continue;
        memory.reserve(page, "epitaph (kept across warm resets)");
        g_phys = base;
        return true;
    }
    return false;
}

void epitaph_open(u64 direct_map_offset) {
    PreviousBoot& previous = previous_boot();
    if (!g_phys) {
        previous.found = PreviousBoot::Found::NoPlace;
        return;
    }
    auto* page = reinterpret_cast<EpitaphRecord*>(g_phys + direct_map_offset);
    g_place.clear();
    g_place.appendf("RAM {:#x}", g_phys);
    previous.place = g_place.view();
    EpitaphFault fault = EpitaphFault::None;
    auto decoded = decode_epitaph(ReadonlyBytes(reinterpret_cast<const u8*>(page), sizeof(EpitaphRecord)),
                                  previous.record, &fault);
    if (decoded.ok()) {
        previous.found = PreviousBoot::Found::Record;
        previous.boot = previous.record.boot + 1;
    } else {
        previous.found = PreviousBoot::Found::Nothing;
        previous.fault = fault;
        previous.boot = 1;
    }
    g_live = page;
    g_live->begin(EpitaphState::Running, previous.boot);
    g_live->seal();
}

EpitaphRecord* epitaph_live() { return g_live; }

u64 epitaph_phys() { return g_phys; }

}  // namespace mote
