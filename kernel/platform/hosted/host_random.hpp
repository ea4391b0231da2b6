// The hosted machine's entropy: the host kernel's getrandom(2), fed into the
// kernel's entropy pool at boot (which seeds the CSPRNG at once).
#pragma once

#include "base/result.hpp"

namespace mote {

Result<void> seed_from_host_entropy();

}  // namespace mote
