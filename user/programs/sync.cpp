// sync [PATH...]: writes every change of the filesystems the paths are on
// to stable storage (sync with kSyncFilesystem); without paths, the root's
// and /mnt's (where there is one).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

bool sync_path(StringView path, bool quiet_missing) {
    auto handle = open_path(path, abi::kOpenRead);
    if (handle.is_error()) {
        if (quiet_missing && handle.error() == abi::Err::NotFound) return true;
        print_err("sync: {}: {}\n", path, handle.error());
        return false;
    }
    auto synced = sys::sync(handle.value(), abi::kSyncFilesystem);
    (void)sys::close(handle.value());
    if (synced.is_error()) {
        print_err("sync: {}: {}\n", path, synced.error());
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    int status = 0;
    if (argc < 2) {
        static const char* const kDefaults[] = {"/", "/mnt"};
        for (const char* path : kDefaults)
            if (!sync_path(path, true)) status = 1;
        return status;
    }
    for (int i = 1; i < argc; ++i)
        if (!sync_path(argv[i], false)) status = 1;
    return status;
}
