// ls [-l] [PATH...]: the names in each directory (the working directory if
// none is named; "/x" is x under the root); a PATH that is not a directory
// is listed itself. -l gives one line per name:
//
//     drwxr-xr-x   2       3 2026-12-05 08:22 docs
//     -rw-r--r--   1      12 2026-12-05 08:22 notes
//     lrwxrwxrwx   1       5 2026-12-05 08:22 latest -> notes
//
// type and permission bits, link count, size in bytes, last modification
// (UTC) and the name; a symlink shows its target. A name that cannot be
// opened (a raw device without the dev capability) gets '?' fields.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

// One -l line for `name` below `dir`, shown as `shown`.
void long_line(Handle dir, StringView name, StringView shown) {
    auto opened = sys::open(dir, name, abi::kOpenRead | abi::kOpenNoFollow);
    abi::Stat stat {};
    if (opened.is_error() || sys::stat(opened.value(), stat).is_error()) {
        if (opened.ok()) (void)sys::close(opened.value());
        print_out("?????????? {:>3} {:>7} {:<16} {}\n", "?", "?", "?", shown);
        return;
    }
    char mode[11];
    mode_string(stat.type, stat.mode, mode);
    char date_text[32];
    FormatBuffer date(Span<char>(date_text, sizeof(date_text)));
    format_date(stat.mtime_ns, date);
    char target[abi::kNameMax * 4 + 1];
    usize target_length = 0;
    if (abi::NodeType(stat.type) == abi::NodeType::Symlink) {
        auto n = sys::read(opened.value(), target, sizeof(target) - 1, 0);
        if (n.ok()) target_length = n.value();
    }
    (void)sys::close(opened.value());
    if (target_length)
        print_out("{} {:>3} {:>7} {} {} -> {}\n", StringView(mode), stat.links, stat.size, date.view(), shown,
                  StringView(target, target_length));
    else
        print_out("{} {:>3} {:>7} {} {}\n", StringView(mode), stat.links, stat.size, date.view(), shown);
}

SysOr<void> list(Handle dir, bool long_format) {
    constexpr usize kBatch = 8;
    abi::DirEntry entries[kBatch];
    u64 index = 0;
    for (;;) {
        usize n = TRY(sys::readdir(dir, entries, kBatch, index));
        if (n == 0) return {};
        for (usize i = 0; i < n && i < kBatch; ++i) {
            const abi::DirEntry& entry = entries[i];
            StringView name(entry.name, min(entry.name_length, abi::kNameMax));
            if (long_format) long_line(dir, name, name);
            else print_out("{}\n", name);
        }
        index += n;
    }
}

// One PATH argument: a directory is listed, anything else shown itself.
bool show(StringView path, bool long_format, bool header) {
    PathAt at = resolve_path(path);
    auto dir = sys::open(at.dir, at.path, abi::kOpenRead | abi::kOpenDirectory);
    if (dir.is_error() && dir.error() != abi::Err::NotDirectory && dir.error() != abi::Err::NotFound) {
        print_err("ls: {}: {}\n", path, dir.error());
        return false;
    }
    if (dir.is_error()) {
        // A file, or a symlink (perhaps dangling): the name itself.
        auto itself = sys::open(at.dir, at.path, abi::kOpenRead | abi::kOpenNoFollow);
        if (itself.is_error()) {
            print_err("ls: {}: {}\n", path, itself.error());
            return false;
        }
        (void)sys::close(itself.value());
        if (long_format) long_line(at.dir, at.path, path);
        else print_out("{}\n", path);
        return true;
    }
    if (header) print_out("{}:\n", path);
    auto listed = list(dir.value(), long_format);
    (void)sys::close(dir.value());
    if (listed.is_error()) {
        print_err("ls: {}: {}\n", path, listed.error());
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    bool long_format = false;
    int first = 1;
    if (argc > 1 && StringView(argv[1]) == "-l") {
        long_format = true;
        first = 2;
    }
    if (first == argc) {
        auto listed = list(working_dir(), long_format);
        if (listed.is_error()) print_err("ls: {}\n", listed.error());
        return listed.is_error() ? 1 : 0;
    }
    int status = 0;
    for (int i = first; i < argc; ++i)
        if (!show(argv[i], long_format, argc - first > 1)) status = 1;
    return status;
}
