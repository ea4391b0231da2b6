// A failed VERIFY (base/verify.hpp) in a program: the report goes to
// stderr and the program exits with kPanicStatus. Bare-metal programs
// only; the hosted build has its own platform_panic.
#include "runtime.hpp"

namespace mote {

void platform_panic(const char* report) {
    user::print_err("{}", report);
    user::sys::exit(user::kPanicStatus);
}

}  // namespace mote
