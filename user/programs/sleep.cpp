// sleep SECONDS: waits that long (fractions allowed: 0.25).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

int main(int argc, char** argv) {
    if (argc != 2) {
        print_err("usage: sleep SECONDS\n");
        return 2;
    }
    auto ns = parse_seconds(argv[1]);
    if (ns.is_error()) {
        print_err("sleep: {}: {}\n", argv[1], ns.error());
        return 2;
    }
    auto slept = sys::sleep(ns.value());
    if (slept.is_error()) {
        print_err("sleep: {}\n", slept.error());
        return 1;
    }
    return 0;
}
