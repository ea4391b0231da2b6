// TimerShadow: what a port's one-shot timer was last programmed with, so
// that programming it again with the same deadline is skipped. Every user
// run arms the timer for the loop's next deadline, which rarely changes
// from one run to the next, and under an emulator each write is an exit
// that also moves a host timer (on x86_64 an APIC register, elsewhere a
// system register or CSR). The port forgets the shadow whenever the
// hardware stops holding what was written: a timer that fired and
// disarmed itself (x86_64's one-shot modes) or set-up code that wrote the
// registers directly. riscv64 and aarch64 disarm a fired timer through
// Arch::set_timer(kTimerNever), which keeps the shadow true by itself.
#pragma once

#include "base/types.hpp"

namespace mote::arch {

class TimerShadow {
public:
    // Whether `deadline` differs from what the timer holds; if so it is
    // remembered as what it will hold once the caller has written it.
    bool changes(u64 deadline) {
        if (m_known && deadline == m_armed) return false;
        m_known = true;
        m_armed = deadline;
        return true;
    }
    // The hardware no longer holds what was last written.
    void forget() { m_known = false; }

private:
    u64 m_armed = 0;
    bool m_known = false;  // nothing written yet: firmware may have left anything
};

}  // namespace mote::arch
