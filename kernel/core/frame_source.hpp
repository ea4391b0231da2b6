// FrameSource: where coroutine frames come from (core/task.hpp).
//
// A coroutine's locals live in a frame the compiler sizes, not on the
// kernel stack, so a filesystem operation can wait for the disk while the
// loop goes on with other work (ARCHITECTURE.md, "Composition"). The core
// only declares this interface; mm/frame_cache.hpp implements it with slab
// caches, and each CPU names its own source (Cpu::frames), so frames never
// move between CPUs and nothing here needs a lock.
//
// Failure is an answer, not a crash: allocate_frame returns nullptr and the
// coroutine that could not start reports Error::NoMemory to whoever awaited it.
#pragma once

#include "base/types.hpp"

namespace mote {

class FrameSource {
public:
    virtual void* allocate_frame(usize size) = 0;
    virtual void free_frame(void* frame, usize size) = 0;
    // Gives back frames kept for reuse, so memory reads as the live frames
    // alone need it (a memory report, a leak check).
    virtual void trim() {}

protected:
    ~FrameSource() = default;
};

}  // namespace mote
