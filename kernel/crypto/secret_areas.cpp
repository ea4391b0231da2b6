#include "crypto/secret_areas.hpp"

#include "base/memory.hpp"

namespace mote {

namespace {

struct Area {
    const u8* data;
    usize size;
};
Area g_areas[kMaxSecretAreas];
usize g_count = 0;

}  // namespace

bool register_secret_area(const void* data, usize size) {
    if (g_count == kMaxSecretAreas || !data || size == 0) return false;
    g_areas[g_count++] = {static_cast<const u8*>(data), size};
    return true;
}

bool is_secret_word(u64 value) {
    if (value == 0) return false;
    for (usize a = 0; a < g_count; ++a) {
        const Area& area = g_areas[a];
        for (usize at = 0; at + sizeof(u64) <= area.size; ++at) {
            u64 word;
            mem_copy(&word, area.data + at, sizeof(word));
            if (word == value) return true;
        }
    }
    return false;
}

void wipe_secret_areas() {
    for (usize a = 0; a < g_count; ++a) {
        mem_set(const_cast<u8*>(g_areas[a].data), 0, g_areas[a].size);
        asm volatile("" : : "r"(g_areas[a].data) : "memory");
    }
}

usize secret_area_count() { return g_count; }

}  // namespace mote
