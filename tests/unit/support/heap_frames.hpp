// A FrameSource on the C heap, installed as the CPU's frame source for the
// whole unit-test binary unless a test installs its own (TaskFixture does,
// to count frames, and puts this one back afterwards).
#pragma once

#include <cstdlib>

#include "core/cpu.hpp"
#include "core/frame_source.hpp"

namespace mote::test {

class HeapFrames final : public FrameSource {
public:
    HeapFrames() {
        if (!this_cpu().frames) this_cpu().frames = this;
    }
    void* allocate_frame(usize size) override { return std::malloc(size); }
    void free_frame(void* frame, usize) override { std::free(frame); }
};

inline HeapFrames g_heap_frames;

}  // namespace mote::test
