// The host terminal: raw mode while the hosted kernel runs on a TTY, and the
// guarantee that it is restored on every way out (poweroff, panic, signal).
#pragma once

namespace mote {

// Puts stdin in raw mode if it is a TTY. Returns whether it did.
bool terminal_enter_raw();
// Restores the saved mode; safe to call more than once, and from a panic.
void terminal_restore();

}  // namespace mote
