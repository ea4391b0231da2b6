// mkdir [-p] DIR...: makes directories (mode 0755). With -p, the missing
// directories on the way are made too, and one that exists already is not
// an error.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

bool is_directory(Handle dir, StringView path) {
    auto opened = sys::open(dir, path, abi::kOpenRead | abi::kOpenDirectory);
    if (opened.is_error()) return false;
    (void)sys::close(opened.value());
    return true;
}

// Makes every prefix of `path` ending at a '/' (and the whole) that is missing.
bool make_parents(Handle dir, StringView path, StringView shown) {
    for (usize end = 1; end <= path.length(); ++end) {
        if (end < path.length() && path[end] != '/') continue;
        if (path[end - 1] == '/') continue;  // "a//b": the prefix "a/" was done as "a"
        StringView prefix = path.substr(0, end);
        auto made = sys::mkdir(dir, prefix);
        if (made.ok()) continue;
        if (made.error() == abi::Err::Exists && is_directory(dir, prefix)) continue;
        print_err("mkdir: {}: {}\n", shown, made.error());
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    bool parents = false;
    int first = 1;
    if (argc > 1 && StringView(argv[1]) == "-p") {
        parents = true;
        first = 2;
    }
    if (first == argc) {
        print_err("usage: mkdir [-p] DIR...\n");
        return 2;
    }
    int status = 0;
    for (int i = first; i < argc; ++i) {
        PathAt at = resolve_path(argv[i]);
        if (parents) {
            if (!make_parents(at.dir, at.path, argv[i])) status = 1;
            continue;
        }
        auto made = sys::mkdir(at.dir, at.path);
        if (made.is_error()) {
            print_err("mkdir: {}: {}\n", argv[i], made.error());
            status = 1;
        }
    }
    return status;
}
