// etc/services decoded (user/programs/init/service_list.*) and init's
// restart pauses (backoff.hpp): defaults, every option, every ServiceFault
// with its line number and word, bad lines skipped while the rest are
// kept, the bounds, and the files the image ships.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "init/backoff.hpp"
#include "init/service_list.hpp"

using namespace mote;
using namespace mote::user;

namespace {

ServiceList& parse(const std::string& text) {
    static ServiceList list;
    ServiceList::parse(StringView(text.data(), text.size()), list);
    return list;
}

std::string words(const ServiceSpec& spec) {
    std::string out;
    for (usize i = 0; i < spec.word_count; ++i) {
        if (i) out += ' ';
        StringView w = spec.word(i);
        out.append(w.data(), w.length());
    }
    return out;
}

// The one problem a one-line file has.
ServiceFault fault_of(const std::string& line, std::string* word = nullptr) {
    ServiceList& list = parse(line);
    EXPECT_EQ(list.count(), 0u) << line;
    if (list.problem_count() != 1) {
        ADD_FAILURE() << line << ": " << list.problem_count() << " problems";
        return ServiceFault::None;
    }
    EXPECT_EQ(list.problems()[0].line, 1u);
    if (word) *word = list.problems()[0].word;
    return list.problems()[0].fault;
}

}  // namespace

TEST(ServiceList, DefaultsAndCommand) {
    ServiceList& list = parse("httpd -- httpd -p 80 www\n");
    ASSERT_EQ(list.count(), 1u);
    EXPECT_EQ(list.problem_count(), 0u);
    const ServiceSpec& s = list[0];
    EXPECT_EQ(std::string(s.name), "httpd");
    EXPECT_EQ(words(s), "httpd -p 80 www");
    EXPECT_EQ(s.restart, RestartPolicy::Always);
    EXPECT_EQ(s.check, CheckKind::None);
    EXPECT_EQ(s.every_ns, 5 * kSecondNs);
    EXPECT_EQ(s.timeout_ns, kSecondNs);
    EXPECT_EQ(s.failures, 3u);
    EXPECT_EQ(s.backoff_min_ns, kSecondNs);
    EXPECT_EQ(s.backoff_max_ns, 60 * kSecondNs);
    EXPECT_EQ(s.stable_ns, 30 * kSecondNs);
    EXPECT_EQ(std::string(s.log), "");
    EXPECT_EQ(list.find("httpd"), &list[0]);
    EXPECT_EQ(list.find("http"), nullptr);
}

TEST(ServiceList, EveryOption) {
    ServiceList& list = parse(
        "  flaky\trestart=on-failure check=udp:9 every=1s timeout=500ms failures=2 backoff=250ms..2m stable=20s "
        "log=tmp/x/flaky.out -- flaky 9 3 \r\n");
    ASSERT_EQ(list.count(), 1u) << (list.problem_count() ? service_fault_name(list.problems()[0].fault) : "");
    const ServiceSpec& s = list[0];
    EXPECT_EQ(s.restart, RestartPolicy::OnFailure);
    EXPECT_EQ(s.check, CheckKind::Udp);
    EXPECT_EQ(s.check_port, 9);
    EXPECT_EQ(s.every_ns, kSecondNs);
    EXPECT_EQ(s.timeout_ns, 500 * kMillisecond);
    EXPECT_EQ(s.failures, 2u);
    EXPECT_EQ(s.backoff_min_ns, 250 * kMillisecond);
    EXPECT_EQ(s.backoff_max_ns, 120 * kSecondNs);
    EXPECT_EQ(s.stable_ns, 20 * kSecondNs);
    EXPECT_EQ(std::string(s.log), "tmp/x/flaky.out");
    EXPECT_EQ(words(s), "flaky 9 3");

    EXPECT_EQ(parse("a restart=never check=tcp:80 log=console -- a")[0].restart, RestartPolicy::Never);
    EXPECT_EQ(parse("a check=tcp:65535 -- a")[0].check_port, 65535);
    EXPECT_EQ(parse("a check=none -- a")[0].check, CheckKind::None);
    EXPECT_EQ(std::string(parse("a log=console -- a")[0].log), "console");
}

TEST(ServiceList, CommentsBlankLinesAndNoNewlineAtEnd) {
    ServiceList& list = parse("# header\n\n   \n\t# indented comment\na -- x\nb -- y");
    ASSERT_EQ(list.count(), 2u);
    EXPECT_EQ(list.problem_count(), 0u);
    EXPECT_EQ(words(list[1]), "y");
    EXPECT_EQ(parse("").count(), 0u);
    EXPECT_EQ(parse("\n\n").problem_count(), 0u);
}

