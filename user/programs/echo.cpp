// echo [WORD...]: the words, separated by one space, and a newline, in one
// write: a sys/ setting (`echo 7 > sys/timeslice_ms`) takes a whole value
// per write, and a pipe reader sees the line at once.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

int main(int argc, char** argv) {
    // The words came in argv, so they fit argv's limit (plus the newline).
    static char line[abi::kMaxArgvBytes + 1];
    usize length = 0;
    for (int i = 1; i < argc; ++i) {
        if (i > 1) line[length++] = ' ';
        for (const char* p = argv[i]; *p && length < abi::kMaxArgvBytes; ++p) line[length++] = *p;
    }
    line[length++] = '\n';
    return write_all(std_out(), StringView(line, length)).is_error() ? 1 : 0;
}
