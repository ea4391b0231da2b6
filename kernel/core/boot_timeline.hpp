// BootTimeline: where the kernel's boot time went, step by step, on the
// kernel's own clock (nanoseconds since the kernel was entered).
//
// The platform marks the end of each of its steps (devicetree, console,
// memory, ...), the kernel marks its own (devices, network, init, and
// prompt: the first time a program asks for typed input), and
// sys/uptime (`uptime`) prints them. Wall time measured from outside (QEMU
// start to prompt) mixes in the emulator's start-up, the firmware and the host's
// load; this is the part that is the kernel's, measured where it happens.
// Under QEMU the guest clock follows host time while the guest runs, so
// these figures include translation and device emulation costs, which is
// what makes them useful for tuning boot.
//
// A step is recorded as the time it ended; it started where the previous
// one ended (the first one at kernel entry, time zero). Marks must come in
// time order; at most kMaxSteps are kept, later ones are counted as dropped.
// Each Machine owns one (Machine::boot_timeline()). Not synchronised: boot
// runs on one CPU before anything else.
#pragma once

#include "base/span.hpp"
#include "core/timer.hpp"

namespace mote {

class BootTimeline {
public:
    static constexpr usize kMaxSteps = 12;

    struct Step {
        StringView name;  // a string literal: the timeline keeps the view
        Nanoseconds end = 0;
    };

    // The time the machine ran before the kernel was entered (firmware,
    // boot loader), when the platform can tell: its counter starts at zero
    // when the machine starts.
    void set_before_kernel(Nanoseconds time) {
        m_before_kernel = time;
        m_before_kernel_known = true;
    }
    bool before_kernel_known() const { return m_before_kernel_known; }
    Nanoseconds before_kernel() const { return m_before_kernel; }

    // `name` ended at `end`. A mark earlier than the previous one is clamped
    // to it, so the steps always add up to the total.
    void mark(StringView name, Nanoseconds end);

    Span<const Step> steps() const { return {m_steps, m_count}; }
    // When the last marked step ended (0 if none).
    Nanoseconds total() const { return m_count ? m_steps[m_count - 1].end : 0; }
    // How long step `index` took.
    Nanoseconds duration(usize index) const;
    u32 dropped() const { return m_dropped; }

private:
    Step m_steps[kMaxSteps];
    usize m_count = 0;
    u32 m_dropped = 0;
    Nanoseconds m_before_kernel = 0;
    bool m_before_kernel_known = false;
};

}  // namespace mote
