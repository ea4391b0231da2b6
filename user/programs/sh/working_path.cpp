#include "working_path.hpp"

#include "base/memory.hpp"

namespace mote::user {

namespace {

// Appends the names of `path` to the clean absolute path out[0, length),
// applying "." and "..". False if out is too small.
bool apply(StringView path, Span<char> out, usize& length) {
    usize i = 0;
    while (i < path.length()) {
        while (i < path.length() && path[i] == '/') ++i;
        usize start = i;
        while (i < path.length() && path[i] != '/') ++i;
        StringView name = path.substr(start, i - start);
        if (name.empty() || name == ".") continue;
        if (name == "..") {
            // Back to the '/' before the last name; "/" stays "/".
            while (length > 1 && out[length - 1] != '/') --length;
            if (length > 1) --length;
            continue;
        }
        usize need = (length > 1 ? 1 : 0) + name.length();
        if (length + need > out.size()) return false;
        if (length > 1) out[length++] = '/';
        mem_copy(out.data() + length, name.data(), name.length());
        length += name.length();
    }
    return true;
}

}  // namespace

Result<StringView> resolve_directory(StringView current, StringView target, Span<char> out) {
    if (!current.starts_with("/")) return Error::InvalidArgument;
    if (out.size() < 1) return Error::Overflow;
    out[0] = '/';
    usize length = 1;
    if (!target.starts_with("/") && !apply(current, out, length)) return Error::Overflow;
    if (!apply(target, out, length)) return Error::Overflow;
    return StringView(out.data(), length);
}

StringView below_root(StringView absolute) {
    usize skip = 0;
    while (skip < absolute.length() && absolute[skip] == '/') ++skip;
    return skip == absolute.length() ? StringView(".") : absolute.substr(skip);
}

}  // namespace mote::user
