// dd [if=PATH] [of=PATH] [bs=N] [count=N] [skip=N] [seek=N]: copies
// blocks of bs bytes (default 512; suffixes k, M, G) from `if` (default
// stdin), starting skip blocks in, to `of` (default stdout), starting seek
// blocks in, count blocks or until the input ends. Paths are relative to
// the working directory (dev/vda). Prints "N bytes in T ns (X MB/s)" on
// stderr.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

struct Options {
    StringView in, out;
    u64 block = 512;
    u64 count = ~u64(0);
    u64 skip = 0;
    u64 seek = 0;
};

bool parse_options(int argc, char** argv, Options& options) {
    for (int i = 1; i < argc; ++i) {
        StringView word(argv[i]);
        StringView value;
        if (match_option(word, "if", value)) {
            options.in = value;
            continue;
        }
        if (match_option(word, "of", value)) {
            options.out = value;
            continue;
        }
        u64* target = nullptr;
        if (match_option(word, "bs", value)) target = &options.block;
        else if (match_option(word, "count", value)) target = &options.count;
        else if (match_option(word, "skip", value)) target = &options.skip;
        else if (match_option(word, "seek", value)) target = &options.seek;
        if (!target) {
            print_err("dd: unknown operand {}\n", word);
            return false;
        }
        auto parsed = parse_size(value);
        if (parsed.is_error()) {
            print_err("dd: {}: {}\n", word, parsed.error());
            return false;
        }
        *target = parsed.value();
    }
    // A block must fit a single mapping comfortably.
    if (options.block == 0 || options.block > (u64(64) << 20)) {
        print_err("dd: bs must be 1 byte to 64M\n");
        return false;
    }
    return true;
}

// The offset of block `blocks` or an error if it does not fit in 64 bits.
bool block_offset(u64 blocks, u64 block, u64& offset) { return !__builtin_mul_overflow(blocks, block, &offset); }

}  // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parse_options(argc, argv, options)) {
        print_err("usage: dd [if=PATH] [of=PATH] [bs=N] [count=N] [skip=N] [seek=N]\n");
        return 2;
    }
    Handle in = std_in(), out = std_out();
    bool in_stream = options.in.empty(), out_stream = options.out.empty();
    if (!in_stream) {
        auto opened = open_path(options.in, abi::kOpenRead);
        if (opened.is_error()) {
            print_err("dd: {}: {}\n", options.in, opened.error());
            return 1;
        }
        in = opened.value();
    }
    if (!out_stream) {
        auto opened = open_path(options.out, abi::kOpenWrite);
        if (opened.is_error()) {
            print_err("dd: {}: {}\n", options.out, opened.error());
            return 1;
        }
        out = opened.value();
    }
    u64 in_offset = 0, out_offset = 0;
    if (!block_offset(options.skip, options.block, in_offset) ||
        !block_offset(options.seek, options.block, out_offset)) {
        print_err("dd: skip or seek is too large\n");
        return 2;
    }
    auto* buffer = static_cast<char*>(malloc(options.block));
    if (!buffer) {
        print_err("dd: no memory for a {}-byte block\n", options.block);
        return 1;
    }
    u64 total = 0;
    int status = 0;
    u64 start = sys::clock();
    for (u64 blocks = 0; blocks < options.count; ++blocks) {
        // Streams (the console) have no offsets: they use their own position.
        auto n = sys::read(in, buffer, options.block, in_stream ? abi::kCurrentOffset : in_offset + total);
        if (n.is_error()) {
            print_err("dd: read: {}\n", n.error());
            status = 1;
            break;
        }
        if (n.value() == 0) break;
        usize written = 0;
        while (written < n.value()) {
            auto w = sys::write(out, buffer + written, n.value() - written,
                                out_stream ? abi::kCurrentOffset : out_offset + total + written);
            if (w.is_error() || w.value() == 0) {
                print_err("dd: write: {}\n", w.is_error() ? w.error() : abi::Err::Io);
                status = 1;
                break;
            }
            written += w.value();
        }
        total += written;
        if (status) break;
    }
    u64 ns = max(sys::clock() - start, u64(1));
    // MB/s (10^6 bytes) with two decimals, in integers: bytes * 1e9 / ns / 1e6.
    u64 hundredths = total / ns * 100'000 + (total % ns) * 100'000 / ns;
    print_err("{} bytes in {} ns ({}.{:02} MB/s)\n", total, ns, hundredths / 100, hundredths % 100);
    free(buffer);
    return status;
}
