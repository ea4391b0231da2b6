#include "fs/random_device.hpp"

#include "base/memory.hpp"
#include "crypto/csprng.hpp"

namespace mote {

Result<Outcome> RandomDevice::read(IoArgs& io) {
    if (io.length == 0) return Outcome::done(0);
    u64 length = min(io.length, kMaxRead);
    TRY(io.check_writable(io.buffer, length));
    // Generated in small pieces on the kernel stack; each piece is wiped
    // once copied, so no random bytes a program asked for stay behind.
    u8 piece[256];
    u64 done = 0;
    while (done < length) {
        usize n = usize(min<u64>(sizeof(piece), length - done));
        Bytes out(piece, n);
        auto generated = kernel_csprng().generate(out);
        if (generated.is_error()) {
            wipe(piece, sizeof(piece));
            if (done > 0) return Outcome::done(done);
            return generated.error();
        }
        auto copied = io.copy_out(io.buffer + done, ReadonlyBytes(piece, n));
        wipe(piece, sizeof(piece));
        if (copied.is_error()) return copied.error();
        done += n;
    }
    return Outcome::done(done);
}

Result<Outcome> RandomDevice::write(IoArgs&) { return Error::ReadOnly; }

Result<void> RandomDevice::stat(abi::Stat& stat) {
    stat = {};
    stat.type = u32(abi::NodeType::Device);
    stat.mode = 0444;
    return {};
}

u32 RandomDevice::poll_ready(u32 events) {
    return kernel_csprng().seeded() ? events & abi::kPollReadable : 0;
}

}  // namespace mote
