#include "base/format.hpp"

namespace mote {

void FormatBuffer::append(char c) {
    // One byte is kept for the terminating NUL.
    if (m_length + 1 < m_storage.size()) {
        m_storage[m_length++] = c;
        m_storage[m_length] = '\0';
    } else {
        ++m_dropped;
    }
}

void FormatBuffer::append(StringView s) {
    for (char c : s) append(c);
}

void FormatBuffer::append_repeated(char c, usize count) {
    for (usize i = 0; i < count; ++i) append(c);
}

void FormatBuffer::clear() {
    m_length = 0;
    m_dropped = 0;
    if (!m_storage.empty()) m_storage[0] = '\0';
}

namespace {

struct Spec {
    char fill = ' ';
    char align = '\0';  // '<', '>', '^', or '\0' for the type's default
    bool alternate = false;
    bool zero_pad = false;
    usize width = 0;
    char type = '\0';
};

bool is_align(char c) { return c == '<' || c == '>' || c == '^'; }

// Parses the text between ':' and '}'. Returns false on anything unknown.
bool parse_spec(StringView text, Spec& spec) {
    usize i = 0;
    if (text.length() >= 2 && is_align(text[1])) {
        spec.fill = text[0];
        spec.align = text[1];
        i = 2;
    } else if (text.length() >= 1 && is_align(text[0])) {
        spec.align = text[0];
        i = 1;
    }
    if (i < text.length() && text[i] == '#') {
        spec.alternate = true;
        ++i;
    }
    if (i < text.length() && text[i] == '0') {
        spec.zero_pad = true;
        ++i;
    }
    while (i < text.length() && text[i] >= '0' && text[i] <= '9') {
        spec.width = spec.width * 10 + usize(text[i] - '0');
        if (spec.width > 256) return false;  // a width that large is a typo
        ++i;
    }
    if (i < text.length()) {
        char t = text[i++];
        const char* known = "dxXbocsp";
        bool ok = false;
        for (const char* k = known; *k; ++k) ok |= (*k == t);
        if (!ok) return false;
        spec.type = t;
    }
    return i == text.length();
}

// Renders the digits of `value` in `base`, most significant first.
usize render_digits(u64 value, unsigned base, bool upper, char* out) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[64];
    usize n = 0;
    do {
        tmp[n++] = digits[value % base];
        value /= base;
    } while (value);
    for (usize i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
    return n;
}

void emit_padded(FormatBuffer& out, const Spec& spec, StringView prefix, StringView body, char default_align) {
    usize len = prefix.length() + body.length();
    usize pad = spec.width > len ? spec.width - len : 0;
    if (spec.zero_pad && spec.align == '\0') {
        // Zeros go between the sign/prefix and the digits: -0x0042.
        out.append(prefix);
        out.append_repeated('0', pad);
        out.append(body);
        return;
    }
    char align = spec.align ? spec.align : default_align;
    usize left = align == '>' ? pad : align == '^' ? pad / 2 : 0;
    out.append_repeated(spec.fill, left);
    out.append(prefix);
    out.append(body);
    out.append_repeated(spec.fill, pad - left);
}

void emit_integer(FormatBuffer& out, const Spec& spec, u64 magnitude, bool negative) {
    unsigned base = 10;
    StringView alt = "";
    switch (spec.type) {
    case 'x': base = 16; alt = "0x"; break;
    case 'X': base = 16; alt = "0X"; break;
    case 'b': base = 2; alt = "0b"; break;
    case 'o': base = 8; alt = "0o"; break;
    default: break;
    }
    char prefix[4];
    usize plen = 0;
    if (negative) prefix[plen++] = '-';
    if (spec.alternate)
        for (char c : alt) prefix[plen++] = c;
    char digits[64];
    usize n = render_digits(magnitude, base, spec.type == 'X', digits);
    emit_padded(out, spec, StringView(prefix, plen), StringView(digits, n), '>');
}

void emit_arg(FormatBuffer& out, const Spec& spec, const FormatArg& arg) {
    switch (arg.kind) {
    case FormatArg::Kind::Signed:
        if (spec.type == 'c') {
            char c = char(arg.s);
            emit_padded(out, spec, "", StringView(&c, 1), '<');
        } else if (arg.s < 0 && spec.type != 'x' && spec.type != 'X' && spec.type != 'b' && spec.type != 'o') {
            emit_integer(out, spec, u64(0) - u64(arg.s), true);
        } else if (arg.s < 0) {
            emit_integer(out, spec, u64(arg.s), false);  // hex of a negative: two's complement
        } else {
            emit_integer(out, spec, u64(arg.s), false);
        }
        return;
    case FormatArg::Kind::Unsigned:
        if (spec.type == 'c') {
            char c = char(arg.u);
            emit_padded(out, spec, "", StringView(&c, 1), '<');
        } else {
            emit_integer(out, spec, arg.u, false);
        }
        return;
    case FormatArg::Kind::Char:
        if (spec.type && spec.type != 'c') {
            emit_integer(out, spec, u64(u8(arg.c)), false);
        } else {
            emit_padded(out, spec, "", StringView(&arg.c, 1), '<');
        }
        return;
    case FormatArg::Kind::Bool:
        emit_padded(out, spec, "", arg.b ? "true" : "false", '<');
        return;
    case FormatArg::Kind::String:
        emit_padded(out, spec, "", StringView(static_cast<const char*>(arg.p), arg.length), '<');
        return;
    case FormatArg::Kind::Pointer: {
        Spec s = spec;
        s.type = 'x';
        s.alternate = true;
        emit_integer(out, s, u64(reinterpret_cast<uptr>(arg.p)), false);
        return;
    }
    }
}

}  // namespace

void vformat(FormatBuffer& out, StringView fmt, Span<const FormatArg> args) {
    usize next_arg = 0;
    usize i = 0;
    while (i < fmt.length()) {
        char c = fmt[i];
        if (c == '}' && i + 1 < fmt.length() && fmt[i + 1] == '}') {
            out.append('}');
            i += 2;
            continue;
        }
        if (c != '{') {
            out.append(c);
            ++i;
            continue;
        }
        if (i + 1 < fmt.length() && fmt[i + 1] == '{') {
            out.append('{');
            i += 2;
            continue;
        }
        usize close = i + 1;
        while (close < fmt.length() && fmt[close] != '}') ++close;
        if (close == fmt.length()) {
            out.append(fmt.substr(i));  // unterminated: print it as it stands
            return;
        }
        StringView inner = fmt.substr(i + 1, close - i - 1);
        Spec spec;
        bool ok = inner.empty() || (inner[0] == ':' && parse_spec(inner.substr(1), spec));
        if (!ok) {
            out.append("{?spec}");
            ++next_arg;  // keep later arguments lined up with their braces
        } else if (next_arg >= args.size()) {
            out.append("{?arg}");
        } else {
            emit_arg(out, spec, args[next_arg++]);
        }
        i = close + 1;
    }
}

}  // namespace mote
