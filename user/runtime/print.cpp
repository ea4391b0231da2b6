#include "print.hpp"

#include "startup.hpp"

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

int show_sys_file(StringView program, StringView name) {
    char path[64];
    FormatBuffer text(Span<char>(path, sizeof(path)));
    format_append(text, "sys/{}", name);
    auto file = sys::open(root_dir(), text.view(), abi::kOpenRead);
    if (file.is_error()) {
        print_err("{}: {}: {}\n", program, text.view(), file.error());
        return 1;
    }
    auto copied = copy_stream(file.value(), std_out());
    (void)sys::close(file.value());
    if (copied.is_error()) {
        print_err("{}: {}\n", program, copied.error());
        return 1;
    }
    return 0;
}

}  // namespace mote::user
