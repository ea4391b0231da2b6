// fsck [-n|-y] [-m MEMORY] [DEVICE]: checks the ext2/ext3 filesystem on
// DEVICE (default dev/vda, reached through the dev capability) without
// mounting it. -n (the default) only looks and never writes; -y repairs
// what it can, one line per fix. Exit status: 0 clean, 1 problems found
// and all fixed, 2 usage, 4 problems left, 8 could not check, 12 the
// journal needs replaying first (mount once: the kernel replays it).
// A second -y run after a repair is clean.
#include "checker.hpp"
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

struct Device {
    Handle handle;
};

// Positioned I/O in whole blocks; the block layer may move fewer bytes
// than asked per call (its bounce buffer), so both loop.
Result<void> device_read(void* context, u64 offset, Bytes out) {
    auto& device = *static_cast<Device*>(context);
    usize done = 0;
    while (done < out.size()) {
        auto n = sys::read(device.handle, out.data() + done, out.size() - done, offset + done);
        if (n.is_error() || n.value() == 0) return Error::Io;
        done += n.value();
    }
    return {};
}

Result<void> device_write(void* context, u64 offset, ReadonlyBytes data) {
    auto& device = *static_cast<Device*>(context);
    usize done = 0;
    while (done < data.size()) {
        auto n = sys::write(device.handle, data.data() + done, data.size() - done, offset + done);
        if (n.is_error() || n.value() == 0) return Error::Io;
        done += n.value();
    }
    return {};
}

void* heap_allocate(usize bytes, void*) { return malloc(bytes); }
void heap_release(void* pointer, void*) { free(pointer); }

void print_line(void*, StringView line) { print_out("{}\n", line); }

}  // namespace

int main(int argc, char** argv) {
    bool fix = false;
    StringView path = "dev/vda";
    u64 memory = 256ull << 20;
    for (int i = 1; i < argc; ++i) {
        StringView word(argv[i]);
        if (word == "-n") {
            fix = false;
        } else if (word == "-y") {
            fix = true;
        } else if (word == "-m" && i + 1 < argc) {
            auto parsed = parse_size(StringView(argv[++i]));
            if (parsed.is_error()) {
                print_err("fsck: -m {}: {}\n", argv[i], parsed.error());
                return fsck::kExitUsage;
            }
            memory = parsed.value();
        } else if (!word.empty() && word[0] != '-') {
            path = word;
        } else {
            print_err("usage: fsck [-n|-y] [-m MEMORY] [DEVICE]\n");
            return fsck::kExitUsage;
        }
    }
    auto opened = open_path(path, fix ? abi::kOpenRead | abi::kOpenWrite : abi::kOpenRead);
    if (opened.is_error()) {
        print_err("fsck: {}: {}\n", path, opened.error());
        if (opened.error() == abi::Err::Busy)
            print_err("fsck: a mounted filesystem holds it; boot with mote.disk=none to repair it\n");
        return fsck::kExitFailed;
    }
    abi::Stat stat {};
    if (auto s = sys::stat(opened.value(), stat); s.is_error()) {
        print_err("fsck: {}: {}\n", path, s.error());
        return fsck::kExitFailed;
    }
    Device device {opened.value()};
    fsck::Disk disk {stat.size, device_read, device_write, &device};
    fsck::Allocator allocator {heap_allocate, heap_release, nullptr};
    fsck::Output output {print_line, nullptr};
    fsck::Options options;
    options.fix = fix;
    options.memory_limit = usize(memory);
    const u64 start = sys::clock();
    const fsck::Summary summary = fsck::check_filesystem(disk, allocator, output, options);
    const u64 ms = (sys::clock() - start) / 1'000'000;
    print_out("fsck: {}: {} in {} ms, {} KiB of memory\n", path, fsck::outcome_name(summary.outcome), ms,
              summary.memory_bytes / 1024);
    return fsck::exit_status(summary);
}
