// rm [-r] PATH...: removes names: files and symlinks (the link, never what
// it points to); with -r, directories and everything below them too.
// Each failure is reported (`rm: x: NotFound`) and the rest still go.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

// Removes `path` below `dir` and, with `recursive`, a directory's
// contents first. `shown` is what errors call it.
bool remove(Handle dir, StringView path, StringView shown, bool recursive) {
    auto removed = sys::unlink(dir, path);
    if (removed.ok()) return true;
    if (removed.error() != abi::Err::IsDirectory || !recursive) {
        print_err("rm: {}: {}\n", shown, removed.error());
        return false;
    }
    auto opened = sys::open(dir, path, abi::kOpenRead | abi::kOpenDirectory | abi::kOpenNoFollow);
    if (opened.is_error()) {
        print_err("rm: {}: {}\n", shown, opened.error());
        return false;
    }
    Handle inner = opened.value();
    bool ok = true;
    // Entries move up as earlier ones go: read from `kept`, the number of
    // entries that could not be removed.
    u64 kept = 0;
    for (;;) {
        abi::DirEntry entry;
        auto n = sys::readdir(inner, &entry, 1, kept);
        if (n.is_error()) {
            print_err("rm: {}: {}\n", shown, n.error());
            ok = false;
            break;
        }
        if (n.value() == 0) break;
        StringView name(entry.name, min(entry.name_length, abi::kNameMax));
        char storage[abi::kNameMax * 4];
        StringView inner_shown = join_path(shown, name, Span<char>(storage, sizeof(storage)));
        if (!remove(inner, name, inner_shown.empty() ? name : inner_shown, true)) {
            ok = false;
            ++kept;
        }
    }
    (void)sys::close(inner);
    if (!ok) return false;
    auto gone = sys::unlink(dir, path, abi::kUnlinkDirectory);
    if (gone.is_error()) {
        print_err("rm: {}: {}\n", shown, gone.error());
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    bool recursive = false;
    int first = 1;
    if (argc > 1 && StringView(argv[1]) == "-r") {
        recursive = true;
        first = 2;
    }
    if (first == argc) {
        print_err("usage: rm [-r] PATH...\n");
        return 2;
    }
    int status = 0;
    for (int i = first; i < argc; ++i) {
        PathAt at = resolve_path(argv[i]);
        if (!remove(at.dir, at.path, argv[i], recursive)) status = 1;
    }
    return status;
}
