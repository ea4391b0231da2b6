// ps: prints sys/processes under the root directory (the process table, as the kernel
// reports it).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

int main(int, char**) {
    auto file = sys::open(root_dir(), "sys/processes", abi::kOpenRead);
    if (file.is_error()) {
        print_err("ps: sys/processes: {}\n", file.error());
        return 1;
    }
    auto copied = copy_stream(file.value(), std_out());
    (void)sys::close(file.value());
    if (copied.is_error()) {
        print_err("ps: {}\n", copied.error());
        return 1;
    }
    return 0;
}
