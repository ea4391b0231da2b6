#include "firmware/fdt_view.hpp"

#include "base/checked.hpp"
#include "base/verify.hpp"

namespace mote::fdt {

namespace {

// Token payloads are padded so the next token starts on a 4-byte boundary
// (5.4.1). Callers pass values no larger than the structure size, which is
// itself a multiple of 4, so the result never exceeds it.
usize pad4(usize value) { return (value + 3) & ~usize(3); }

}  // namespace

bool FdtView::decode(u32 offset, RawToken& out, FdtFault& fault) const {
    const usize size = m_structure.size();
    VERIFY(offset % 4 == 0 && size % 4 == 0);
    // Running out of tokens can only mean the FDT_END is missing: every
    // other token ends on a boundary no further than the block's end.
    if (check_range<usize>(offset, 4, size).is_error()) {
        fault = FdtFault::MissingEnd;
        return false;
    }
    const u8* base = m_structure.data();
    const usize payload = usize(offset) + 4;

    out = RawToken {};
    out.offset = offset;
    switch (load_be32(base + offset)) {
    case u32(Token::BeginNode): {
        // The name runs to its NUL; it may not borrow the next block's bytes.
        usize end = payload;
        while (end < size && base[end] != 0) ++end;
        if (end == size) {
            fault = FdtFault::UnterminatedName;
            return false;
        }
        out.kind = Token::BeginNode;
        out.name = StringView(reinterpret_cast<const char*>(base + payload), end - payload);
        out.next = u32(pad4(end + 1));
        return true;
    }
    case u32(Token::EndNode):
        out.kind = Token::EndNode;
        out.next = u32(payload);
        return true;
    case u32(Token::Nop):
        out.kind = Token::Nop;
        out.next = u32(payload);
        return true;
    case u32(Token::End):
        out.kind = Token::End;
        out.next = u32(payload);
        return true;
    case u32(Token::Property): {
        // struct { u32 len; u32 nameoff; } then len bytes of value (5.4.1).
        if (check_range<usize>(payload, 8, size).is_error()) {
            fault = FdtFault::PropertyOutOfBounds;
            return false;
        }
        const u32 length = load_be32(base + payload);
        const u32 name_offset = load_be32(base + payload + 4);
        const usize value_offset = payload + 8;
        if (check_range<usize>(value_offset, length, size).is_error()) {
            fault = FdtFault::PropertyOutOfBounds;
            return false;
        }
        if (name_offset >= m_strings.size()) {
            fault = FdtFault::BadStringOffset;
            return false;
        }
        // The name must end inside the strings block and within the bound
        // that keeps validation linear.
        const usize limit = min<usize>(m_strings.size() - name_offset, kMaxPropertyNameLength + 1);
        const u8* name = m_strings.data() + name_offset;
        usize name_length = 0;
        while (name_length < limit && name[name_length] != 0) ++name_length;
        if (name_length == limit || name_length == 0) {
            fault = FdtFault::BadPropertyName;
            return false;
        }
        out.kind = Token::Property;
        out.name = StringView(reinterpret_cast<const char*>(name), name_length);
        out.value = m_structure.slice(value_offset, length);
        out.next = u32(pad4(value_offset + length));
        return true;
    }
    default:
        fault = FdtFault::BadToken;
        return false;
    }
}

RawToken FdtView::token(u32 offset) const {
    RawToken out;
    FdtFault fault = FdtFault::None;
    VERIFY_MSG(decode(offset, out, fault), "fdt: malformed token in a validated blob");
    return out;
}

RawToken FdtView::token_skipping_nops(u32 offset) const { return token(skip_nops(offset)); }

TokenStep FdtView::step(u32 offset) const {
    const usize size = m_structure.size();
    VERIFY(offset % 4 == 0 && usize(offset) + 4 <= size);
    const u8* base = m_structure.data();
    switch (load_be32(base + offset)) {
    case u32(Token::BeginNode): {
        // The name starts on a 4-byte boundary and its NUL is followed by
        // padding to the next one, so the next token starts right after the
        // first payload word that holds a zero byte (whatever the padding
        // bytes are: no name byte before the NUL is zero).
        usize at = usize(offset) + 4;
        for (;;) {
            VERIFY(at + 4 <= size);
            u32 word = load_be32(base + at);
            at += 4;
            if ((word - 0x01010101u) & ~word & 0x80808080u) break;
        }
        return {Token::BeginNode, u32(at)};
    }
    case u32(Token::Property): {
        VERIFY(usize(offset) + 12 <= size);
        usize end = pad4(usize(offset) + 12 + load_be32(base + offset + 4));  // no wrap: 64-bit usize
        VERIFY(end <= size);
        return {Token::Property, u32(end)};
    }
    case u32(Token::EndNode): return {Token::EndNode, offset + 4};
    case u32(Token::Nop): return {Token::Nop, offset + 4};
    case u32(Token::End): return {Token::End, offset + 4};
    default: VERIFY_NOT_REACHED();
    }
}

u32 FdtView::skip_nops(u32 offset) const {
    for (;;) {
        TokenStep s = step(offset);
        if (s.kind != Token::Nop) return offset;
        offset = s.next;
    }
}

bool FdtView::property_named(u32 offset, StringView name) const {
    VERIFY(step(offset).kind == Token::Property);
    // parse() checked that the name offset is inside the strings block and
    // that the name ends there, so only `name` plus its NUL must fit.
    const usize name_offset = load_be32(m_structure.data() + offset + 8);
    const usize room = m_strings.size() - name_offset;
    if (name.length() >= room) return false;
    const u8* stored = m_strings.data() + name_offset;
    for (usize i = 0; i < name.length(); ++i)
        if (stored[i] != u8(name[i])) return false;
    return stored[name.length()] == 0;
}

u32 FdtView::end_of_node(u32 node_offset) const {
    TokenStep t = step(node_offset);
    VERIFY(t.kind == Token::BeginNode);
    u32 depth = 1;
    for (;;) {
        t = step(t.next);
        switch (t.kind) {
        case Token::BeginNode: ++depth; break;
        case Token::EndNode:
            if (--depth == 0) return t.next;
            break;
        case Token::Property:
        case Token::Nop: break;
        case Token::End: VERIFY_NOT_REACHED();
        }
    }
}

}  // namespace mote::fdt
