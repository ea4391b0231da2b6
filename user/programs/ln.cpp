// ln [-s] TARGET NAME: a new name for a file (a hard link), or with -s a
// symbolic link NAME whose target is TARGET as written (resolved, when
// followed, from NAME's directory; it need not exist). When NAME is a
// directory, the link goes to NAME/<last component of TARGET>.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

int main(int argc, char** argv) {
    bool symbolic = false;
    int first = 1;
    if (argc > 1 && StringView(argv[1]) == "-s") {
        symbolic = true;
        first = 2;
    }
    if (argc - first != 2) {
        print_err("usage: ln [-s] TARGET NAME\n");
        return 2;
    }
    StringView target = argv[first];
    StringView name = argv[first + 1];
    char storage[abi::kNameMax * 4];
    if (auto dir = open_path(name, abi::kOpenRead | abi::kOpenDirectory); dir.ok()) {
        (void)sys::close(dir.value());
        name = join_path(name, base_name(target), Span<char>(storage, sizeof(storage)));
        if (name.empty()) {
            print_err("ln: {}: Overflow\n", argv[first + 1]);
            return 1;
        }
    }
    PathAt at = resolve_path(name);
    SysOr<void> made = abi::Err::InvalidArgument;
    if (symbolic) {
        made = sys::symlink(at.dir, at.path, target);
    } else {
        PathAt from = resolve_path(target);
        made = sys::link(from.dir, from.path, at.dir, at.path);
    }
    if (made.is_error()) {
        print_err("ln: {}: {}\n", name, made.error());
        return 1;
    }
    return 0;
}
