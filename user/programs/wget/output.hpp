// Where wget puts a body: standard output ("-"), or a file through the
// VFS. A file is written under a temporary name, FILE.part next to it,
// and renamed over FILE only once the whole body arrived and was synced:
// a download that fails leaves FILE as it was (an older copy is not lost
// to half a new one) and removes its .part.
#pragma once

#include "capability.hpp"
#include "sys.hpp"

namespace mote::wget {

class Output {
public:
    static constexpr usize kMaxPathBytes = 1024;

    // Opens the destination: "-" is standard output; otherwise `path`
    // (resolved as the runtime resolves command-line paths) gets its
    // temporary file, created or truncated.
    user::SysOr<void> open(StringView path);
    user::SysOr<void> write(StringView bytes);
    // The body is complete: sync the temporary file and rename it to
    // the destination's name.
    user::SysOr<void> commit();
    // The download failed: close and remove the temporary file.
    void discard();

    bool is_open() const { return m_open; }
    bool to_stdout() const { return m_stdout; }
    StringView name() const { return StringView(m_path, m_path_length); }
    u64 written() const { return m_written; }

private:
    bool m_open = false;
    bool m_stdout = false;
    abi::Handle m_file = abi::kNoHandle;
    abi::Handle m_dir = abi::kNoHandle;
    char m_path[kMaxPathBytes] {};  // as given
    usize m_path_length = 0;
    char m_final[kMaxPathBytes] {};  // relative to m_dir
    usize m_final_length = 0;
    char m_temp[kMaxPathBytes + 8] {};
    usize m_temp_length = 0;
    u64 m_written = 0;
};

}  // namespace mote::wget
