// mv SRC DST, mv SRC... DIR: renames. An existing DST file (or empty
// directory, for a directory) is replaced in the same step; when DST is a
// directory, or there are several sources, each goes to DIR/<last
// component of SRC>. Only within one filesystem (CrossDevice otherwise:
// nothing is copied).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

bool is_directory(StringView path) {
    auto dir = open_path(path, abi::kOpenRead | abi::kOpenDirectory);
    if (dir.is_error()) return false;
    (void)sys::close(dir.value());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        print_err("usage: mv SRC DST, or mv SRC... DIR\n");
        return 2;
    }
    StringView last = argv[argc - 1];
    bool into = is_directory(last);
    if (argc > 3 && !into) {
        print_err("mv: {}: NotDirectory\n", last);
        return 1;
    }
    int status = 0;
    for (int i = 1; i < argc - 1; ++i) {
        StringView source = argv[i];
        char storage[abi::kNameMax * 4];
        StringView target = into ? join_path(last, base_name(source), Span<char>(storage, sizeof(storage))) : last;
        if (target.empty()) {
            print_err("mv: {}: Overflow\n", source);
            status = 1;
            continue;
        }
        PathAt from = resolve_path(source);
        PathAt to = resolve_path(target);
        auto moved = sys::rename(from.dir, from.path, to.dir, to.path);
        if (moved.is_error()) {
            print_err("mv: {}: {}\n", source, moved.error());
            status = 1;
        }
    }
    return status;
}
