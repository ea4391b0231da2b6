#include "echo_service.hpp"

#include "core/log.hpp"
#include "net/net_stack.hpp"

namespace mote {

EchoService::EchoService(NetStack& stack) : m_ports {Port(stack), Port(stack)} {
    for (Port& p : m_ports) {
        p.service = this;
        for (Slot& s : p.slots) {
            s.port = &p;
            s.rx.set_callback(on_received, &s);
            s.tx.set_callback(on_sent, &s);
            s.rx.buffer = Bytes(s.data, sizeof(s.data));
        }
    }
}

Result<void> EchoService::start(u16 port) {
    for (Port& p : m_ports) {
        if (p.active || p.socket.bound()) continue;
        TRY(p.socket.bind(port));
        p.active = true;
        for (Slot& s : p.slots) arm(s);
        log_info("net", "udp echo service on port {}", port);
        return {};
    }
    return Error::Busy;
}

void EchoService::stop() {
    for (Port& p : m_ports) {
        if (!p.active) continue;
        p.active = false;
        p.socket.close();
    }
}

usize EchoService::port_count() const {
    usize n = 0;
    for (const Port& p : m_ports)
        if (p.active) ++n;
    return n;
}

const UdpSocket& EchoService::socket(usize i) const {
    for (const Port& p : m_ports)
        if (p.active && i-- == 0) return p.socket;
    VERIFY_NOT_REACHED();
}

void EchoService::arm(Slot& slot) {
    if (!slot.port->active || slot.rx.busy() || slot.tx.busy()) return;
    if (slot.port->socket.receive(slot.rx).is_error()) ++slot.port->service->m_failed;
}

void EchoService::on_received(Request& request) {
    auto& slot = *static_cast<Slot*>(request.context());
    EchoService& service = *slot.port->service;
    if (!request.ok()) return;  // cancelled: the port is closing
    slot.tx.data = ReadonlyBytes(slot.data, usize(slot.rx.value()));
    slot.tx.to = slot.rx.from;
    if (slot.port->socket.send(slot.tx).is_error()) {
        // No route back (or a bogus source port 0): drop it, keep serving.
        ++service.m_failed;
        service.arm(slot);
    }
}

void EchoService::on_sent(Request& request) {
    auto& slot = *static_cast<Slot*>(request.context());
    EchoService& service = *slot.port->service;
    if (request.ok()) ++service.m_echoed;
    else if (request.error() != Error::Cancelled) ++service.m_failed;
    service.arm(slot);
}

}  // namespace mote
