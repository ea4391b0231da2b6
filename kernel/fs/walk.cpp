#include "fs/walk.hpp"

namespace mote::fs {

const char* walk_fault_name(WalkFault fault) {
    switch (fault) {
    case WalkFault::None: return "None";
    case WalkFault::EmptyPath: return "EmptyPath";
    case WalkFault::AbsolutePath: return "AbsolutePath";
    case WalkFault::PathTooLong: return "PathTooLong";
    case WalkFault::NameTooLong: return "NameTooLong";
    case WalkFault::NulInPath: return "NulInPath";
    case WalkFault::EscapesStart: return "EscapesStart";
    case WalkFault::NotDirectory: return "NotDirectory";
    case WalkFault::NotFound: return "NotFound";
    case WalkFault::LookupFailed: return "LookupFailed";
    case WalkFault::TooDeep: return "TooDeep";
    }
    return "UnknownWalkFault";
}

namespace {

// Splits a path into its components, skipping the empty ones that repeated
// or trailing slashes make.
class Components {
public:
    explicit Components(StringView path) : m_path(path) {}

    // The next component, or false at the end.
    bool next(StringView& out) {
        while (m_at < m_path.length() && m_path[m_at] == '/') ++m_at;
        if (m_at == m_path.length()) return false;
        usize end = m_at;
        while (end < m_path.length() && m_path[end] != '/') ++end;
        out = m_path.substr(m_at, end - m_at);
        m_at = end;
        return true;
    }

private:
    StringView m_path;
    usize m_at = 0;
};

}  // namespace

WalkFault check_path(StringView path) {
    if (path.empty()) return WalkFault::EmptyPath;
    if (path.length() > kWalkPathMax) return WalkFault::PathTooLong;
    if (path[0] == '/') return WalkFault::AbsolutePath;
    for (char c : path)
        if (c == '\0') return WalkFault::NulInPath;
    // How far below the start each prefix of the path is; ".." at depth 0
    // would leave it. Lexical, so it holds whatever the tree looks like.
    usize depth = 0;
    Components components(path);
    StringView name;
    while (components.next(name)) {
        if (name == ".") continue;
        if (name == "..") {
            if (depth == 0) return WalkFault::EscapesStart;
            --depth;
            continue;
        }
        if (name.length() > abi::kNameMax) return WalkFault::NameTooLong;
        if (++depth > kWalkDepthMax) return WalkFault::TooDeep;
    }
    return WalkFault::None;
}

Task<NodeRef> walk(FsNode& dir, StringView path, WalkFault* fault_out, WalkMode mode) {
    WalkFault fault = check_path(path);
    if (fault_out) *fault_out = fault;
    if (fault != WalkFault::None) co_return Error::Malformed;

    // The nodes the walk came through, so ".." returns to the very node it
    // came from: a mount point's own filesystem has no idea what it is
    // mounted in. check_path bounds the depth, so this is the whole way.
    NodeRef came_from[kWalkDepthMax];
    NodeRef node(dir);
    usize depth = 0;
    Components components(path);
    StringView name;
    auto fail = [&](WalkFault why) {
        if (fault_out) *fault_out = why;
    };
    while (components.next(name)) {
        if (!node->is_directory()) {
            fail(WalkFault::NotDirectory);
            co_return Error::BadState;
        }
        if (name == ".") continue;
        if (name == "..") {
            // check_path proved this ".." undoes a step the walk took below
            // `dir`, so there is a node we came from.
            VERIFY(depth > 0);
            node = mote::move(came_from[--depth]);
            continue;
        }
        if (mode == WalkMode::MemoryOnly && node->may_wait()) {
            fail(WalkFault::LookupFailed);
            co_return Error::WouldBlock;
        }
        auto child = co_await node->lookup(name);
        if (child.is_error()) {
            fail(child.error() == Error::NotFound ? WalkFault::NotFound : WalkFault::LookupFailed);
            co_return child.error();
        }
        came_from[depth++] = mote::move(node);
        node = child.release_value();
    }
    // A path ending in '/' names a directory. (A file as the start is
    // caught above: every accepted path has at least one component.)
    if (!node->is_directory() && path[path.length() - 1] == '/') {
        fail(WalkFault::NotDirectory);
        co_return Error::BadState;
    }
    co_return mote::move(node);
}

}  // namespace mote::fs