TEST(ServiceList, EveryFaultByName) {
    std::string word;
    EXPECT_EQ(fault_of(std::string("a -- x\0y", 8)), ServiceFault::NulInText);
    EXPECT_EQ(fault_of("Httpd -- x", &word), ServiceFault::BadName);
    EXPECT_EQ(word, "Httpd");
    EXPECT_EQ(fault_of("-a -- x"), ServiceFault::BadName);
    EXPECT_EQ(fault_of("a.b -- x"), ServiceFault::BadName);
    EXPECT_EQ(fault_of("abcdefghijklmnopq -- x"), ServiceFault::NameTooLong);
    EXPECT_EQ(fault_of("a flavor=x -- x", &word), ServiceFault::UnknownOption);
    EXPECT_EQ(word, "flavor=x");
    EXPECT_EQ(fault_of("a restart -- x"), ServiceFault::UnknownOption);
    EXPECT_EQ(fault_of("a restart=always restart=never -- x", &word), ServiceFault::RepeatedOption);
    EXPECT_EQ(word, "restart=never");
    EXPECT_EQ(fault_of("a restart=sometimes -- x"), ServiceFault::BadRestart);
    for (const char* check : {"check=tcp", "check=tcp:", "check=tcp:0", "check=tcp:65536", "check=sctp:1",
                              "check=udp:-1", "check=udp:8x", "check="})
        EXPECT_EQ(fault_of(std::string("a ") + check + " -- x"), ServiceFault::BadCheck) << check;
    for (const char* d : {"every=5", "every=5h", "every=99ms", "every=2h", "every=1.5s", "every=-1s", "every=s",
                          "timeout=9ms", "timeout=61s", "stable=25h", "every=99999999999999999999m"})
        EXPECT_EQ(fault_of(std::string("a ") + d + " -- x"), ServiceFault::BadDuration) << d;
    for (const char* n : {"failures=0", "failures=101", "failures=x", "failures="})
        EXPECT_EQ(fault_of(std::string("a ") + n + " -- x"), ServiceFault::BadCount) << n;
    for (const char* b : {"backoff=1s", "backoff=2s..1s", "backoff=..1s", "backoff=1s..", "backoff=5ms..1s",
                          "backoff=1s..2h", "backoff=1s.2s"})
        EXPECT_EQ(fault_of(std::string("a ") + b + " -- x"), ServiceFault::BadBackoff) << b;
    for (const char* l : {"log=", "log=/tmp/a", "log=tmp/../etc/x", "log=tmp//a", "log=tmp/",
                          "log=0123456789012345678901234567890123456789012345678901234567890123"})
        EXPECT_EQ(fault_of(std::string("a ") + l + " -- x"), ServiceFault::BadLog) << l;
    EXPECT_EQ(fault_of("a check=tcp:80"), ServiceFault::MissingCommand);
    EXPECT_EQ(fault_of("a --"), ServiceFault::MissingCommand);
    EXPECT_EQ(fault_of("a -- 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", &word), ServiceFault::TooManyArguments);
    EXPECT_EQ(word, "17");
    EXPECT_EQ(fault_of("a -- " + std::string(160, 'x')), ServiceFault::CommandTooLong);
    EXPECT_EQ(parse("a -- " + std::string(159, 'x')).count(), 1u);  // exactly fits with its NUL
}

TEST(ServiceList, BadLinesAreSkippedTheRestKept) {
    ServiceList& list = parse(
        "# services\n"
        "httpd check=tcp:80 -- httpd -p 80 www\n"
        "broken flavor=strawberry -- true\n"
        "httpd -- again\n"
        "udpecho check=udp:7 -- udpecho 7\n"
        "nocommand restart=never\n");
    ASSERT_EQ(list.count(), 2u);
    EXPECT_EQ(std::string(list[0].name), "httpd");
    EXPECT_EQ(std::string(list[1].name), "udpecho");
    ASSERT_EQ(list.problem_count(), 3u);
    EXPECT_EQ(list.problems()[0].line, 3u);
    EXPECT_EQ(list.problems()[0].fault, ServiceFault::UnknownOption);
    EXPECT_EQ(std::string(list.problems()[0].word), "flavor=strawberry");
    EXPECT_EQ(list.problems()[1].line, 4u);
    EXPECT_EQ(list.problems()[1].fault, ServiceFault::Duplicate);
    EXPECT_EQ(list.problems()[2].line, 6u);
    EXPECT_EQ(list.problems()[2].fault, ServiceFault::MissingCommand);
}

