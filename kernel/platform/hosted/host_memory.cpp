#include "platform/hosted/host_memory.hpp"

#include <sys/mman.h>

namespace mote {

HostMemory::Mapping::~Mapping() {
    if (base) munmap(base, size);
}

Result<void> HostMemory::init(u64 bytes) {
    if (ready()) return Error::BadState;
    if (bytes < kMinSize || bytes > kMaxSize || bytes % kPageSize) return Error::InvalidArgument;

    // Untouched pages cost nothing until the allocator hands them out and
    // someone writes them; MAP_NORESERVE keeps a large arena from counting
    // against the host's overcommit limit up front.
    void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return Error::NoMemory;

    // mmap returns page-aligned memory, so the offset is page-aligned too
    // (the allocator checks), and it may wrap: the direct map is modular.
    u64 offset = u64(reinterpret_cast<uptr>(base)) - kPhysBase;
    PhysRange ram {kPhysBase, bytes};
    if (Result<void> r = m_pages.initialize(Span<const PhysRange>(&ram, 1), offset); r.is_error()) {
        munmap(base, bytes);
        return r.error();
    }
    m_mapping.base = base;
    m_mapping.size = bytes;
    return {};
}

}  // namespace mote
