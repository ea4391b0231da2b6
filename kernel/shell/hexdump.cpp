#include "shell/hexdump.hpp"

#include "shell/shell.hpp"

namespace mote {

void hexdump(Shell& shell, ReadonlyBytes bytes, u64 base_offset) {
    for (usize row = 0; row < bytes.size(); row += 16) {
        FixedString<96> line;
        line.appendf("{:08x}  ", base_offset + row);
        usize n = min<usize>(16, bytes.size() - row);
        for (usize i = 0; i < 16; ++i) {
            if (i < n) line.appendf("{:02x} ", bytes[row + i]);
            else line.append("   ");
            if (i == 7) line.append(' ');
        }
        line.append(" |");
        for (usize i = 0; i < n; ++i) {
            u8 c = bytes[row + i];
            line.append(c >= 0x20 && c < 0x7f ? char(c) : '.');
        }
        line.append("|\n");
        shell.write(line.view());
    }
}

}  // namespace mote
