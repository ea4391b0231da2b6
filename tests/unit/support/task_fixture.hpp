// What coroutine tests need: a loop on a fake clock, memory, a frame cache
// installed as this CPU's frame source, and a way to run a root task to its
// end by turning the loop.
#pragma once

#include <optional>

#include "core/task.hpp"
#include "mm/frame_cache.hpp"
#include "fake_host.hpp"
#include "fake_ram.hpp"
#include "heap_frames.hpp"

namespace mote::test {

class TaskFixture {
public:
    explicit TaskFixture(usize bytes = 16 * kMiB) : ram(bytes), loop(host) {
        PhysRange range = ram.range(0, bytes);
        MUST(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()));
        frames.emplace(pages);
        m_previous = this_cpu().frames;
        this_cpu().frames = &*frames;
    }
    ~TaskFixture() {
        this_cpu().frames = m_previous;
        frames.reset();
    }

    // Starts `task` as a root and turns the loop until it ends (or
    // `max_turns` pass: then the result is empty).
    template <typename T>
    std::optional<Result<T>> run(Task<T> task, int max_turns = 10000) {
        std::optional<Result<T>> result;
        task.start([](void* context, Result<T>& r) { static_cast<std::optional<Result<T>>*>(context)->emplace(std::move(r)); },
                   &result);
        for (int i = 0; i < max_turns && !result; ++i) loop.turn(false);
        return result;
    }

    FakeRam ram;
    FakeHost host;
    Loop loop;
    PageAllocator pages;
    std::optional<FrameCache> frames;

protected:
    FrameSource* m_previous = nullptr;
};

}  // namespace mote::test
