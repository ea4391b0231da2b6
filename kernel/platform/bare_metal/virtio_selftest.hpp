// The virtio self-test (command line mote.virtio_test=1), run by the QEMU
// tests in tests/qemu/test_virtio.py, which check its work from outside:
//
//   * reads LBAs 1000..1063, which the host filled with a known pattern
//     before boot, four 16-sector requests in flight at once; verifies
//     every byte in-kernel and prints the FNV-1a hash of the 32 KiB, which
//     the host compares with its own;
//   * writes another known pattern to LBAs 2000..2063 as 64 one-sector
//     requests in flight at once, then flushes; the host checks the image
//     file after QEMU exits;
//   * prints 16 bytes from the CSPRNG once virtio-rng has seeded it (the
//     host boots twice and compares);
//   * sends an ARP request for 10.0.2.2 (QEMU's user-network gateway) on
//     the first network device and waits for the reply.
//
// Prints "vtest: PASS|FAIL ..." lines, then "vtest: N passed, N failed" and
// powers off.
#pragma once

namespace mote {

class Kernel;
class PageAllocator;

// Runs on any platform that has attached its virtio devices; `pages` gives
// the 64 KiB of test buffers.
void start_virtio_selftest(Kernel& kernel, PageAllocator& pages);

// The patterns, shared with the host side of the test (see test_virtio.py).
constexpr unsigned char host_pattern(unsigned long long lba, unsigned i) {
    return static_cast<unsigned char>(lba * 31 + i * 7 + 0xa5);
}
constexpr unsigned char kernel_pattern(unsigned long long lba, unsigned i) {
    return static_cast<unsigned char>(lba * 13 + i * 3 + 0x3c);
}

}  // namespace mote
