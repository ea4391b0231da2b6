#include "proc/audit_log.hpp"

#include "proc/abi_error.hpp"
#include "proc/kernel_object.hpp"

namespace mote {

const char* audit_action_name(AuditAction action) {
    switch (action) {
    case AuditAction::Inherit: return "inherit";
    case AuditAction::Send: return "send";
    case AuditAction::Receive: return "receive";
    case AuditAction::Dup: return "dup";
    case AuditAction::Deny: return "deny";
    }
    return "?";
}

void AuditLog::append(const AuditRecord& record) {
    AuditRecord& slot = m_records[m_total % kRecords];
    slot = record;
    slot.sequence = ++m_total;
    if (record.action == AuditAction::Deny) ++m_denials;
}

namespace {

// Rights as letters, one per bit in abi::Rights order; '-' where missing.
void append_rights(FormatBuffer& out, u32 rights) {
    static constexpr char kLetters[] = "rwxmdtecWSP";
    for (u32 bit = 0; bit < sizeof(kLetters) - 1; ++bit) out.append((rights >> bit) & 1 ? kLetters[bit] : '-');
}

usize program_length(const AuditRecord& r) {
    usize n = 0;
    while (n < sizeof(r.program) && r.program[n]) ++n;
    return n;
}

}  // namespace

void write_audit(const AuditLog& log, FormatBuffer& out) {
    format_append(out, "records {} denials {} lost {}\n", log.total(), log.denials(), log.lost());
    log.for_each([&](const AuditRecord& r) {
        format_append(out, "#{} {}.{:03}s pid {} {} {} syscall {} ", r.sequence, r.time / 1'000'000'000,
                      (r.time / 1'000'000) % 1000, r.pid, StringView(r.program, program_length(r)),
                      audit_action_name(r.action), r.syscall);
        if (r.object_type != 0xff) format_append(out, "{} #{} ", object_type_name(ObjectType(r.object_type)), r.object_id);
        else out.append("- ");
        append_rights(out, r.rights_before);
        out.append(r.action == AuditAction::Deny ? " needs " : " -> ");
        append_rights(out, r.rights_after);
        if (r.outcome) format_append(out, " {}\n", abi_error_name(abi::Err(r.outcome)));
        else out.append(" ok\n");
    });
}

}  // namespace mote
