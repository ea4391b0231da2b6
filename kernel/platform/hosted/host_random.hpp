// Random bytes from the host kernel (getrandom(2)).
#pragma once

#include "dev/random_source.hpp"

namespace mote {

class HostRandom final : public RandomSource {
public:
    Result<void> fill(Bytes out) override;
    StringView describe() const override { return "getrandom"; }
};

}  // namespace mote
