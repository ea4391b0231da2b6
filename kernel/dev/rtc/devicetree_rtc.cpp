#include "dev/rtc/devicetree_rtc.hpp"

#include "core/log.hpp"
#include "dev/rtc/goldfish_rtc.hpp"
#include "dev/rtc/pl031.hpp"

namespace mote {

namespace {

struct Known {
    StringView compatible;
    RtcKind kind;
    StringView name;
    u64 register_bytes;
};
constexpr Known kKnown[] = {
    {"google,goldfish-rtc", RtcKind::Goldfish, "goldfish-rtc", goldfish_rtc::kRegisterBytes},
    {"arm,pl031", RtcKind::Pl031, "pl031", pl031::kRegisterBytes},
};

const Known* known(const fdt::Node& node) {
    for (const Known& k : kKnown)
        if (node.is_compatible(k.compatible)) return &k;
    return nullptr;
}

}  // namespace

Result<DevicetreeRtc> find_devicetree_rtc(const fdt::Fdt& fdt) {
    Result<fdt::Node> found = Error::NotFound;
    fdt.for_each_node([&](fdt::Node n) {
        if (!n.is_enabled() || !known(n)) return true;
        found.~Result();
        new (&found) Result<fdt::Node>(n);  // Result has no assignment; Node is trivial
        return false;
    });
    fdt::Node node = TRY(found);
    const Known& k = *known(node);
    auto reg = node.reg(0);
    if (reg.is_error() || reg.value().size < k.register_bytes) {
        log_warn("rtc", "{} ({}): registers missing or shorter than {:#x} bytes; not used", node.name(), k.name,
                 k.register_bytes);
        return Error::Malformed;
    }
    return DevicetreeRtc {node, k.kind, reg.value(), k.name};
}

Result<i64> read_devicetree_rtc(const DevicetreeRtc& rtc, volatile u8* base, RtcFault* fault) {
    switch (rtc.kind) {
    case RtcKind::Goldfish: return goldfish_rtc_read(base, fault);
    case RtcKind::Pl031: {
        i64 seconds = TRY(pl031_read(base, fault));
        return seconds * 1000000000;
    }
    }
    return Error::Unsupported;
}

}  // namespace mote
