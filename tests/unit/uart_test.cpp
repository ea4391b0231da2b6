// The transmit half every UART shares (dev/uart/uart.hpp) over a fake FIFO:
// bytes go out as the FIFO takes them and in order; the transmit interrupt
// is on exactly while bytes wait; a full ring drops and counts instead of
// waiting, and a line's "\r\n" is kept whole; the crash path drains the
// ring and then writes by polling.
#include <gtest/gtest.h>

#include <string>

#include "dev/uart/uart.hpp"

using namespace mote;

namespace {

class FakeUart final : public Uart {
public:
    bool interactive() const override { return true; }
    StringView model() const override { return "fake"; }
    void on_interrupt() override { transmit(); }

    usize room = 16;        // what the FIFO takes now
    bool refill = true;     // whether the FIFO empties between looks (polling)
    std::string wire;       // what left through the FIFO
    bool tx_interrupt = false;
    int interrupt_changes = 0;

private:
    bool present() const override { return true; }
    usize tx_room() override {
        if (room == 0 && refill) room = 1;
        return room;
    }
    void tx_put(u8 byte) override {
        ASSERT_GT(room, 0u);
        --room;
        wire.push_back(char(byte));
    }
    void set_tx_interrupt(bool on) override {
        tx_interrupt = on;
        ++interrupt_changes;
    }
};

}  // namespace

TEST(Uart, WhatTheFifoTakesGoesAtOnceTheRestFromTheInterrupt) {
    FakeUart uart;
    uart.refill = false;
    uart.room = 4;
    uart.write("hello\n");
    EXPECT_EQ(uart.wire, "hell");
    EXPECT_TRUE(uart.tx_interrupt);  // bytes wait
    uart.room = 16;
    uart.on_interrupt();
    EXPECT_EQ(uart.wire, "hello\r\n");
    EXPECT_FALSE(uart.tx_interrupt);  // nothing left: off again
    EXPECT_EQ(uart.tx_dropped(), 0u);
}

TEST(Uart, AFullRingDropsAndCountsInsteadOfWaiting) {
    FakeUart uart;
    uart.refill = false;
    uart.room = 0;
    std::string burst(Uart::kTxBuffer - 1, 'x');
    uart.write(StringView(burst.data(), burst.size()));
    EXPECT_TRUE(uart.wire.empty());
    // One slot left: a newline needs two ("\r\n") and is dropped whole; a
    // plain byte still fits; then everything is dropped.
    uart.write("\n");
    EXPECT_EQ(uart.tx_dropped(), 1u);
    uart.write("ab");
    EXPECT_EQ(uart.tx_dropped(), 2u);
    uart.room = Uart::kTxBuffer;
    uart.on_interrupt();
    EXPECT_EQ(uart.wire, burst + "a");
    EXPECT_FALSE(uart.tx_interrupt);
}

TEST(Uart, TheCrashPathDrainsTheRingThenPolls) {
    FakeUart uart;
    uart.refill = false;
    uart.room = 0;
    uart.write("queued\n");
    uart.refill = true;  // polling: the FIFO empties while the CPU waits
    uart.write_polled("MOTE-PANIC: x\n");
    EXPECT_EQ(uart.wire, "queued\r\nMOTE-PANIC: x\r\n");
}

TEST(Uart, TheSelfTestsInterruptFiresOnceAndTurnsItselfOff) {
    FakeUart uart;
    uart.raise_test_interrupt();
    EXPECT_TRUE(uart.tx_interrupt);
    uart.on_interrupt();  // nothing to send
    EXPECT_FALSE(uart.tx_interrupt);
}
