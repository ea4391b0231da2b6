#include "platform/hosted/host_random.hpp"

#include <errno.h>
#include <sys/random.h>

namespace mote {

Result<void> HostRandom::fill(Bytes out) {
    usize done = 0;
    while (done < out.size()) {
        ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error::Io;
        }
        done += usize(n);
    }
    return {};
}

}  // namespace mote
