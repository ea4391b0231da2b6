#include "platform/hosted/host_memory.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace mote {

namespace {
// Descriptors below this are the ones a user program's process is given
// (hosted_user_platform.cpp); the kernel keeps its own above them.
constexpr int kFirstKernelFd = 64;
}  // namespace

HostMemory::Mapping::~Mapping() {
    if (base) munmap(base, size);
    if (fd >= 0) close(fd);
}

Result<void> HostMemory::init(u64 bytes) {
    if (ready()) return Error::BadState;
    if (bytes < kMinSize || bytes > kMaxSize || bytes % kPageSize) return Error::InvalidArgument;

    // A memfd rather than anonymous memory, so user programs' processes
    // can map frames of it. Untouched pages of a memfd cost nothing until
    // the allocator hands them out and someone writes them; MAP_NORESERVE
    // keeps a large arena from counting against overcommit up front.
    int created = memfd_create("mote-physical-memory", MFD_CLOEXEC);
    if (created < 0) return Error::NoMemory;
    int fd = fcntl(created, F_DUPFD_CLOEXEC, kFirstKernelFd);
    close(created);
    if (fd < 0) return Error::NoMemory;
    if (ftruncate(fd, off_t(bytes)) != 0) {
        close(fd);
        return Error::NoMemory;
    }
    void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
    if (base == MAP_FAILED) {
        close(fd);
        return Error::NoMemory;
    }

    // mmap returns page-aligned memory, so the offset is page-aligned too
    // (the allocator checks), and it may wrap: the direct map is modular.
    u64 offset = u64(reinterpret_cast<uptr>(base)) - kPhysBase;
    PhysRange ram {kPhysBase, bytes};
    if (Result<void> r = m_pages.initialize(Span<const PhysRange>(&ram, 1), offset); r.is_error()) {
        munmap(base, bytes);
        close(fd);
        return r.error();
    }
    m_mapping.base = base;
    m_mapping.size = bytes;
    m_mapping.fd = fd;
    return {};
}

}  // namespace mote
