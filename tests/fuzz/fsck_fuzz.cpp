// Treats the input as an ext2 image (bytes past its end read as zeros, the
// disk as large as the superblock says, up to kMaxDisk) and runs fsck's
// checker over it: check only (which must not write), then repair, then
// check again. Any crash, sanitizer report or VERIFY failure is a bug, and
// so is a repair that claims to have fixed everything after which the next
// check still finds something: "a second run is clean".
//
// Seeds: seeds/fsck_fuzz (tests/fuzz/make_fsck_seeds.py).
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "base/verify.hpp"
#include "fs/ext2/superblock.hpp"
#include "fsck/checker.hpp"

using namespace mote;

namespace {

constexpr usize kMaxDisk = 16u << 20;

struct Image {
    std::vector<u8> bytes;
    bool writable = false;
    usize writes = 0;
};

Result<void> image_read(void* context, u64 offset, Bytes out) {
    auto& image = *static_cast<Image*>(context);
    VERIFY(offset + out.size() <= image.bytes.size());
    memcpy(out.data(), image.bytes.data() + offset, out.size());
    return {};
}

Result<void> image_write(void* context, u64 offset, ReadonlyBytes data) {
    auto& image = *static_cast<Image*>(context);
    VERIFY(image.writable);
    VERIFY(offset + data.size() <= image.bytes.size());
    memcpy(image.bytes.data() + offset, data.data(), data.size());
    ++image.writes;
    return {};
}

void* heap_allocate(usize bytes, void*) { return malloc(bytes); }
void heap_release(void* pointer, void*) { free(pointer); }
// MOTE_FUZZ_VERBOSE=1 prints fsck's report, to see why an input fails.
void discard(void*, StringView text) {
    static const bool verbose = getenv("MOTE_FUZZ_VERBOSE") != nullptr;
    if (verbose) fprintf(stderr, "%.*s\n", int(text.length()), text.data());
}

fsck::Summary check(Image& image, bool fix) {
    image.writable = fix;
    fsck::Disk disk {image.bytes.size(), image_read, image_write, &image};
    fsck::Allocator allocator {heap_allocate, heap_release, nullptr};
    fsck::Output output {discard, nullptr};
    fsck::Options options;
    options.fix = fix;
    options.memory_limit = 8u << 20;
    return fsck::check_filesystem(disk, allocator, output, options);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > kMaxDisk) return 0;
    // The disk: what the superblock claims (so the check gets going), not
    // past kMaxDisk, never shorter than the input.
    usize disk = size;
    if (size >= fs::ext2::kSuperblockOffset + fs::ext2::kSuperblockSize) {
        auto sb = fs::ext2::decode_superblock(
            ReadonlyBytes(data + fs::ext2::kSuperblockOffset, fs::ext2::kSuperblockSize));
        if (sb.ok()) {
            const u64 claimed = u64(sb.value().geometry.blocks_count) * sb.value().geometry.block_size;
            if (claimed > kMaxDisk) return 0;
            disk = max(disk, usize(claimed));
        }
    }
    Image image;
    image.bytes.assign(disk, 0);
    if (size) memcpy(image.bytes.data(), data, size);

    const fsck::Summary looked = check(image, false);
    VERIFY(image.writes == 0);
    VERIFY(looked.fixed == 0);
    const fsck::Summary repaired = check(image, true);
    if (repaired.outcome == fsck::Outcome::Fixed || repaired.outcome == fsck::Outcome::Clean) {
        image.writes = 0;
        const fsck::Summary again = check(image, false);
        VERIFY(again.outcome == fsck::Outcome::Clean);
    }
    return 0;
}
