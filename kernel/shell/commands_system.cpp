// help, version, uptime, log, poweroff.
#include "base/version.hpp"
#include "boot/kernel.hpp"
#include "core/log.hpp"
#include "shell/command.hpp"
#include "shell/shell.hpp"

namespace mote {

void command_help(Shell& shell, const Arguments& args) {
    if (args.count() > 1) {
        const Command* c = find_command(args[1]);
        if (!c) {
            shell.error("no command '{}'", args[1]);
            return;
        }
        shell.print("usage: {}\n  {}\n", c->usage, c->summary);
        return;
    }
    usize width = 0;
    for (const Command& c : shell_commands()) width = max(width, c.name.length());
    for (const Command& c : shell_commands()) {
        FixedString<256> line;
        line.append("  ");
        line.append(c.name);
        for (usize i = c.name.length(); i < width + 2; ++i) line.append(' ');
        line.append(c.summary);
        line.append('\n');
        shell.write(line.view());
    }
    shell.write("Line editing: arrows, Home/End, Backspace/Delete, Ctrl-U, Ctrl-C, Tab completes.\n");
}

void command_version(Shell& shell, const Arguments&) {
    shell.print("Mote {} ({}), {} build, {} profile, on {}\n", kVersion, kRevision, kArch, MOTE_PROFILE_NAME,
                shell.kernel().machine().name());
}

namespace {

// Milliseconds with one decimal, rounded: "21.9".
void append_ms(FixedString<200>& out, Nanoseconds t) {
    u64 tenths = (t + 50 * kMicrosecond) / (100 * kMicrosecond);
    out.appendf("{}.{}", tenths / 10, tenths % 10);
}

void print_boot_timeline(Shell& shell, const BootTimeline& timeline) {
    if (timeline.steps().empty()) return;
    FixedString<200> line;
    line.append("boot: shell ready ");
    append_ms(line, timeline.total());
    line.append(" ms after kernel entry");
    if (timeline.before_kernel_known()) {
        line.append(" (before it, firmware and loader: ");
        append_ms(line, timeline.before_kernel());
        line.append(" ms)");
    }
    shell.print("{}\n", line.view());
    line.clear();
    line.append("boot steps (ms):");
    for (usize i = 0; i < timeline.steps().size(); ++i) {
        line.appendf("{} {} ", i ? "," : "", timeline.steps()[i].name);
        append_ms(line, timeline.duration(i));
    }
    if (timeline.dropped()) line.appendf(" (+{} steps not kept)", timeline.dropped());
    shell.print("{}\n", line.view());
}

}  // namespace

void command_uptime(Shell& shell, const Arguments&) {
    Nanoseconds t = shell.kernel().uptime();
    u64 ms = t / kMillisecond;
    shell.print("up {}.{:03} s\n", ms / 1000, ms % 1000);
    print_boot_timeline(shell, shell.kernel().machine().boot_timeline());
    LoopStats s = shell.kernel().loop().stats();
    shell.print("loop: {} turns, {} waits, {} completions, {} timers fired, {} irqs ({} overflowed, {} unhandled)\n",
                s.turns, s.waits, s.completions, s.timers_fired, s.irqs, s.irq_overflows, s.irq_unhandled);
}

void command_log(Shell& shell, const Arguments& args) {
    if (args.count() >= 2 && args[1] == "level") {
        LogLevel level;
        if (args.count() != 3 || !parse_log_level(args[2], level)) {
            shell.error("usage: log level error|warn|info|debug|trace");
            return;
        }
        klog().set_console_level(level);
        shell.print("console log level: {}\n", log_level_name(level));
        return;
    }
    u64 count = ~u64(0);
    if (args.count() == 2) {
        auto n = args.number(1);
        if (n.is_error()) {
            shell.error("bad line count '{}': {}", args[1], n.error());
            return;
        }
        count = n.value();
    } else if (args.count() > 2) {
        shell.error("usage: log [COUNT | level LEVEL]");
        return;
    }
    // Two passes over the ring: count the lines, then print the last `count`.
    struct Ctx {
        Shell* shell;
        u64 total;
        u64 skip;
        u64 seen;
    } ctx {&shell, 0, 0, 0};
    klog().for_each_line([](StringView, void* c) { ++static_cast<Ctx*>(c)->total; }, &ctx);
    ctx.skip = ctx.total > count ? ctx.total - count : 0;
    klog().for_each_line(
        [](StringView line, void* c) {
            auto* x = static_cast<Ctx*>(c);
            if (x->seen++ < x->skip) return;
            x->shell->write(line);
            x->shell->write("\n");
        },
        &ctx);
    if (klog().lines_dropped())
        shell.print("({} older lines no longer kept)\n", klog().lines_dropped());
}

// Flushes every block device, then asks the kernel to power off. The shell
// stays held: no prompt comes back.
void command_poweroff(Shell& shell, const Arguments&) {
    shell.hold();
#if !MOTE_HAVE_DRIVERS
    shell.kernel().request_power(PowerAction::PowerOff);
#else
    struct Flusher {
        static void next(Shell& sh, usize index) {
            Kernel& k = sh.kernel();
            for (; index < k.blocks().count(); ++index) {
                BlockRequest& req = sh.block_request();
                req.op = BlockOp::Flush;
                req.lba = index;  // remembers which device; unused by Flush
                req.sectors = 0;
                req.buffer = Bytes();
                req.set_callback(done, &sh);
                if (k.blocks().at(index).submit(req).ok()) return;
            }
            k.request_power(PowerAction::PowerOff);
        }
        static void done(Request& r) {
            auto& req = static_cast<BlockRequest&>(r);
            auto& sh = *static_cast<Shell*>(r.context());
            if (!r.ok())
                sh.error("flush of {} failed: {}", sh.kernel().blocks().at(usize(req.lba)).name(), r.error());
            next(sh, usize(req.lba) + 1);
        }
    };
    Flusher::next(shell, 0);
#endif
}

}  // namespace mote
