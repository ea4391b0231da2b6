// ls [-l] [DIR...]: the names in each directory (the working directory if
// none is named); -l adds each entry's type and size (from stat).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

const char* type_name(u32 type) {
    switch (abi::NodeType(type)) {
    case abi::NodeType::File: return "file";
    case abi::NodeType::Directory: return "dir";
    case abi::NodeType::Device: return "dev";
    case abi::NodeType::Process: return "proc";
    case abi::NodeType::Stream: return "strm";
    case abi::NodeType::Channel: return "chan";
    }
    return "?";
}

SysOr<void> list(Handle dir, bool long_format) {
    constexpr usize kBatch = 8;
    abi::DirEntry entries[kBatch];
    u64 index = 0;
    for (;;) {
        usize n = TRY(sys::readdir(dir, entries, kBatch, index));
        if (n == 0) return {};
        for (usize i = 0; i < n && i < kBatch; ++i) {
            const abi::DirEntry& entry = entries[i];
            StringView name(entry.name, min(entry.name_length, abi::kNameMax));
            if (!long_format) {
                print_out("{}\n", name);
                continue;
            }
            // The size needs the entry itself; a device that cannot be
            // opened right now still gets its line.
            auto opened = sys::open(dir, name, abi::kOpenRead);
            abi::Stat stat {};
            bool have_size = false;
            if (opened.ok()) {
                have_size = sys::stat(opened.value(), stat).ok();
                (void)sys::close(opened.value());
            }
            if (have_size) print_out("{:<4} {:>10} {}\n", type_name(entry.type), stat.size, name);
            else print_out("{:<4} {:>10} {}\n", type_name(entry.type), "?", name);
        }
        index += n;
    }
}

}  // namespace

int main(int argc, char** argv) {
    bool long_format = false;
    int first = 1;
    if (argc > 1 && StringView(argv[1]) == "-l") {
        long_format = true;
        first = 2;
    }
    if (first == argc) {
        auto listed = list(working_dir(), long_format);
        if (listed.is_error()) print_err("ls: {}\n", listed.error());
        return listed.is_error() ? 1 : 0;
    }
    int status = 0;
    for (int i = first; i < argc; ++i) {
        auto dir = sys::open(working_dir(), argv[i], abi::kOpenRead | abi::kOpenDirectory);
        if (dir.is_error()) {
            print_err("ls: {}: {}\n", argv[i], dir.error());
            status = 1;
            continue;
        }
        if (argc - first > 1) print_out("{}:\n", argv[i]);
        auto listed = list(dir.value(), long_format);
        if (listed.is_error()) {
            print_err("ls: {}: {}\n", argv[i], listed.error());
            status = 1;
        }
        (void)sys::close(dir.value());
    }
    return status;
}
