// mv SRC DST, mv SRC... DIR: renames. An existing DST file (or empty
// directory, for a directory) is replaced in the same step; when DST is a
// directory, or there are several sources, each goes to DIR/<last
// component of SRC>. Only within one filesystem (CrossDevice otherwise:
// nothing is copied).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

bool rename_one(StringView source, StringView target) {
    PathAt from = resolve_path(source);
    PathAt to = resolve_path(target);
    auto moved = sys::rename(from.dir, from.path, to.dir, to.path);
    if (moved.is_error()) {
        print_err("mv: {}: {}\n", source, moved.error());
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) { return for_each_source(argc, argv, "mv", rename_one); }
