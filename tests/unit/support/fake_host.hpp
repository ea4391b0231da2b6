// A LoopHost with a clock the test controls. wait() "sleeps" by jumping the
// clock to the deadline, so timer tests run instantly and deterministically.
#pragma once

#include <vector>

#include "core/loop.hpp"

namespace mote::test {

class FakeHost final : public LoopHost {
public:
    Nanoseconds now() override {
        time += advance_on_read;
        return time - advance_on_read;
    }
    void wait(Loop&, Nanoseconds deadline) override {
        waits.push_back(deadline);
        if (deadline != kNoDeadline && deadline > time) time = deadline;
    }

    Nanoseconds time = 0;
    // Added to the clock after each now(): for code that spins on the
    // clock (a polled device) and would otherwise spin forever.
    Nanoseconds advance_on_read = 0;
    std::vector<Nanoseconds> waits;
};

// A provider that holds requests until the test completes them.
class FakeProvider final : public RequestProvider {
public:
    explicit FakeProvider(Loop& loop) : loop(loop) {}

    void submit(Request& r) {
        r.accept(*this, loop);
        held.push_back(&r);
    }
    void cancel_request(Request& r) override {
        cancels.push_back(&r);
        if (withdraw_on_cancel) {
            forget(r);
            loop.complete(r, Error::Cancelled);
        }
    }
    void request_rearmed(Request& r) override { rearmed.push_back(&r); }
    void forget(Request& r) {
        for (auto it = held.begin(); it != held.end(); ++it)
            if (*it == &r) {
                held.erase(it);
                return;
            }
    }

    Loop& loop;
    bool withdraw_on_cancel = true;
    std::vector<Request*> held;
    std::vector<Request*> cancels;
    std::vector<Request*> rearmed;
};

}  // namespace mote::test
