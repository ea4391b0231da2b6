// df [PATH...]: the filesystems the paths are on (/, /tmp and /mnt, where
// present, if none are named), their size, used and available space in
// human units, and their use:
//
//     Type          Size   Used  Avail Use% Mounted on
//     initramfs     1.2M   1.2M      0 100% /
//     ramfs          32M   8.0K    31M   0% /tmp
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

// Prints one line; `quiet_missing`: a default path that is not there is skipped.
bool show(StringView path, bool quiet_missing) {
    auto handle = open_path(path, abi::kOpenRead);
    if (handle.is_error()) {
        if (quiet_missing && handle.error() == abi::Err::NotFound) return true;
        print_err("df: {}: {}\n", path, handle.error());
        return false;
    }
    abi::FsStat stat {};
    auto got = sys::statfs(handle.value(), stat);
    (void)sys::close(handle.value());
    if (got.is_error()) {
        print_err("df: {}: {}\n", path, got.error());
        return false;
    }
    stat.type[sizeof(stat.type) - 1] = '\0';
    u64 size = stat.blocks * stat.block_size;
    u64 used = (stat.blocks - min(stat.free_blocks, stat.blocks)) * stat.block_size;
    u64 avail = stat.avail_blocks * stat.block_size;
    u64 percent = stat.blocks ? (stat.blocks - min(stat.free_blocks, stat.blocks)) * 100 / stat.blocks : 0;
    char texts[3][16];
    FormatBuffer size_text(Span<char>(texts[0], sizeof(texts[0])));
    FormatBuffer used_text(Span<char>(texts[1], sizeof(texts[1])));
    FormatBuffer avail_text(Span<char>(texts[2], sizeof(texts[2])));
    human_size(size, size_text);
    human_size(used, used_text);
    human_size(avail, avail_text);
    print_out("{:<10} {:>6} {:>6} {:>6} {:>3}% {}\n", StringView(stat.type), size_text.view(), used_text.view(),
              avail_text.view(), percent, path);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    print_out("{:<10} {:>6} {:>6} {:>6} {:>4} {}\n", "Type", "Size", "Used", "Avail", "Use%", "Mounted on");
    int status = 0;
    if (argc < 2) {
        static const char* const kDefaults[] = {"/", "/tmp", "/mnt"};
        for (const char* path : kDefaults)
            if (!show(path, true)) status = 1;
        return status;
    }
    for (int i = 1; i < argc; ++i)
        if (!show(argv[i], false)) status = 1;
    return status;
}
