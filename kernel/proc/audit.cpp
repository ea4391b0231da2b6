// audit() and deny(): how the syscall layer and the objects below it put
// records in the process table's AuditLog.
#include "proc/audit_log.hpp"
#include "proc/process.hpp"
#include "proc/process_table.hpp"

namespace mote {

void audit(Thread& thread, AuditAction action, const KernelObject* object, u32 before, u32 after, abi::Err outcome) {
    Process& process = thread.process();
    AuditRecord record;
    record.time = process.table().loop().now();
    record.pid = process.pid();
    record.syscall = thread.syscall();
    record.action = action;
    if (object) {
        record.object_type = u8(object->type());
        record.object_id = object->id();
    }
    record.rights_before = before;
    record.rights_after = after;
    record.outcome = u8(outcome);
    StringView name = process.name();
    for (usize i = 0; i < sizeof(record.program) && i < name.length(); ++i) record.program[i] = name[i];
    process.table().audit().append(record);
}

abi::Err deny(Thread& thread, abi::Err why, const KernelObject* object, u32 held, u32 needed) {
    audit(thread, AuditAction::Deny, object, held, needed, why);
    return why;
}

}  // namespace mote
