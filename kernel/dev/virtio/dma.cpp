#include "dev/virtio/dma.hpp"

#include "base/checked.hpp"

namespace mote::virtio {

Result<usize> DmaSpace::translate(const void* data, usize length, Span<DmaSegment> out) {
    if (length == 0) return usize(0);
    uptr start = reinterpret_cast<uptr>(data);
    TRY(checked_add<uptr>(start, length));
    usize count = 0;
    usize done = 0;
    while (done < length) {
        uptr at = start + done;
        usize in_page = kPageSize - (at % kPageSize);
        usize piece = min(in_page, length - done);
        BusAddr bus = TRY(bus_address(reinterpret_cast<const void*>(at)));
        // Merge with the previous segment when the device would see one run
        // (and the merged length still fits a descriptor's 32-bit field).
        if (count && out[count - 1].bus + out[count - 1].length == bus &&
            u64(out[count - 1].length) + piece <= 0xffffffffu) {
            out[count - 1].length += u32(piece);
        } else {
            if (count == out.size()) return Error::Overflow;
            out[count++] = {bus, u32(piece)};
        }
        done += piece;
    }
    return count;
}

}  // namespace mote::virtio
