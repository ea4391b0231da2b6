// audit: prints the audit ring (every handle transfer and every denial,
// with how many records were lost to overflow). It needs the audit
// capability (abi::kAuditCap: etc/caps gives it to `audit`).
#include "runtime.hpp"

int main(int, char**) { return mote::user::show_capability("audit", mote::user::audit_cap(), "audit"); }
