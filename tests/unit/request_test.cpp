// The request life cycle: every transition, cancel racing completion, and
// exactly-once completion under random interleavings.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "support/fake_host.hpp"

using namespace mote;
using mote::test::FakeHost;
using mote::test::FakeProvider;

namespace {

struct Counted : Request {
    Counted() : Request(on_complete, nullptr) {}
    static void on_complete(Request& r) {
        auto& self = static_cast<Counted&>(r);
        ++self.completions;
        self.states.push_back(r.state());
        self.last_ok = r.ok();
        if (!r.ok()) self.last_error = r.error();
    }
    int completions = 0;
    bool last_ok = false;
    Error last_error {};
    std::vector<RequestState> states;
};

struct RequestTest : ::testing::Test {
    FakeHost host;
    Loop loop {host};
    FakeProvider provider {loop};
};

}  // namespace

TEST_F(RequestTest, HappyPathVisitsEveryState) {
    Counted r;
    EXPECT_EQ(r.state(), RequestState::Idle);
    EXPECT_FALSE(r.busy());
    provider.submit(r);
    EXPECT_EQ(r.state(), RequestState::Submitted);
    r.start();
    EXPECT_EQ(r.state(), RequestState::InFlight);
    r.set_value(42);
    loop.complete(r);
    EXPECT_EQ(r.state(), RequestState::Completing);
    EXPECT_EQ(r.completions, 0) << "callbacks run only from the loop";
    loop.turn(false);
    EXPECT_EQ(r.completions, 1);
    EXPECT_EQ(r.states, std::vector<RequestState>{RequestState::Completed});
    EXPECT_TRUE(r.last_ok);
    EXPECT_EQ(r.value(), 42u);
    EXPECT_FALSE(r.busy());
}

TEST_F(RequestTest, ErrorCompletionCarriesTheError) {
    Counted r;
    provider.submit(r);
    loop.complete(r, Error::Io);
    loop.turn(false);
    EXPECT_EQ(r.completions, 1);
    EXPECT_FALSE(r.last_ok);
    EXPECT_EQ(r.last_error, Error::Io);
    EXPECT_EQ(r.state(), RequestState::Completed);
}

TEST_F(RequestTest, CancelBeforeStartIsWithdrawn) {
    Counted r;
    provider.submit(r);
    EXPECT_TRUE(r.cancel());
    ASSERT_EQ(provider.cancels.size(), 1u);
    loop.turn(false);
    EXPECT_EQ(r.completions, 1);
    EXPECT_EQ(r.last_error, Error::Cancelled);
    EXPECT_EQ(r.state(), RequestState::Cancelled);
}

TEST_F(RequestTest, CancelRacingCompletionKeepsTheProvidersResult) {
    provider.withdraw_on_cancel = false;  // the device is already done
    Counted r;
    provider.submit(r);
    r.start();
    EXPECT_TRUE(r.cancel());
    EXPECT_EQ(r.state(), RequestState::CancelRequested);
    EXPECT_TRUE(r.cancel_requested());
    EXPECT_FALSE(r.cancel()) << "a second cancel has nothing new to ask";
    loop.complete(r);  // the provider finished anyway
    loop.turn(false);
    EXPECT_EQ(r.completions, 1);
    EXPECT_TRUE(r.last_ok);
    EXPECT_EQ(r.state(), RequestState::Completed);
}

TEST_F(RequestTest, CancelAfterCompletionPostedIsTooLate) {
    Counted r;
    provider.submit(r);
    loop.complete(r);
    EXPECT_FALSE(r.cancel());
    EXPECT_TRUE(provider.cancels.empty());
    loop.turn(false);
    EXPECT_EQ(r.completions, 1);
    EXPECT_TRUE(r.last_ok);
}

TEST_F(RequestTest, CancelOfIdleOrFinishedRequestDoesNothing) {
    Counted r;
    EXPECT_FALSE(r.cancel());
    provider.submit(r);
    loop.complete(r);
    loop.turn(false);
    EXPECT_FALSE(r.cancel());
    EXPECT_TRUE(provider.cancels.empty());
}

TEST_F(RequestTest, CallbackMayResubmit) {
    struct Again : Request {
        FakeProvider* p = nullptr;
        int rounds = 0;
        Again() : Request(cb) {}
        static void cb(Request& r) {
            auto& self = static_cast<Again&>(r);
            if (++self.rounds < 3) self.p->submit(self);
        }
    } r;
    r.p = &provider;
    provider.submit(r);
    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(provider.held.size(), 1u);
        provider.held.clear();
        loop.complete(r);
        loop.turn(false);
    }
    EXPECT_EQ(r.rounds, 3);
    EXPECT_FALSE(r.busy());
}

TEST_F(RequestTest, CompletionPostedInACallbackWaitsForTheNextTurn) {
    Counted a, b;
    struct Chain : Request {
        Loop* loop;
        Request* other;
        Chain() : Request(cb) {}
        static void cb(Request& r) {
            auto& self = static_cast<Chain&>(r);
            self.loop->complete(*self.other);
        }
    } first;
    first.loop = &loop;
    first.other = &b;
    provider.submit(first);
    provider.submit(b);
    loop.complete(first);
    loop.turn(false);
    EXPECT_EQ(b.completions, 0);
    EXPECT_EQ(b.state(), RequestState::Completing);
    loop.turn(false);
    EXPECT_EQ(b.completions, 1);
    (void)a;
}

