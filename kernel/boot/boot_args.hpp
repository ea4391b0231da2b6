// The kernel command line: space-separated words, of which `key=value`
// words configure the kernel (mote.log=debug, mote.test=all, ...).
#pragma once

#include "base/span.hpp"

namespace mote {

class BootArgs {
public:
    explicit BootArgs(StringView line) : m_line(line) {}

    // The value of the last `key=value` word with this key, if any.
    bool get(StringView key, StringView& value) const;
    bool has_flag(StringView word) const;
    StringView line() const { return m_line; }

private:
    StringView m_line;
};

}  // namespace mote
