#include "platform/hosted/host_random.hpp"

#include <errno.h>
#include <sys/random.h>

#include "crypto/entropy_pool.hpp"

namespace mote {

Result<void> seed_from_host_entropy() {
    // 64 bytes credited as 256 bits: the host's CSPRNG output is full
    // entropy, and the margin costs nothing.
    u8 bytes[64];
    usize done = 0;
    while (done < sizeof(bytes)) {
        ssize_t n = getrandom(bytes + done, sizeof(bytes) - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error::Io;
        }
        done += usize(n);
    }
    EntropyPool& pool = kernel_entropy_pool();
    auto id = pool.register_source("getrandom");
    if (id.is_error()) return id.error();
    pool.add(id.value(), ReadonlyBytes(bytes, sizeof(bytes)), 256);
    for (u8& b : bytes) b = 0;
    return {};
}

}  // namespace mote
