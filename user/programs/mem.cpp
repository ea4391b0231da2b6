// mem: prints sys/memory under the root directory (memory use, as the kernel
// reports it).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

int main(int, char**) {
    auto file = sys::open(root_dir(), "sys/memory", abi::kOpenRead);
    if (file.is_error()) {
        print_err("mem: sys/memory: {}\n", file.error());
        return 1;
    }
    auto copied = copy_stream(file.value(), std_out());
    (void)sys::close(file.value());
    if (copied.is_error()) {
        print_err("mem: {}\n", copied.error());
        return 1;
    }
    return 0;
}
