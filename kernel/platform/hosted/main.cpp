// The hosted kernel's entry point: parse the host command line, build the
// machine, run the kernel, exit with its power action.
//
//   mote-hosted [--disk FILE] [--disk-size MIB] [--memory MIB] [--initrd FILE]
//               [--tap NAME [--net-loss PCT] [--net-reorder PCT] [--net-seed N]] [--append "mote.log=debug ..."]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>

#include "base/parse_number.hpp"
#include "boot/kernel.hpp"
#include "platform/hosted/hosted_machine.hpp"
#include "platform/hosted/link_impairment.hpp"
#include "platform/hosted/terminal.hpp"

using namespace mote;

namespace {
void usage(FILE* out) {
    fprintf(out,
            "usage: mote-hosted [--disk FILE] [--disk-size MIB] [--memory MIB] [--initrd FILE]\n"
            "                   [--tap NAME [--net-loss PCT] [--net-reorder PCT] [--net-seed N]] [--append CMDLINE]\n"
            "  --disk FILE       attach FILE as block device vda (created if missing)\n"
            "  --disk-size MIB   size of a newly created disk (default 64)\n"
            "  --memory MIB      physical memory for the page allocator (default 64)\n"
            "  --initrd FILE     run user programs from FILE (a newc cpio archive), each\n"
            "                    as a Linux process (default: initramfs.cpio beside\n"
            "                    this program, the build's own)\n"
            "  --tap NAME        attach TAP interface NAME (created if missing; needs\n"
            "                    CAP_NET_ADMIN) as net0; give an address with\n"
            "                    --append \"mote.ip=10.77.0.2/24 mote.gw=10.77.0.1\"\n"
            "  --net-loss PCT    drop PCT percent of the frames each way (e.g. 1 or 0.5)\n"
            "  --net-reorder PCT hold PCT percent back behind the next frame each way\n"
            "  --net-seed N      seed for the drops and reordering (default 1)\n"
            "  --append CMDLINE  kernel command line, e.g. \"mote.log=debug\"\n");
}
}  // namespace

int main(int argc, char** argv) {
    HostedMachine::Options options;
    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(arg, "--disk") && has_value) {
            options.disk_path = argv[++i];
        } else if (!strcmp(arg, "--disk-size") && has_value) {
            auto mib = parse_u64(argv[++i]);
            if (mib.is_error() || mib.value() == 0 || mib.value() > (1u << 20)) {
                fprintf(stderr, "mote-hosted: bad --disk-size '%s'\n", argv[i]);
                return 2;
            }
            options.disk_create_size = mib.value() << 20;
        } else if (!strcmp(arg, "--memory") && has_value) {
            auto mib = parse_u64(argv[++i]);
            if (mib.is_error() || mib.value() < (HostMemory::kMinSize >> 20) ||
                mib.value() > (HostMemory::kMaxSize >> 20)) {
                fprintf(stderr, "mote-hosted: bad --memory '%s' (%llu..%llu MiB)\n", argv[i],
                        (unsigned long long)(HostMemory::kMinSize >> 20), (unsigned long long)(HostMemory::kMaxSize >> 20));
                return 2;
            }
            options.memory_size = mib.value() << 20;
        } else if (!strcmp(arg, "--initrd") && has_value) {
            options.initrd_path = argv[++i];
        } else if (!strcmp(arg, "--tap") && has_value) {
            options.tap_interface = argv[++i];
        } else if ((!strcmp(arg, "--net-loss") || !strcmp(arg, "--net-reorder")) && has_value) {
            auto per_mille = parse_percent_per_mille(StringView(argv[i + 1], StringView::cstring_length(argv[i + 1])));
            if (per_mille.is_error()) {
                fprintf(stderr, "mote-hosted: bad %s '%s' (a percentage, 0 to 100, one decimal at most)\n", arg,
                        argv[i + 1]);
                return 2;
            }
            (!strcmp(arg, "--net-loss") ? options.tap_faults.loss_per_mille : options.tap_faults.reorder_per_mille) =
                per_mille.value();
            ++i;
        } else if (!strcmp(arg, "--net-seed") && has_value) {
            auto seed = parse_u64(argv[++i]);
            if (seed.is_error()) {
                fprintf(stderr, "mote-hosted: bad --net-seed '%s'\n", argv[i]);
                return 2;
            }
            options.tap_faults.seed = seed.value();
        } else if (!strcmp(arg, "--append") && has_value) {
            options.command_line = argv[++i];
        } else {
            fprintf(stderr, "mote-hosted: unknown or incomplete argument '%s'\n", arg);
            usage(stderr);
            return 2;
        }
    }

    if (options.tap_faults.loss_per_mille + options.tap_faults.reorder_per_mille > 1000) {
        fprintf(stderr, "mote-hosted: --net-loss and --net-reorder add up to more than 100%%\n");
        return 2;
    }
    if (options.tap_faults.active() && !options.tap_interface) {
        fprintf(stderr, "mote-hosted: --net-loss and --net-reorder need --tap\n");
        return 2;
    }
    // The build puts the programs' archive beside the kernel: without
    // --initrd, that one (the kernel has no interface without programs).
    static std::string default_initrd;
    if (!options.initrd_path) {
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0) {
            self[n] = 0;
            default_initrd = self;
            default_initrd = default_initrd.substr(0, default_initrd.rfind('/') + 1) + "initramfs.cpio";
            if (access(default_initrd.c_str(), R_OK) == 0) options.initrd_path = default_initrd.c_str();
        }
    }
    static HostedMachine machine;
    if (auto r = machine.init(options); r.is_error()) {
        fprintf(stderr, "mote-hosted: cannot set up the host machine: %s\n", error_name(r.error()));
        return 1;
    }
    static Kernel kernel(machine);
    PowerAction action = kernel.run();
    terminal_restore();
    // Reboot has no meaning for a process; report it with its own status.
    // A kernel that could not start init ran nothing: a failure.
    if (!kernel.init_started()) return 1;
    return action == PowerAction::Reboot ? 3 : 0;
}
