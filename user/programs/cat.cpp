// cat [FILE...]: the files (relative to the working directory) one after
// the other on stdout, or stdin until its end when there are none.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

int main(int argc, char** argv) {
    if (argc < 2) {
        auto copied = copy_stream(std_in(), std_out());
        if (copied.is_error()) print_err("cat: stdin: {}\n", copied.error());
        return copied.is_error() ? 1 : 0;
    }
    int status = 0;
    for (int i = 1; i < argc; ++i) {
        auto file = open_path(argv[i], abi::kOpenRead);
        if (file.is_error()) {
            print_err("cat: {}: {}\n", argv[i], file.error());
            status = 1;
            continue;
        }
        auto copied = copy_stream(file.value(), std_out());
        if (copied.is_error()) {
            print_err("cat: {}: {}\n", argv[i], copied.error());
            status = 1;
        }
        (void)sys::close(file.value());
    }
    return status;
}
