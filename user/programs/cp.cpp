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

// Whether `path` names a directory (following symlinks).
bool is_directory(StringView path) {
    auto dir = open_path(path, abi::kOpenRead | abi::kOpenDirectory);
    if (dir.is_error()) return false;
    (void)sys::close(dir.value());
    return true;
}

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

int main(int argc, char** argv) {
    if (argc < 3) {
        print_err("usage: cp SRC DST, or cp SRC... DIR\n");
        return 2;
    }
    StringView last = argv[argc - 1];
    bool into = is_directory(last);
    if (argc > 3 && !into) {
        print_err("cp: {}: NotDirectory\n", last);
        return 1;
    }
    int status = 0;
    for (int i = 1; i < argc - 1; ++i) {
        StringView source = argv[i];
        char storage[abi::kNameMax * 4];
        StringView target = into ? join_path(last, base_name(source), Span<char>(storage, sizeof(storage))) : last;
        if (target.empty()) {
            print_err("cp: {}: Overflow\n", source);
            status = 1;
            continue;
        }
        if (!copy(source, target)) status = 1;
    }
    return status;
}
