// echo [WORD...]: the words, separated by one space, and a newline.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (i > 1) (void)write_all(std_out(), " ");
        if (write_all(std_out(), argv[i]).is_error()) return 1;
    }
    return write_all(std_out(), "\n").is_error() ? 1 : 0;
}
