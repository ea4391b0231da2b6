// ProgramFile: what a process was loaded from, kept alive while the process
// lives, because its crash report reads the program's symbols from it. The
// filesystem's nodes are ProgramFiles (fs/fs_node.hpp); proc needs nothing
// more of them than a counted reference, so it does not depend on fs/.
#pragma once

namespace mote {

class ProgramFile {
public:
    virtual void retain() = 0;
    virtual void release() = 0;

protected:
    ~ProgramFile() = default;
};

}  // namespace mote
