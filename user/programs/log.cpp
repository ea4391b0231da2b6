// log: prints the kernel log. It needs the log capability (abi::kLogCap:
// etc/caps gives it to `log`); reading sys/log through a directory is
// privileged.
#include "runtime.hpp"

int main(int, char**) { return mote::user::show_capability("log", mote::user::log_cap(), "log"); }
