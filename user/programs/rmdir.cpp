// rmdir DIR...: removes empty directories (NotEmpty otherwise).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

int main(int argc, char** argv) {
    if (argc < 2) {
        print_err("usage: rmdir DIR...\n");
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; ++i) {
        PathAt at = resolve_path(argv[i]);
        auto removed = sys::unlink(at.dir, at.path, abi::kUnlinkDirectory);
        if (removed.is_error()) {
            print_err("rmdir: {}: {}\n", argv[i], removed.error());
            status = 1;
        }
    }
    return status;
}
