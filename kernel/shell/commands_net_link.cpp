// net link: the network device itself: model, MAC, link state, MTU and the
// device's counters (frames, bytes, drops by reason). The rest of `net`
// (addresses, routes, protocols) is in commands_net.cpp.
#include "boot/kernel.hpp"
#include "dev/net_device.hpp"
#include "net/net_stack.hpp"
#include "shell/command.hpp"
#include "shell/shell.hpp"

namespace mote {

void command_net_link(Shell& shell, const Arguments&) {
    NetDevice* device = shell.kernel().net().device();
    if (!device) {
        shell.error("no network device attached");
        return;
    }
    const MacAddress mac = device->mac();
    const u8* m = mac.bytes;
    const NetDeviceStats& s = device->stats();
    shell.print("{}: {}\n", device->name(), device->model());
    shell.print("  mac {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}, link {}, mtu {}\n", m[0], m[1], m[2], m[3], m[4],
                m[5], device->link_up() ? "up" : "down", device->mtu());
    shell.print("  rx {} frames, {} bytes; tx {} frames, {} bytes\n", s.rx_frames, s.rx_bytes, s.tx_frames,
                s.tx_bytes);
    shell.print("  rx drops: no buffer {}, bad length {}, no receiver {}, link down {}\n", s.rx_no_buffer,
                s.rx_bad_length, s.rx_no_receiver, s.rx_link_down);
    shell.print("  tx: busy {}, rejected {}, errors {}\n", s.tx_busy, s.tx_rejected, s.tx_errors);
}

}  // namespace mote
