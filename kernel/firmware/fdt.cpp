#include "firmware/fdt.hpp"

#include "base/checked.hpp"

namespace mote::fdt {

const char* fdt_fault_name(FdtFault fault) {
    switch (fault) {
    case FdtFault::None: return "None";
    case FdtFault::TruncatedHeader: return "TruncatedHeader";
    case FdtFault::BadMagic: return "BadMagic";
    case FdtFault::UnsupportedVersion: return "UnsupportedVersion";
    case FdtFault::TruncatedBlob: return "TruncatedBlob";
    case FdtFault::BlockOutOfBounds: return "BlockOutOfBounds";
    case FdtFault::Misaligned: return "Misaligned";
    case FdtFault::BlocksOverlap: return "BlocksOverlap";
    case FdtFault::UnterminatedReserveMap: return "UnterminatedReserveMap";
    case FdtFault::BadToken: return "BadToken";
    case FdtFault::MissingEnd: return "MissingEnd";
    case FdtFault::UnterminatedName: return "UnterminatedName";
    case FdtFault::BadNodeName: return "BadNodeName";
    case FdtFault::PropertyOutOfBounds: return "PropertyOutOfBounds";
    case FdtFault::BadStringOffset: return "BadStringOffset";
    case FdtFault::BadPropertyName: return "BadPropertyName";
    case FdtFault::PropertyOutsideNode: return "PropertyOutsideNode";
    case FdtFault::PropertyAfterChild: return "PropertyAfterChild";
    case FdtFault::UnbalancedNodes: return "UnbalancedNodes";
    case FdtFault::TooDeep: return "TooDeep";
    }
    return "UnknownFdtFault";
}

namespace {

// Header fields (5.2), as byte offsets of big-endian u32 words.
constexpr usize kMagic = 0;
constexpr usize kTotalSize = 4;
constexpr usize kOffDtStruct = 8;
constexpr usize kOffDtStrings = 12;
constexpr usize kOffMemRsvmap = 16;
constexpr usize kVersion = 20;
constexpr usize kLastCompVersion = 24;
constexpr usize kBootCpuidPhys = 28;
constexpr usize kSizeDtStrings = 32;
constexpr usize kSizeDtStruct = 36;  // version 17 and later

// Version 16 is the oldest layout this parser reads (it is the one without
// 8-byte property alignment and with the root named ""); 17 is current.
constexpr u32 kOldestVersion = 16;
constexpr u32 kCurrentVersion = 17;
constexpr usize kHeaderSizeV16 = 36;

struct Block {
    usize start;
    usize end;
    bool overlaps(const Block& other) const {
        return start < end && other.start < other.end && start < other.end && other.start < end;
    }
};

bool contains_slash(StringView name) {
    for (char c : name)
        if (c == '/') return true;
    return false;
}

}  // namespace

FdtFault Fdt::validate(ReadonlyBytes blob, Fdt& out) {
    if (blob.size() < kHeaderSize) return FdtFault::TruncatedHeader;
    const u8* header = blob.data();
    auto field = [header](usize offset) { return load_be32(header + offset); };

    if (field(kMagic) != kFdtMagic) return FdtFault::BadMagic;
    const u32 version = field(kVersion);
    // A newer blob stays readable as long as it says it is backwards
    // compatible with a version we know (5.2, last_comp_version).
    if (version < kOldestVersion || field(kLastCompVersion) > kCurrentVersion) return FdtFault::UnsupportedVersion;
    const usize header_size = version >= 17 ? kHeaderSize : kHeaderSizeV16;

    const usize total = field(kTotalSize);
    if (total > blob.size()) return FdtFault::TruncatedBlob;
    if (total < header_size) return FdtFault::BlockOutOfBounds;

    const usize rsvmap_offset = field(kOffMemRsvmap);
    const usize struct_offset = field(kOffDtStruct);
    const usize strings_offset = field(kOffDtStrings);
    const usize strings_size = field(kSizeDtStrings);
    // 5.3 and 5.4: the reservation map holds u64 pairs on an 8-byte
    // boundary; tokens are 4-byte aligned.
    if (rsvmap_offset % 8 != 0 || struct_offset % 4 != 0) return FdtFault::Misaligned;
    usize struct_size;
    if (version >= 17) {
        struct_size = field(kSizeDtStruct);
        if (struct_size % 4 != 0) return FdtFault::Misaligned;
    } else {
        // Version 16 does not record the size: the walk below finds the
        // FDT_END, within the bytes up to the strings block (or the end).
        const usize limit = strings_offset >= struct_offset ? strings_offset : total;
        if (struct_offset > limit) return FdtFault::BlockOutOfBounds;
        struct_size = align_down<usize>(limit - struct_offset, 4);
    }
    // No block may start inside the header or end past totalsize.
    if (rsvmap_offset < header_size || rsvmap_offset > total) return FdtFault::BlockOutOfBounds;
    if (struct_offset < header_size || check_range(struct_offset, struct_size, total).is_error())
        return FdtFault::BlockOutOfBounds;
    if (strings_offset < header_size || check_range(strings_offset, strings_size, total).is_error())
        return FdtFault::BlockOutOfBounds;

    // The reservation map has no size field: it is as long as its entries
    // up to and including the (0, 0) terminator (5.3.2).
    usize reserved_count = 0;
    usize rsvmap_end = rsvmap_offset;
    for (;;) {
        if (check_range<usize>(rsvmap_end, 16, total).is_error()) return FdtFault::UnterminatedReserveMap;
        const u64 address = load_be64(header + rsvmap_end);
        const u64 size = load_be64(header + rsvmap_end + 8);
        rsvmap_end += 16;
        if (address == 0 && size == 0) break;
        ++reserved_count;
    }

    auto overlap = [&] {
        const Block rsvmap {rsvmap_offset, rsvmap_end};
        const Block structure {struct_offset, struct_offset + struct_size};
        const Block strings {strings_offset, strings_offset + strings_size};
        return rsvmap.overlaps(structure) || rsvmap.overlaps(strings) || structure.overlaps(strings);
    };
    // A version-16 structure block is only known after the walk.
    if (version >= 17 && overlap()) return FdtFault::BlocksOverlap;

    FdtView view(blob.slice(struct_offset, struct_size), blob.slice(strings_offset, strings_size));

    // One pass over the structure block, checking the grammar of 5.4.2:
    //   NOP* BEGIN_NODE(root) [NOP* PROP]* child* NOP* END_NODE NOP* END
    // where each child has the same shape as the root. Every token moves
    // the offset forward by at least 4 bytes, so the walk is linear.
    // `has_child[d]` records that the open node at depth d already has a
    // child, after which it may have no more properties.
    bool has_child[kMaxDepth + 1] {};
    // Offsets of the open nodes, for the parent of each indexed phandle.
    u32 open[kMaxDepth + 1] {};
    // The open node's first "phandle" and "linux,phandle" values (5.4.2
    // puts all its properties before its first child), read the way
    // Node::phandle() reads them: "phandle" wins, a value that is not one
    // cell is no phandle.
    ReadonlyBytes phandle_value, linux_value;
    bool has_phandle = false, has_linux_phandle = false;
    auto finish_properties = [&](u32 at_depth) {
        const bool has_any = has_phandle || has_linux_phandle;
        const ReadonlyBytes value = has_phandle ? phandle_value : linux_value;
        has_phandle = has_linux_phandle = false;
        if (!has_any || value.size() != 4) return;
        const u32 parent = at_depth >= 2 ? open[at_depth - 1] : Node::kNoParent;
        out.index_phandle(load_be32(value.data()), open[at_depth], parent);
    };
    u32 depth = 0;
    bool root_seen = false;
    u32 root_offset = 0;
    usize node_count = 0;
    u32 offset = 0;
    for (;;) {
        RawToken t;
        FdtFault fault = FdtFault::None;
        if (!view.decode(offset, t, fault)) return fault;
        offset = t.next;
        if (t.kind == Token::Nop) continue;
        if (t.kind == Token::End) {
            if (!root_seen || depth != 0) return FdtFault::UnbalancedNodes;
            // Bytes after FDT_END are unused space, not an error.
            if (version < 17) {
                struct_size = offset;
                if (overlap()) return FdtFault::BlocksOverlap;
                view = FdtView(blob.slice(struct_offset, struct_size), view.strings());
            }
            break;
        }
        if (t.kind == Token::EndNode) {
            if (depth == 0) return FdtFault::UnbalancedNodes;
            if (!has_child[depth]) finish_properties(depth);
            --depth;
            continue;
        }
        if (t.kind == Token::Property) {
            if (depth == 0) return FdtFault::PropertyOutsideNode;
            if (has_child[depth]) return FdtFault::PropertyAfterChild;
            if (!has_phandle && t.name == "phandle") {
                has_phandle = true;
                phandle_value = t.value;
            } else if (!has_linux_phandle && t.name == "linux,phandle") {
                has_linux_phandle = true;
                linux_value = t.value;
            }
            continue;
        }
        // FDT_BEGIN_NODE
        if (depth == 0) {
            if (root_seen) return FdtFault::UnbalancedNodes;  // a second root
            root_seen = true;
            root_offset = t.offset;
        } else if (t.name.empty() || contains_slash(t.name)) {
            // An unnamed node, or one whose name has a '/', cannot be
            // reached by path.
            return FdtFault::BadNodeName;
        }
        if (depth == kMaxDepth) return FdtFault::TooDeep;
        // The first child ends the parent's properties.
        if (depth > 0 && !has_child[depth]) finish_properties(depth);
        has_child[depth] = true;
        ++depth;
        has_child[depth] = false;
        open[depth] = t.offset;
        ++node_count;
    }

    out.m_blob = blob.first(total);
    out.m_view = view;
    out.m_root = root_offset;
    out.m_reserved_offset = u32(rsvmap_offset);
    out.m_reserved_count = reserved_count;
    out.m_node_count = node_count;
    out.m_version = version;
    out.m_boot_cpuid = field(kBootCpuidPhys);
    return FdtFault::None;
}

Result<Fdt> Fdt::parse(ReadonlyBytes blob, FdtFault* fault) {
    Fdt fdt;
    FdtFault result = validate(blob, fdt);
    if (fault) *fault = result;
    if (result != FdtFault::None) return Error::Malformed;
    return fdt;
}

void Fdt::index_phandle(u32 phandle, u32 node, u32 parent) {
    if (m_phandle_count == kPhandleIndexSize) {
        m_phandles_complete = false;
        return;
    }
    m_phandles[m_phandle_count++] = {phandle, node, parent};
}

Result<Node> Fdt::find_by_phandle(u32 phandle) const {
    // The same reserved values find_node_by_phandle() refuses (2.3.3).
    if (phandle == 0 || phandle == ~u32(0)) return Error::NotFound;
    for (usize i = 0; i < m_phandle_count; ++i) {
        const PhandleEntry& e = m_phandles[i];
        if (e.phandle == phandle) return Node(m_view, e.node, e.parent);
    }
    // Past a full index only a walk knows; a hit above is still right,
    // because any earlier node with the same phandle would be indexed too.
    if (m_phandles_complete) return Error::NotFound;
    return find_node_by_phandle(m_view, phandle);
}

Result<u32> Fdt::peek_total_size(ReadonlyBytes header) {
    if (header.size() < 8) return Error::Malformed;
    if (load_be32(header.data() + kMagic) != kFdtMagic) return Error::Malformed;
    return load_be32(header.data() + kTotalSize);
}

Reg Fdt::reserved_entry(usize index) const {
    VERIFY(index < m_reserved_count);
    const u8* entry = m_blob.slice(m_reserved_offset + 16 * index, 16).data();
    return Reg {load_be64(entry), load_be64(entry + 8)};
}

namespace {

// Follows the '/'-separated components of `path` down from `node`. Empty
// components ("//", a trailing '/') are skipped.
Result<Node> walk_path(Node node, StringView path) {
    usize i = 0;
    while (i < path.length()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        usize end = i;
        while (end < path.length() && path[end] != '/') ++end;
        node = TRY(node.child(path.substr(i, end - i)));
        i = end;
    }
    return node;
}

}  // namespace

Result<Node> Fdt::find_node(StringView path) const {
    if (path.empty()) return Error::InvalidArgument;
    if (path[0] == '/') return walk_path(root(), path);

    // An alias (3.3): the first component names a property of /aliases whose
    // value is an absolute path. Aliases of aliases are not allowed, which
    // also keeps this from recursing.
    usize end = 0;
    while (end < path.length() && path[end] != '/') ++end;
    Node aliases = TRY(walk_path(root(), "/aliases"));
    Property alias = TRY(aliases.property(path.substr(0, end)));
    StringView target = TRY(alias.as_string());
    if (target.empty() || target[0] != '/') return Error::NotFound;
    Node node = TRY(walk_path(root(), target));
    return walk_path(node, path.substr(end));
}

Result<StringView> Fdt::bootargs() const {
    Node chosen = TRY(find_node("/chosen"));
    Property args = TRY(chosen.property("bootargs"));
    return args.as_string();
}

Result<StringView> Fdt::stdout_path() const {
    Node chosen = TRY(find_node("/chosen"));
    auto current = chosen.property("stdout-path");
    Property property = current.ok() ? current.value() : TRY(chosen.property("linux,stdout-path"));
    StringView value = TRY(property.as_string());
    // "serial0:115200n8": ':' cannot occur in a node name, so the first one
    // starts the options (3.6).
    usize colon = 0;
    while (colon < value.length() && value[colon] != ':') ++colon;
    return value.substr(0, colon);
}

Result<Node> Fdt::stdout_node() const {
    StringView path = TRY(stdout_path());
    return find_node(path);
}

bool Fdt::is_memory_node(const Node& node) {
    if (!node.is_enabled()) return false;
    auto type = node.property("device_type");
    if (type.is_error()) return false;
    auto text = type.value().as_string();
    return text.ok() && text.value() == "memory";
}

}  // namespace mote::fdt
