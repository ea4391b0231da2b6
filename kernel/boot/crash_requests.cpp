#include "boot/crash_requests.hpp"

#include "boot/kernel.hpp"
#include "crypto/csprng.hpp"

namespace mote {

namespace {

// Set for "hang-irqoff": the machine whose interrupts the handler turns off.
Machine* g_interrupts_off = nullptr;

// The handler the kernel watchdog must catch and name.
[[gnu::noinline]] void wedged_loop_handler(Deferred&) {
    if (g_interrupts_off) g_interrupts_off->disable_interrupts_on_request();
    for (;;) asm volatile("" ::: "memory");
}

Deferred g_wedge(wedged_loop_handler);

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

Result<void> request_crash(Kernel& kernel, StringView text) {
    if (text == "panic") {
        kernel.machine().crash_on_request("crash requested through sys/power");
        return {};  // only a machine that survives crashes (the fuzzers') gets here
    }
    if (text == "hang" || text == "hang-irqoff") {
        bool interrupts_off = text == "hang-irqoff";
        if (!kernel.machine().recovers_from_hang(interrupts_off)) return Error::Unsupported;
        if (interrupts_off) g_interrupts_off = &kernel.machine();
        kernel.loop().defer(g_wedge);
        return {};
    }
    StringView prefix = "secret ";
    if (!text.starts_with(prefix) || text.length() != prefix.length() + 2 * kChaCha20KeySize)
        return Error::InvalidArgument;
    ChaCha20Key key;
    for (usize i = 0; i < kChaCha20KeySize; ++i) {
        int high = hex_digit(text[prefix.length() + 2 * i]);
        int low = hex_digit(text[prefix.length() + 2 * i + 1]);
        if (high < 0 || low < 0) return Error::InvalidArgument;
        key.bytes[i] = u8(high << 4 | low);
    }
    kernel_csprng().crash_holding_key_for_test(key, "crash requested through sys/power (holding a secret)");
}

}  // namespace mote
