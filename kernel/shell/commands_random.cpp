// random N
#include "boot/kernel.hpp"
#include "crypto/csprng.hpp"
#include "shell/command.hpp"
#include "shell/shell.hpp"

namespace mote {

void command_random(Shell& shell, const Arguments& args) {
    constexpr u64 kMax = 1024;
    if (args.count() != 2) {
        shell.error("usage: random N");
        return;
    }
    auto n = args.number(1);
    if (n.is_error()) {
        shell.error("bad byte count '{}': {}", args[1], n.error());
        return;
    }
    if (n.value() == 0 || n.value() > kMax) {
        shell.error("byte count must be 1 to {}", kMax);
        return;
    }
    // The kernel CSPRNG, never a device directly: device entropy only seeds
    // it. Until enough entropy was credited it refuses rather than guess.
    Bytes out = shell.io_buffer().first(usize(n.value()));
    if (auto r = kernel_csprng().generate(out); r.is_error()) {
        if (r.error() == Error::WouldBlock)
            shell.error("the random generator is not seeded yet ({} of {} bits of entropy)",
                        kernel_entropy_pool().credited_bits(), Csprng::kSeedBits);
        else
            shell.error("random: {}", r.error());
        return;
    }
    for (usize row = 0; row < out.size(); row += 32) {
        FixedString<80> line;
        for (usize i = row; i < min(out.size(), row + 32); ++i) line.appendf("{:02x}", out[i]);
        line.append('\n');
        shell.write(line.view());
    }
}

}  // namespace mote
