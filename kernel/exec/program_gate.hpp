// ProgramGate: who decides whether a program may run. The loader asks it
// before a byte of the program is decoded, and cannot be built without
// one, so no path loads a program nobody vouched for. The kernel's gate is
// the signed manifest (exec/program_trust.hpp); the loader's unit tests,
// which spawn ELF images that have no file behind them, pass one that
// admits everything (tests/unit/support/process_fixture.hpp).
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {

namespace fs {
class FsNode;
}

class ProgramGate {
public:
    // Ok, or Untrusted (the gate logs and counts its refusals). `file` is
    // the node spawn found the program at; null for bytes with no file.
    virtual Result<void> admit(fs::FsNode* file, ReadonlyBytes image, StringView name) = 0;

protected:
    ~ProgramGate() = default;
};

}  // namespace mote
