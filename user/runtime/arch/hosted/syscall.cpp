// mote_syscall for programs under the hosted kernel (a Linux process per
// program, kernel/platform/hosted/user_wire.hpp): the request goes over the
// socket the stub left at a fixed descriptor, and the answer is the Reply
// that follows the kernel's memory commands (a map() syscall's pages
// arrive as Map commands just before its reply). The program's entry is the
// x86_64 one: the stub enters it exactly as the bare-metal kernel does.
#include "syscall.hpp"

#include "platform/hosted/user_stub/linux_calls.hpp"

extern "C" int64_t mote_syscall(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                                uint64_t number) {
    using namespace mote;
    hosted_wire::Request request {hosted_wire::kSyscall, number, {a0, a1, a2, a3, a4, a5}};
    long sent = hosted_linux::call(hosted_linux::kWrite, hosted_wire::kSocketFd, long(&request), sizeof(request));
    // The kernel is gone or refused us: nothing sensible is left to do.
    if (sent != long(sizeof(request))) hosted_linux::exit_group(125);
    hosted_wire::Command reply = hosted_linux::serve();
    if (reply.kind != hosted_wire::kReply) hosted_linux::exit_group(126);
    return int64_t(reply.a);
}
