// The process's one Heap, over sys::map: read-write pages, unmapped again
// when a large block is freed.
#include "heap.hpp"
#include "sys.hpp"

namespace mote::user {

namespace {

void* map_pages(usize length, void*) {
    auto mapped = sys::map(length, abi::kMapRead | abi::kMapWrite);
    return mapped.is_error() ? nullptr : mapped.value();
}

void unmap_pages(void* address, usize length, void*) { (void)sys::unmap(address, length); }

Heap g_heap(PageSource {map_pages, unmap_pages, nullptr});

}  // namespace

Heap& process_heap() { return g_heap; }

}  // namespace mote::user
