// AuditLog: a bounded ring of records, one for every handle that moves
// between processes (spawn inheritance, a channel message sent or received,
// a dup with fewer rights) and every denial (a forged or stale handle, a
// missing right, a path that escapes, a full handle table or channel).
// Fixed size, no allocation: when it is full the oldest record is
// overwritten and counted as lost, so a flood of denials cannot grow kernel
// memory, and the reader learns how much it missed. Read through
// sys/audit, which only the audit capability opens (abi::kAuditCap).
#pragma once

#include "abi/syscalls.hpp"
#include "base/format.hpp"
#include "core/timer.hpp"

namespace mote {

enum class AuditAction : u8 { Inherit, Send, Receive, Dup, Deny };
const char* audit_action_name(AuditAction action);

struct AuditRecord {
    Nanoseconds time = 0;
    u64 sequence = 0;     // counts every record ever appended, from 1
    u32 pid = 0;
    u32 object_id = 0;    // KernelObject::id(), 0 if none was named
    u32 rights_before = 0;
    u32 rights_after = 0;  // for a denial: the rights that were needed
    u16 syscall = 0;       // abi::Sys
    AuditAction action = AuditAction::Deny;
    u8 object_type = 0xff;  // ObjectType, 0xff if none
    u8 outcome = 0;         // 0: allowed; otherwise the abi::Err it failed with
    char program[15] {};
};

class AuditLog {
public:
    static constexpr usize kRecords = 256;

    void append(const AuditRecord& record);

    u64 total() const { return m_total; }
    u64 denials() const { return m_denials; }
    // Records overwritten before anybody could read them.
    u64 lost() const { return m_total > kRecords ? m_total - kRecords : 0; }
    usize size() const { return m_total > kRecords ? kRecords : usize(m_total); }

    // Oldest first.
    template <typename Fn>
    void for_each(Fn&& fn) const {
        usize count = size();
        u64 first = m_total - count;
        for (u64 i = first; i < m_total; ++i) fn(m_records[i % kRecords]);
    }

private:
    AuditRecord m_records[kRecords];
    u64 m_total = 0;
    u64 m_denials = 0;
};

class Thread;
class KernelObject;
// An audit record for `thread`'s current syscall, in its process table's
// log (proc/audit.cpp).
void audit(Thread& thread, AuditAction action, const KernelObject* object, u32 before, u32 after,
           abi::Err outcome = abi::Err(0));
// Audits a refusal and returns `why`, for `return deny(...)`.
abi::Err deny(Thread& thread, abi::Err why, const KernelObject* object, u32 held, u32 needed);

// One line per record, and a header with the totals (sys/audit).
void write_audit(const AuditLog& log, FormatBuffer& out);

}  // namespace mote
