#include "boot/boot_args.hpp"

namespace mote {

namespace {
template <typename F>
void for_each_word(StringView line, F&& f) {
    usize i = 0;
    while (i < line.length()) {
        while (i < line.length() && line[i] == ' ') ++i;
        usize start = i;
        while (i < line.length() && line[i] != ' ') ++i;
        if (i > start) f(line.substr(start, i - start));
    }
}
}  // namespace

bool BootArgs::get(StringView key, StringView& value) const {
    bool found = false;
    for_each_word(m_line, [&](StringView word) {
        if (word.length() > key.length() && word.starts_with(key) && word[key.length()] == '=') {
            value = word.substr(key.length() + 1);
            found = true;
        }
    });
    return found;
}

bool BootArgs::has_flag(StringView flag) const {
    bool found = false;
    for_each_word(m_line, [&](StringView word) { found |= word == flag; });
    return found;
}

}  // namespace mote
