// Where a bare-metal boot leaves its epitaph (core/epitaph_record.hpp) for
// the next one: one page of RAM that a warm reset keeps.
//
// The page is the first 64 KiB boundary past the kernel image that lies in
// RAM and clear of every other reservation (firmware, devicetree,
// initramfs, ACPI tables). Everything that decides it (the image's size,
// where QEMU or the firmware puts the blob and the initramfs) is the same
// after a warm reset of the same machine with the same kernel, so the next
// boot looks at the same page. QEMU reloads only the image's own segments
// on a reset (zeroing its .bss), and the firmware on each ISA leaves RAM
// past the image alone (OpenSBI, the arm boot stub, SeaBIOS and its PVH
// option ROM), which the epitaph test checks on every machine. A cold boot
// finds garbage there, which the decoder refuses (BadMagic, almost always).
//
// Boot order: reserve() while the memory map is built (before the page
// allocator sees RAM), open() once the console is up: it decodes the
// previous record into previous_boot() and writes this boot's Running
// record. The crash path fills live() in place; at an orderly end the
// kernel marks it Clean (Machine::live_epitaph).
#pragma once

#include "core/epitaph_record.hpp"
#include "platform/bare_metal/memory_map.hpp"

namespace mote {

// Picks and reserves the page; false if no page fits (the boot then keeps
// no epitaph, and says so).
bool epitaph_reserve(MemoryMap& memory, u64 kernel_phys_end);
// Reads what the previous boot left and starts this boot's record.
void epitaph_open(u64 direct_map_offset);
// This boot's record in the reserved page; nullptr if there is none.
EpitaphRecord* epitaph_live();
// The page's physical address (0 if none).
u64 epitaph_phys();

}  // namespace mote
