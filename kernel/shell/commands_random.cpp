// random N
#include "boot/kernel.hpp"
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
    RandomSource* source = shell.kernel().random();
    if (!source) {
        shell.error("no random source on this machine");
        return;
    }
    Bytes out = shell.io_buffer().first(usize(n.value()));
    if (auto r = source->fill(out); r.is_error()) {
        shell.error("random source {} failed: {}", source->describe(), r.error());
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
