#include "fake_syscall.hpp"

#include <algorithm>
#include <cstring>

namespace mabi = mote::abi;

namespace mote::test {

std::vector<RecordedCall> g_calls;
std::vector<int64_t> g_answers;
mabi::SpawnArgs g_spawn_args;
std::string g_spawn_argv;

void reset_fake() {
    g_calls.clear();
    g_answers.clear();
}

std::string written() {
    std::string text;
    for (const auto& call : g_calls)
        if (call.number == uint64_t(mabi::Sys::Write)) text += call.bytes;
    return text;
}

}  // namespace mote::test

using namespace mote::test;

extern "C" int64_t mote_syscall(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                                uint64_t number) {
    RecordedCall call {number, {a0, a1, a2, a3, a4, a5}, {}};
    int64_t answer = 0;
    if (!g_answers.empty()) {
        answer = g_answers.front();
        g_answers.erase(g_answers.begin());
    }
    if (number == uint64_t(mabi::Sys::Write)) {
        // A write of n bytes that the script accepts partly keeps only those.
        size_t kept = answer >= 0 ? std::min<size_t>(size_t(answer), size_t(a2)) : 0;
        call.bytes.assign(reinterpret_cast<const char*>(a1), kept);
    }
    if (number == uint64_t(mabi::Sys::Rename) || number == uint64_t(mabi::Sys::Link)) {
        mabi::PathPair pair;
        std::memcpy(&pair, reinterpret_cast<const void*>(a0), sizeof(pair));
        call.bytes = std::to_string(pair.from_dir) + ":" +
                     std::string(reinterpret_cast<const char*>(pair.from_path), pair.from_length) + " " +
                     std::to_string(pair.to_dir) + ":" + std::string(reinterpret_cast<const char*>(pair.to_path), pair.to_length);
    }
    if (number == uint64_t(mabi::Sys::Spawn)) {
        std::memcpy(&g_spawn_args, reinterpret_cast<const void*>(a0), sizeof(g_spawn_args));
        g_spawn_argv.assign(reinterpret_cast<const char*>(g_spawn_args.argv), g_spawn_args.argv_length);
    }
    g_calls.push_back(call);
    return answer;
}
