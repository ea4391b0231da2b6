// The wall clock for httpd's Date fields and conditional requests: read
// once from the kernel's sys/clock (its `ns` and the `uptime_ns` it was
// read at) and carried forward with the monotonic clock(), so each request
// costs no file read. Without sys/clock the time is 1970 plus the uptime,
// as date(1) shows it then: dates are wrong but still ordered.
#pragma once

#include "abi/syscalls.hpp"
#include "base/types.hpp"

namespace mote::httpd {

class WallClock {
public:
    // Reads sys/clock below `root`.
    static WallClock read(abi::Handle root);

    // Unix seconds at monotonic time `monotonic_ns`.
    i64 unix_seconds(u64 monotonic_ns) const;
    // Whether a real-time clock set the kernel's wall clock.
    bool known() const { return m_known; }

private:
    i64 m_wall_ns = 0;          // the wall clock ...
    u64 m_at_monotonic_ns = 0;  // ... at this monotonic time
    bool m_known = false;
};

}  // namespace mote::httpd