TEST_F(RequestTest, StandingRequestCompletesOncePerEventThenFinallyOnCancel) {
    Counted r;
    r.set_standing(true);
    provider.submit(r);
    for (int i = 0; i < 3; ++i) {
        loop.complete(r);
        loop.turn(false);
        EXPECT_EQ(r.state(), RequestState::Submitted) << "re-armed after each event";
    }
    EXPECT_EQ(r.completions, 3);
    EXPECT_EQ(provider.rearmed.size(), 3u);
    EXPECT_TRUE(r.cancel());
    loop.turn(false);
    EXPECT_EQ(r.completions, 4);
    EXPECT_EQ(r.last_error, Error::Cancelled);
    EXPECT_EQ(r.state(), RequestState::Cancelled);
    EXPECT_FALSE(r.busy());
}

TEST_F(RequestTest, StandingRequestCancelledFromItsOwnCallback) {
    struct SelfCancel : Request {
        int calls = 0;
        bool final_cancelled = false;
        SelfCancel() : Request(cb) {}
        static void cb(Request& r) {
            auto& self = static_cast<SelfCancel&>(r);
            ++self.calls;
            if (r.ok()) EXPECT_TRUE(r.cancel());
            else self.final_cancelled = r.error() == Error::Cancelled;
        }
    } r;
    r.set_standing(true);
    provider.submit(r);
    loop.complete(r);
    loop.turn(false);  // event callback; cancel is pending, provider asked
    EXPECT_EQ(provider.cancels.size(), 1u);
    loop.turn(false);  // the final Cancelled completion
    EXPECT_EQ(r.calls, 2);
    EXPECT_TRUE(r.final_cancelled);
    EXPECT_FALSE(r.busy());
}

TEST_F(RequestTest, StandingRequestErrorIsFinal) {
    Counted r;
    r.set_standing(true);
    provider.submit(r);
    loop.complete(r, Error::Io);
    loop.turn(false);
    EXPECT_EQ(r.state(), RequestState::Completed);
    EXPECT_TRUE(provider.rearmed.empty());
}

TEST_F(RequestTest, DoubleCompletionIsCaught) {
    EXPECT_DEATH(
        {
            Counted r;
            provider.submit(r);
            loop.complete(r);
            loop.complete(r);
        },
        "completed twice");
}

TEST_F(RequestTest, CompletionFromInterruptContextIsCaught) {
    EXPECT_DEATH(
        {
            Counted r;
            provider.submit(r);
            interrupt_depth() = 1;
            loop.complete(r);
        },
        "interrupt context");
}

TEST_F(RequestTest, DestroyingABusyRequestIsCaught) {
    EXPECT_DEATH(
        {
            auto* r = new Counted;
            provider.submit(*r);
            delete r;
        },
        "destroyed while in use");
}

TEST_F(RequestTest, DoubleSubmitIsCaught) {
    EXPECT_DEATH(
        {
            Counted r;
            provider.submit(r);
            provider.submit(r);
        },
        "submitted twice");
}

// Random interleavings of submit, start, cancel (withdrawn or not),
// complete (ok or error) and loop turns. Whatever the order, every
// submission gets exactly one completion.
TEST_F(RequestTest, ExactlyOnceUnderRandomInterleavings) {
    for (unsigned seed = 1; seed <= 20; ++seed) {
        std::mt19937 rng(seed);
        constexpr int kRequests = 64;
        std::vector<Counted> reqs(kRequests);
        std::vector<int> submissions(kRequests, 0);
        provider.held.clear();
        for (int step = 0; step < 5000; ++step) {
            int i = int(rng() % kRequests);
            Counted& r = reqs[i];
            switch (rng() % 6) {
            case 0:
                if (!r.busy()) {
                    provider.submit(r);
                    ++submissions[i];
                }
                break;
            case 1:
                if (r.state() == RequestState::Submitted) r.start();
                break;
            case 2:
                provider.withdraw_on_cancel = rng() % 2;
                r.cancel();
                break;
            case 3:
            case 4: {
                auto s = r.state();
                if (s == RequestState::Submitted || s == RequestState::InFlight ||
                    s == RequestState::CancelRequested) {
                    provider.forget(r);
                    if (rng() % 3) loop.complete(r);
                    else loop.complete(r, Error::Io);
                }
                break;
            }
            case 5: loop.turn(false); break;
            }
        }
        // Drain: finish everything still held, then deliver.
        for (auto& r : reqs) {
            auto s = r.state();
            if (s == RequestState::Submitted || s == RequestState::InFlight || s == RequestState::CancelRequested)
                loop.complete(r);
        }
        provider.held.clear();
        loop.turn(false);
        for (int i = 0; i < kRequests; ++i) {
            EXPECT_EQ(reqs[i].completions, submissions[i]) << "seed " << seed << " request " << i;
            EXPECT_FALSE(reqs[i].busy());
        }
    }
}
