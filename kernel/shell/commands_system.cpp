// help, version, uptime, log, poweroff.
#include "base/version.hpp"
#include "boot/kernel.hpp"
#include "boot/kernel_reports.hpp"
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

void print_line(StringView line, void* context) {
    auto* shell = static_cast<Shell*>(context);
    shell->write(line);
    shell->write("\n");
}

}  // namespace

void command_uptime(Shell& shell, const Arguments&) { write_uptime_report(shell.kernel(), print_line, &shell); }

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
    write_log_report(count, print_line, &shell);
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
