#include "boot/kernel_reports.hpp"

#include "base/format.hpp"
#include "boot/kernel.hpp"
#include "core/log.hpp"
#include "mm/memory_stats.hpp"

namespace mote {

namespace {
// Milliseconds with one decimal, rounded: "21.9".
void append_ms(FixedString<200>& out, Nanoseconds t) {
    u64 tenths = (t + 50 * kMicrosecond) / (100 * kMicrosecond);
    out.appendf("{}.{}", tenths / 10, tenths % 10);
}
}  // namespace

void write_uptime_report(Kernel& kernel, MachineLineSink sink, void* context) {
    FixedString<200> line;
    u64 ms = kernel.uptime() / kMillisecond;
    line.appendf("up {}.{:03} s", ms / 1000, ms % 1000);
    sink(line.view(), context);
    const BootTimeline& timeline = kernel.machine().boot_timeline();
    if (!timeline.steps().empty()) {
        line.clear();
        line.appendf("boot: {} ready ", timeline.steps()[timeline.steps().size() - 1].name);
        append_ms(line, timeline.total());
        line.append(" ms after kernel entry");
        if (timeline.before_kernel_known()) {
            line.append(" (before it, firmware and loader: ");
            append_ms(line, timeline.before_kernel());
            line.append(" ms)");
        }
        sink(line.view(), context);
        line.clear();
        line.append("boot steps (ms):");
        for (usize i = 0; i < timeline.steps().size(); ++i) {
            line.appendf("{} {} ", i ? "," : "", timeline.steps()[i].name);
            append_ms(line, timeline.duration(i));
        }
        if (timeline.dropped()) line.appendf(" (+{} steps not kept)", timeline.dropped());
        sink(line.view(), context);
    }
    LoopStats s = kernel.loop().stats();
    line.clear();
    line.appendf("loop: {} turns, {} waits, {} user runs, {} completions, {} timers fired, {} irqs ({} overflowed, "
                 "{} unhandled)",
                 s.turns, s.waits, s.user_runs, s.completions, s.timers_fired, s.irqs, s.irq_overflows,
                 s.irq_unhandled);
    sink(line.view(), context);
}

void write_log_report(u64 count, MachineLineSink sink, void* context) {
    // Two passes over the ring: count the lines, then write the last `count`.
    struct Ctx {
        MachineLineSink sink;
        void* context;
        u64 total;
        u64 skip;
        u64 seen;
    } ctx {sink, context, 0, 0, 0};
    klog().for_each_line([](StringView, void* c) { ++static_cast<Ctx*>(c)->total; }, &ctx);
    ctx.skip = ctx.total > count ? ctx.total - count : 0;
    klog().for_each_line(
        [](StringView line, void* c) {
            auto* x = static_cast<Ctx*>(c);
            if (x->seen++ < x->skip) return;
            x->sink(line, x->context);
        },
        &ctx);
    if (klog().lines_dropped()) {
        FixedString<80> line;
        line.appendf("({} older lines no longer kept)", klog().lines_dropped());
        sink(line.view(), context);
    }
}

Result<void> write_machine_memory(Machine& machine, MachineLineSink sink, void* context) {
    auto r = machine.describe(MachineReport::Memory, sink, context);
    if (r.ok()) return {};
    // No machine report, but perhaps an allocator to show.
    if (PageAllocator* pages = machine.pages()) {
        write_memory_report(*pages, sink, context);
        return {};
    }
    return Error::Unsupported;
}

}  // namespace mote
