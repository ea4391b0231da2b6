// random [N]: N bytes (default 16, at most 4096) from dev/random, the
// kernel CSPRNG, printed in hex, 32 bytes a line. Before the generator is
// seeded the kernel refuses (WouldBlock) rather than hand out guessable
// bytes, and so does this program.
#include "base/parse_number.hpp"
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {
constexpr u64 kMax = 4096;
}

int main(int argc, char** argv) {
    u64 count = 16;
    if (argc > 2) {
        print_err("usage: random [N]\n");
        return 2;
    }
    if (argc == 2) {
        auto n = parse_u64(StringView(argv[1]));
        if (n.is_error() || n.value() == 0 || n.value() > kMax) {
            print_err("random: bad byte count '{}' (1 to {})\n", argv[1], kMax);
            return 2;
        }
        count = n.value();
    }
    auto device = sys::open(root_dir(), "dev/random", abi::kOpenRead);
    if (device.is_error()) {
        print_err("random: dev/random: {}\n", device.error());
        return 1;
    }
    static u8 bytes[kMax];
    u64 got = 0;
    while (got < count) {
        auto n = sys::read(device.value(), bytes + got, count - got, 0);
        if (n.is_error() && n.error() == abi::Err::WouldBlock) {
            print_err("random: the kernel's generator is not seeded yet: no entropy source (virtio-rng, the CPU's"
                      " random instruction) has given it enough\n");
            return 1;
        }
        if (n.is_error() || n.value() == 0) {
            print_err("random: dev/random: {}\n", n.is_error() ? error_name(n.error()) : "end of file");
            return 1;
        }
        got += n.value();
    }
    (void)sys::close(device.value());
    static const char kHex[] = "0123456789abcdef";
    char line[2 * 32 + 1];
    for (u64 row = 0; row < count; row += 32) {
        usize length = 0;
        for (u64 i = row; i < count && i < row + 32; ++i) {
            line[length++] = kHex[bytes[i] >> 4];
            line[length++] = kHex[bytes[i] & 15];
        }
        line[length++] = '\n';
        print_out("{}", StringView(line, length));
    }
    return 0;
}
