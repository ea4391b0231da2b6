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

namespace {

// Finds `"key": N` in `json` and stores N in `value`; false if absent.
bool json_number(StringView json, StringView key, u64& value) {
    for (usize i = 0; i + key.length() + 4 < json.length(); ++i) {
        if (json[i] != '"' || json.substr(i + 1, key.length()) != key || json.substr(i + 1 + key.length(), 3) != "\": ")
            continue;
        value = 0;
        for (usize j = i + key.length() + 4; j < json.length() && json[j] >= '0' && json[j] <= '9'; ++j)
            value = value * 10 + u64(json[j] - '0');
        return true;
    }
    return false;
}

}  // namespace

u64 free_pages_now() {
    auto handle = sys::open(root_dir(), "sys/memory.json", abi::kOpenRead);
    if (handle.is_error()) return 0;
    static char text[4096];
    auto n = sys::read(handle.value(), text, sizeof(text) - 1, 0);
    (void)sys::close(handle.value());
    if (n.is_error()) return 0;
    StringView json(text, n.value());
    u64 free = 0, cached = 0;
    if (!json_number(json, "free_pages", free) || !json_number(json, "slab_cached_pages", cached)) return 0;
    return free + cached;
}

}  // namespace mote::user