TEST(ServiceList, BoundsOnServicesAndProblems) {
    std::string text;
    for (int i = 0; i < 20; ++i) text += "s" + std::to_string(i) + " -- x\n";
    ServiceList& list = parse(text);
    EXPECT_EQ(list.count(), ServiceList::kMaxServices);
    ASSERT_EQ(list.problem_count(), 4u);
    EXPECT_EQ(list.problems()[0].fault, ServiceFault::TooManyServices);
    EXPECT_EQ(list.problems()[0].line, 17u);

    text.clear();
    for (int i = 0; i < 12; ++i) text += "bad!" + std::to_string(i) + " -- x\n";
    text += "good -- x\n";
    ServiceList& many = parse(text);
    EXPECT_EQ(many.count(), 1u);
    EXPECT_EQ(many.problem_count(), 12u);
    EXPECT_EQ(many.problems().size(), ServiceList::kMaxProblems);
    EXPECT_EQ(many.problems()[7].line, 8u);
    // A long word is cut to fit the record.
    EXPECT_EQ(fault_of("a flavor=" + std::string(100, 'y') + " -- x"), ServiceFault::UnknownOption);
    EXPECT_EQ(std::string(parse("a flavor=" + std::string(100, 'y') + " -- x").problems()[0].word).size(),
              ServiceProblem::kWordMax);
}

TEST(ServiceList, Durations) {
    EXPECT_EQ(parse_duration("0s").value(), 0u);
    EXPECT_EQ(parse_duration("250ms").value(), 250 * kMillisecond);
    EXPECT_EQ(parse_duration("2m").value(), 120 * kSecondNs);
    EXPECT_TRUE(parse_duration("").is_error());
    EXPECT_TRUE(parse_duration("ms").is_error());
    EXPECT_TRUE(parse_duration("1").is_error());
    EXPECT_TRUE(parse_duration("1 s").is_error());
    EXPECT_TRUE(parse_duration("1S").is_error());
    EXPECT_EQ(parse_duration("18446744073709551615m").error(), Error::Overflow);
}

TEST(ServiceList, TheFilesTheImageShips) {
    for (const char* name : {"services", "test-services"}) {
        std::ifstream file(std::string(MOTE_TEST_DATA "/../../user/etc/") + name);
        ASSERT_TRUE(file) << name;
        std::stringstream text;
        text << file.rdbuf();
        ServiceList& list = parse(text.str());
        if (std::string(name) == "services") {
            EXPECT_EQ(list.problem_count(), 0u);
            ASSERT_EQ(list.count(), 2u);
            EXPECT_EQ(words(*list.find("httpd")), "httpd -p 80 www");
            EXPECT_EQ(list.find("httpd")->check, CheckKind::Tcp);
            EXPECT_EQ(words(*list.find("udpecho")), "udpecho 7");
            EXPECT_EQ(list.find("udpecho")->check_port, 7);
        } else {
            // One bad line on purpose (tests/qemu/test_services.py reads its report).
            ASSERT_EQ(list.problem_count(), 1u);
            EXPECT_EQ(list.problems()[0].line, 9u);
            EXPECT_EQ(list.problems()[0].fault, ServiceFault::UnknownOption);
            EXPECT_STREQ(list.problems()[0].word, "flavor=strawberry");
            ASSERT_EQ(list.count(), 5u);
            ASSERT_NE(list.find("crashy"), nullptr);
            EXPECT_EQ(list.find("crashy")->backoff_min_ns, 250 * kMillisecond);
            ASSERT_NE(list.find("flaky"), nullptr);
            EXPECT_EQ(list.find("flaky")->failures, 2u);
            ASSERT_NE(list.find("web"), nullptr);
            EXPECT_EQ(list.find("web")->check_port, 80);
            ASSERT_NE(list.find("stale"), nullptr);
            EXPECT_EQ(list.find("stale")->check_port, 8081);
            EXPECT_EQ(words(*list.find("stale")), "httpd -p 8080 www");
        }
    }
}

TEST(Backoff, DoublesToTheBoundAndStartsOverAfterAStableRun) {
    Backoff b(250 * kMillisecond, 2 * kSecondNs, 20 * kSecondNs);
    EXPECT_EQ(b.next(0), 250 * kMillisecond);
    EXPECT_EQ(b.next(kSecondNs), 500 * kMillisecond);
    EXPECT_EQ(b.next(kSecondNs), 1000 * kMillisecond);
    EXPECT_EQ(b.next(kSecondNs), 2000 * kMillisecond);
    EXPECT_EQ(b.next(kSecondNs), 2000 * kMillisecond);
    EXPECT_EQ(b.upcoming(), 2000 * kMillisecond);
    EXPECT_EQ(b.next(20 * kSecondNs), 250 * kMillisecond);  // it had recovered
    EXPECT_EQ(b.next(0), 500 * kMillisecond);
    b.reset();
    EXPECT_EQ(b.next(0), 250 * kMillisecond);
    // The doubling never wraps.
    Backoff big(3000 * kSecondNs, 3600 * kSecondNs, ~u64(0));
    EXPECT_EQ(big.next(0), 3000 * kSecondNs);
    EXPECT_EQ(big.next(0), 3600 * kSecondNs);
    Backoff huge(~u64(0) / 2 + 1, ~u64(0), ~u64(0));
    EXPECT_EQ(huge.next(0), ~u64(0) / 2 + 1);
    EXPECT_EQ(huge.next(0), ~u64(0));
}
