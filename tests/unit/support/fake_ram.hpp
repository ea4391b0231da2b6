// "Physical memory" for host tests of the page allocator and what stands
// on it: a page-aligned heap buffer at a pretend physical base.
#pragma once

#include <cstdlib>
#include <cstring>

#include "mm/phys_range.hpp"

namespace mote::test {

// "Physical memory" for the tests: a page-aligned heap buffer that pretends
// to sit at physical address kBase. The direct-map offset is therefore
// (buffer - kBase), so a physical address used as a pointer would be wild:
// any place the allocator forgets the direct map shows up under ASan.
class FakeRam {
public:
    static constexpr PhysAddr kBase = 0x8000'0000;

    explicit FakeRam(usize bytes) : m_size(bytes) {
        m_memory = static_cast<u8*>(std::aligned_alloc(kPageSize, bytes));
        std::memset(m_memory, kUntouched, bytes);
    }
    ~FakeRam() { std::free(m_memory); }
    FakeRam(const FakeRam&) = delete;
    FakeRam& operator=(const FakeRam&) = delete;

    static constexpr u8 kUntouched = 0xEE;

    u64 offset() const { return u64(reinterpret_cast<uptr>(m_memory)) - kBase; }
    PhysRange range(u64 start, u64 size) const { return {kBase + start, size}; }
    u8* at(PhysAddr phys) const { return m_memory + (phys - kBase); }
    usize size() const { return m_size; }

private:
    u8* m_memory;
    usize m_size;
};

inline constexpr usize kMiB = 1024 * 1024;

}  // namespace mote::test
