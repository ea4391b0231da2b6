#include "proc/signal_box.hpp"

#include "proc/thread.hpp"

namespace mote {

void SignalBox::post(u32 event) {
    m_pending |= event & kEvents;
    ++m_posted;
    if (Thread* watcher = m_watcher) {
        m_watcher = nullptr;
        watcher->poll_event();
    }
}

}  // namespace mote
