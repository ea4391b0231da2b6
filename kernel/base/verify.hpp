// Always-on assertions and the breadcrumb trail printed when one fails.
//
// VERIFY(cond) stays on in every build, release included: a kernel that has
// detected its own corruption must stop and say where, not limp on.
// DEBUG_VERIFY(cond) is for checks too costly for release (walking a whole
// list, say); it compiles to nothing unless MOTE_DEBUG_CHECKS is set.
//
// Breadcrumbs: BREADCRUMB("tag", value) records the last few interesting
// events in a small ring; a failed VERIFY prints them oldest first, so the
// report shows how the kernel got there, not only where it stopped.
#pragma once

#include "base/types.hpp"

namespace mote {

[[noreturn]] void verify_failed(const char* file, int line, const char* expr, const char* message);

void breadcrumb(const char* tag, u64 value);

// Writes the trail, oldest first, one line per crumb, through `emit`.
void breadcrumbs_dump(void (*emit)(const char* line, void* context), void* context);

// Provided by the platform (hosted: stderr + abort; bare metal: the crash
// report). `report` is the full, already formatted text of the failure.
[[noreturn]] void platform_panic(const char* report);

}  // namespace mote

#define VERIFY(cond)                                                          \
    do {                                                                      \
        if (!(cond)) [[unlikely]]                                             \
            ::mote::verify_failed(__FILE__, __LINE__, #cond, nullptr);        \
    } while (0)

#define VERIFY_MSG(cond, msg)                                                 \
    do {                                                                      \
        if (!(cond)) [[unlikely]]                                             \
            ::mote::verify_failed(__FILE__, __LINE__, #cond, (msg));          \
    } while (0)

#define VERIFY_NOT_REACHED() ::mote::verify_failed(__FILE__, __LINE__, "not reached", nullptr)

#if defined(MOTE_DEBUG_CHECKS)
#define DEBUG_VERIFY(cond) VERIFY(cond)
#else
#define DEBUG_VERIFY(cond) \
    do {                   \
        (void)sizeof(cond); \
    } while (0)
#endif

#define BREADCRUMB(tag, value) ::mote::breadcrumb((tag), static_cast<::mote::u64>(value))
