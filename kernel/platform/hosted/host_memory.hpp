// HostMemory: the hosted kernel's "physical memory", a shared mapping of a
// memfd managed by the same PageAllocator as on bare metal, so the portable
// kernel (processes, slab caches, DMA-style buffers) can rely on mm/
// everywhere. Being a memfd, a frame is also an offset in a file that user
// programs' Linux processes map at their user addresses (the hosted
// UserPlatform, hosted_user_platform.hpp): kernel and program see the same
// bytes, as a kernel's direct map and a user mapping do on bare metal.
//
// Addresses: the arena pretends to be RAM at physical address kPhysBase, and
// the allocator's direct-map offset is (arena - kPhysBase). Physical
// addresses and pointers therefore differ, as they do on bare metal: code
// that uses a physical address as a pointer, or forgets the direct map,
// faults here instead of working by accident. kPhysBase is aligned far
// beyond the largest block (4 MiB), so every buddy block is aligned in both
// address spaces alike, and it is QEMU virt's RAM base, so hosted addresses
// look like riscv64/aarch64 ones in logs.
//
// Cost: the mapping is MAP_NORESERVE and the allocator never writes free
// memory it has not handed out, so an idle 64 MiB arena costs the host only
// the page records (1/512 of it: 128 KiB).
//
// Sanitizers: the arena comes from mmap, which ASan does not instrument, so
// an access beyond a block inside the arena is not reported (it is on the
// heap-backed FakeRam of the unit tests). A wild physical address used as a
// pointer still faults.
#pragma once

#include "mm/page_allocator.hpp"

namespace mote {

class HostMemory {
public:
    static constexpr PhysAddr kPhysBase = 0x8000'0000;
    static constexpr u64 kDefaultSize = u64(64) << 20;
    static constexpr u64 kMinSize = u64(1) << 20;
    static constexpr u64 kMaxSize = u64(64) << 30;

    HostMemory() = default;
    HostMemory(const HostMemory&) = delete;
    HostMemory& operator=(const HostMemory&) = delete;

    // Maps `bytes` (kMinSize .. kMaxSize, a whole number of pages) and
    // hands all of it to the page allocator.
    //   InvalidArgument  a size out of range or not page-aligned
    //   BadState         already initialised
    //   NoMemory         the host refused the mapping
    Result<void> init(u64 bytes);

    bool ready() const { return m_mapping.base != nullptr; }
    PageAllocator& pages() { return m_pages; }
    const PageAllocator& pages() const { return m_pages; }
    // The arena as physical memory: [kPhysBase, kPhysBase + size).
    PhysRange range() const { return {kPhysBase, m_mapping.size}; }
    // The memfd behind the arena (close-on-exec, numbered above the
    // descriptors a child is given) and a frame's offset in it.
    int fd() const { return m_mapping.fd; }
    u64 file_offset(PhysAddr frame) const { return frame - kPhysBase; }

private:
    // Owns the mapping. Declared before m_pages so it is destroyed after
    // it: the allocator's destructor walks free lists that live in the arena.
    struct Mapping {
        void* base = nullptr;
        u64 size = 0;
        int fd = -1;
        Mapping() = default;
        Mapping(const Mapping&) = delete;
        Mapping& operator=(const Mapping&) = delete;
        ~Mapping();
    };

    Mapping m_mapping;
    PageAllocator m_pages;
};

}  // namespace mote
