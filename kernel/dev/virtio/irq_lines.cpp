#include "dev/virtio/irq_lines.hpp"

namespace mote::virtio {

Result<void> IrqLines::add(Device& device, u32 source) {
    if (!m_loop || !m_controller) return Error::BadState;
    if (source >= kMaxIrqSources) return Error::OutOfRange;
    Line* line = nullptr;
    for (usize i = 0; i < m_count; ++i)
        if (m_lines[i].source == source) line = &m_lines[i];
    if (line && line->count == kMaxDevicesPerLine) return Error::NoMemory;
    if (!line && m_count == kMaxLines) return Error::NoMemory;
    // Decoded; now act.
    device.set_irq(source);
    if (line) {
        line->devices[line->count++] = &device;
        // Already enabled: a cause this device raised before joining is
        // found by the next service of the line; make sure there is one.
        m_loop->post_irq(source);
        return {};
    }
    line = &m_lines[m_count];
    line->owner = this;
    line->source = source;
    line->devices[0] = &device;
    line->count = 1;
    m_loop->set_irq_handler(source, on_line, line);
    if (auto r = m_controller->enable(source); r.is_error()) {
        m_loop->set_irq_handler(source, nullptr, nullptr);
        *line = Line {};
        return r;
    }
    ++m_count;
    m_loop->post_irq(source);
    return {};
}

void IrqLines::on_line(void* context, u32 source) {
    auto& line = *static_cast<Line*>(context);
    for (usize i = 0; i < line.count; ++i) line.devices[i]->on_interrupt();
    line.owner->m_controller->unmask(source);
    // Read the causes again (header comment): that also lowers a line that
    // was raised while masked; come back next turn if anything is there.
    bool again = false;
    for (usize i = 0; i < line.count; ++i) again |= line.devices[i]->recheck();
    if (again) line.owner->m_loop->post_irq(source);
}

}  // namespace mote::virtio
