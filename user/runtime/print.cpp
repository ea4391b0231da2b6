#include "print.hpp"

namespace mote::user {

SysOr<void> write_all(Handle handle, StringView text) {
    usize done = 0;
    while (done < text.length()) {
        usize n = TRY(sys::write(handle, text.data() + done, text.length() - done));
        // A handle that accepts nothing would loop forever.
        if (n == 0) return abi::Err::Io;
        done += n;
    }
    return {};
}

SysOr<void> copy_stream(Handle from, Handle to) {
    char buffer[4096];
    for (;;) {
        usize n = TRY(sys::read(from, buffer, sizeof(buffer)));
        if (n == 0) return {};
        TRY(write_all(to, StringView(buffer, n)));
    }
}

}  // namespace mote::user
