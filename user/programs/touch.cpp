// touch FILE...: makes each file if it is missing (empty, mode 0644) and
// sets its access and modification times to now.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

int main(int argc, char** argv) {
    if (argc < 2) {
        print_err("usage: touch FILE...\n");
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; ++i) {
        auto file = open_path(argv[i], abi::kOpenWrite | abi::kOpenCreate);
        if (file.is_error()) {
            print_err("touch: {}: {}\n", argv[i], file.error());
            status = 1;
            continue;
        }
        auto set = sys::set_times(file.value(), abi::kTimeNow, abi::kTimeNow);
        if (set.is_error()) {
            print_err("touch: {}: {}\n", argv[i], set.error());
            status = 1;
        }
        (void)sys::close(file.value());
    }
    return status;
}
