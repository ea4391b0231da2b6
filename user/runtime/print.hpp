// Formatted output to a handle, with the kernel's "{}" formatter
// (base/format.hpp: {:x}, {:>8}, {:#010x}, ... and abi::Err by name).
//
//     print_out("{} bytes in {} ns\n", bytes, ns);
//     print(handle, "{:>6} {}\n", size, name);
//
// One call formats into a kPrintMax-byte buffer on the stack and writes it
// whole; longer output is cut there (write_all has no limit). Output errors
// are ignored, as printf's usually are: a program whose stdout is gone has
// nobody to tell.
#pragma once

#include "base/format.hpp"
#include "startup.hpp"
#include "sys.hpp"

namespace mote::user {

inline constexpr usize kPrintMax = 1024;

// Writes all of `text`, looping over partial writes.
SysOr<void> write_all(Handle handle, StringView text);

// Copies `from` (at its own position) to `to` until `from` reports its end.
SysOr<void> copy_stream(Handle from, Handle to);

// The report programs (ps, mem, net, devices, uptime, log): copies the
// kernel's sys/<name> to stdout; on failure says why on stderr, as
// `program: sys/<name>: Error`. Returns main's exit status.
int show_sys_file(StringView program, StringView name);

// The kernel's free pages now: sys/memory.json's free_pages plus the
// slab_cached_pages that slab caches keep empty for reuse (in use by
// nothing); 0 if it cannot be read. Tests compare it before and after a
// workload, so a cache first used during the workload is not a leak.
u64 free_pages_now();

template <typename... Args>
void print(Handle handle, StringView fmt, const Args&... args) {
    char storage[kPrintMax];
    FormatBuffer out(Span<char>(storage, sizeof(storage)));
    format_append(out, fmt, args...);
    (void)write_all(handle, out.view());
}

template <typename... Args>
void print_out(StringView fmt, const Args&... args) {
    print(std_out(), fmt, args...);
}

template <typename... Args>
void print_err(StringView fmt, const Args&... args) {
    print(std_err(), fmt, args...);
}

}  // namespace mote::user
