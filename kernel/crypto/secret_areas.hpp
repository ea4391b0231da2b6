// The kernel's secrets in memory, named for the crash path: the CSPRNG's
// key and the entropy pool's state register themselves here.
//
// A crash report and an epitaph keep the cause (pc, fault address, the
// backtrace) but never a secret: a register whose value equals any 8 bytes
// of a registered area (at any offset) is scrubbed before it is printed or
// recorded, and the crash path then wipes the areas, since RAM survives a
// warm reset into the next boot. Zero never counts as a secret (an unseeded
// key is all zeros, and so are most registers).
//
// Interrupt- and crash-safe: a fixed table, no allocation, no locks.
#pragma once

#include "base/types.hpp"

namespace mote {

inline constexpr usize kMaxSecretAreas = 8;

// Registers `size` bytes at `data` for as long as the kernel runs. Returns
// false (and registers nothing) when the table is full.
bool register_secret_area(const void* data, usize size);
// Whether `value` (non-zero) equals 8 consecutive bytes of a registered area.
bool is_secret_word(u64 value);
// Zeroes every registered area.
void wipe_secret_areas();
usize secret_area_count();

}  // namespace mote
