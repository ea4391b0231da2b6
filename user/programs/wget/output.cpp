#include "output.hpp"

#include "base/memory.hpp"
#include "print.hpp"
#include "startup.hpp"

namespace mote::wget {

using namespace mote::user;

SysOr<void> Output::open(StringView path) {
    VERIFY(!m_open);
    if (path.empty() || path.length() >= kMaxPathBytes) return abi::Err::InvalidArgument;
    mem_copy(m_path, path.data(), path.length());
    m_path_length = path.length();
    m_written = 0;
    if (path == "-") {
        m_stdout = true;
        m_open = true;
        return {};
    }
    const PathAt at = resolve_path(name());
    m_dir = at.dir;
    mem_copy(m_final, at.path.data(), at.path.length());
    m_final_length = at.path.length();
    mem_copy(m_temp, at.path.data(), at.path.length());
    mem_copy(m_temp + at.path.length(), ".part", 5);
    m_temp_length = at.path.length() + 5;
    m_file = TRY(sys::open(m_dir, StringView(m_temp, m_temp_length),
                           abi::kOpenWrite | abi::kOpenCreate | abi::kOpenTruncate));
    m_open = true;
    return {};
}

SysOr<void> Output::write(StringView bytes) {
    VERIFY(m_open);
    TRY(write_all(m_stdout ? std_out() : m_file, bytes));
    m_written += bytes.length();
    return {};
}

SysOr<void> Output::commit() {
    VERIFY(m_open);
    m_open = false;
    if (m_stdout) return {};
    auto synced = sys::sync(m_file);
    (void)sys::close(m_file);
    if (synced.is_error()) {
        (void)sys::unlink(m_dir, StringView(m_temp, m_temp_length));
        return synced.error();
    }
    auto renamed = sys::rename(m_dir, StringView(m_temp, m_temp_length), m_dir, StringView(m_final, m_final_length));
    if (renamed.is_error()) {
        (void)sys::unlink(m_dir, StringView(m_temp, m_temp_length));
        return renamed.error();
    }
    return {};
}

void Output::discard() {
    if (!m_open) return;
    m_open = false;
    if (m_stdout) return;
    (void)sys::close(m_file);
    (void)sys::unlink(m_dir, StringView(m_temp, m_temp_length));
}

}  // namespace mote::wget
