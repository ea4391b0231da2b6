// cp SRC DST, cp SRC... DIR: copies files. DST is replaced (created with
// mode 0644 if new); when it is a directory, or there are several sources,
// each copy goes to DIR/<last component of SRC>. Directories are not
// copied. Paths as everywhere: relative to the working directory, "/x"
// under the root.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

char g_buffer[16 * 1024];

// Copies `from` into the file `to`; prints what failed.
bool copy(StringView from, StringView to) {
    auto source = open_path(from, abi::kOpenRead);
    if (source.is_error()) {
        print_err("cp: {}: {}\n", from, source.error());
        return false;
    }
    abi::Stat stat {};
    if (sys::stat(source.value(), stat).ok() && abi::NodeType(stat.type) == abi::NodeType::Directory) {
        print_err("cp: {}: IsDirectory (not copied)\n", from);
        (void)sys::close(source.value());
        return false;
    }
    auto target = open_path(to, abi::kOpenWrite | abi::kOpenCreate | abi::kOpenTruncate);
    if (target.is_error()) {
        print_err("cp: {}: {}\n", to, target.error());
        (void)sys::close(source.value());
        return false;
    }
    bool ok = true;
    for (u64 offset = 0;;) {
        auto n = sys::read(source.value(), g_buffer, sizeof(g_buffer), offset);
        if (n.is_error()) {
            print_err("cp: {}: {}\n", from, n.error());
            ok = false;
            break;
        }
        if (n.value() == 0) break;
        usize done = 0;
        while (ok && done < n.value()) {
            auto written = sys::write(target.value(), g_buffer + done, n.value() - done, offset + done);
            if (written.is_error() || written.value() == 0) {
                print_err("cp: {}: {}\n", to, written.is_error() ? written.error() : abi::Err::Io);
                ok = false;
            } else {
                done += written.value();
            }
        }
        if (!ok) break;
        offset += n.value();
    }
    (void)sys::close(source.value());
    (void)sys::close(target.value());
    return ok;
}

}  // namespace

int main(int argc, char** argv) { return for_each_source(argc, argv, "cp", copy); }
