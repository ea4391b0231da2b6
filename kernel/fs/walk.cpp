#include "fs/walk.hpp"

#include "base/memory.hpp"

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
    case WalkFault::SymlinkLoop: return "SymlinkLoop";
    case WalkFault::NoLastName: return "NoLastName";
    }
    return "UnknownWalkFault";
}

namespace {

// Splits a path into its components, skipping the empty ones that repeated
// or trailing slashes make.
class Components {
public:
    explicit Components(StringView path) : m_path(path) {}

    // What follows the component next() returned last (its slashes too).
    StringView rest() const { return m_path.substr(m_at); }
    // Whether no component is left (only slashes, or nothing).
    bool at_end() const {
        usize at = m_at;
        while (at < m_path.length() && m_path[at] == '/') ++at;
        return at == m_path.length();
    }

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

// Whether a lookup in (or a read of) `node` would have to wait, in a walk
// that must not.
bool mode_waits(WalkMode mode, FsNode& node) { return mode == WalkMode::MemoryOnly && node.may_wait(); }

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

namespace {

// A symlink's target, about to be walked: the syntax rules of check_path,
// but not its depth rules (the target starts wherever the link is; the walk
// checks ".." and depth as it goes).
WalkFault check_target(StringView target) {
    if (target.empty()) return WalkFault::EmptyPath;
    if (target[0] == '/') return WalkFault::AbsolutePath;
    Components components(target);
    StringView name;
    for (char c : target)
        if (c == '\0') return WalkFault::NulInPath;
    while (components.next(name))
        if (name.length() > abi::kNameMax) return WalkFault::NameTooLong;
    return WalkFault::None;
}

}  // namespace

Task<NodeRef> walk(FsNode& dir, StringView path, WalkFault* fault_out, WalkMode mode) {
    return walk(dir, path, fault_out, WalkOptions {.mode = mode, .follow_last = true, .scratch = {}});
}

Task<NodeRef> walk(FsNode& dir, StringView path, WalkFault* fault_out, WalkOptions options) {
    WalkFault fault = check_path(path);
    if (fault_out) *fault_out = fault;
    if (fault != WalkFault::None) co_return Error::Malformed;

    // The nodes the walk came through, so ".." returns to the very node it
    // came from: a mount point's own filesystem has no idea what it is
    // mounted in. The depth is bounded (TooDeep), so this is the whole way.
    NodeRef came_from[kWalkDepthMax];
    NodeRef node(dir);
    usize depth = 0;
    usize links = 0;
    // The path being walked: the caller's, then (after a symlink) the
    // target and the rest, spliced in `options.scratch`.
    StringView current = path;
    Components components(current);
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
            // check_path proved this for the caller's path; a symlink's
            // target is checked here.
            if (depth == 0) {
                fail(WalkFault::EscapesStart);
                co_return Error::Malformed;
            }
            node = mote::move(came_from[--depth]);
            continue;
        }
        if (options.mode == WalkMode::MemoryOnly && node->lookup_may_wait(name)) {
            fail(WalkFault::LookupFailed);
            co_return Error::WouldBlock;
        }
        auto child = co_await node->lookup(name);
        if (child.is_error()) {
            fail(child.error() == Error::NotFound ? WalkFault::NotFound : WalkFault::LookupFailed);
            co_return child.error();
        }
        NodeRef next = child.release_value();
        bool last = components.at_end();
        bool trailing_slash = current[current.length() - 1] == '/';
        if (next->type() == NodeType::Symlink && (!last || options.follow_last || trailing_slash)) {
            // Splice: scratch = target + what followed the link's name.
            if (++links > kWalkLinksMax) {
                fail(WalkFault::SymlinkLoop);
                co_return Error::Malformed;
            }
            if (mode_waits(options.mode, *next)) {
                fail(WalkFault::LookupFailed);
                co_return Error::WouldBlock;
            }
            StringView rest = components.rest();
            u64 size = next->stat().size;
            if (size == 0) {
                fail(WalkFault::EmptyPath);
                co_return Error::Malformed;
            }
            if (size > options.scratch.size() || rest.length() > options.scratch.size() - size) {
                fail(WalkFault::PathTooLong);
                co_return Error::Malformed;
            }
            char* scratch = options.scratch.data();
            // The rest may already live in the scratch (an earlier link):
            // move it first, then read the target in front of it.
            if (rest.length()) mem_move(scratch + size, rest.data(), rest.length());
            auto read = co_await next->read(0, IoBuffer::kernel(Span<u8>(reinterpret_cast<u8*>(scratch), usize(size))));
            if (read.is_error()) {
                fail(WalkFault::LookupFailed);
                co_return read.error();
            }
            if (read.value() != size) {
                fail(WalkFault::LookupFailed);
                co_return Error::Io;
            }
            WalkFault target = check_target(StringView(scratch, usize(size)));
            if (target != WalkFault::None) {
                fail(target);
                co_return Error::Malformed;
            }
            current = StringView(scratch, usize(size) + rest.length());
            components = Components(current);
            continue;  // from the directory holding the link
        }
        if (depth == kWalkDepthMax) {
            fail(WalkFault::TooDeep);
            co_return Error::Malformed;
        }
        came_from[depth++] = mote::move(node);
        node = mote::move(next);
    }
    // A path ending in '/' names a directory. (A file as the start is
    // caught above: every accepted path has at least one component.)
    if (!node->is_directory() && current[current.length() - 1] == '/') {
        fail(WalkFault::NotDirectory);
        co_return Error::BadState;
    }
    co_return mote::move(node);
}

WalkFault split_path(StringView path, PathSplit& out) {
    WalkFault fault = check_path(path);
    if (fault != WalkFault::None) return fault;
    usize end = path.length();
    while (end > 0 && path[end - 1] == '/') --end;
    out.trailing_slash = end < path.length();
    // check_path refused "" and "/...": something other than slashes is left.
    usize start = end;
    while (start > 0 && path[start - 1] != '/') --start;
    out.name = path.substr(start, end - start);
    if (out.name == "." || out.name == "..") return WalkFault::NoLastName;
    usize parent_end = start;
    while (parent_end > 0 && path[parent_end - 1] == '/') --parent_end;
    out.parent = parent_end == 0 ? StringView(".") : path.substr(0, parent_end);
    return WalkFault::None;
}

}  // namespace mote::fs
