// The structure and strings blocks of a devicetree blob, and the one token
// decoder that every walk goes through.
//
// DTB layout (Devicetree Specification v0.4, chapter 5):
//
//   header | memory reservation block | structure block | strings block
//
// The structure block (5.4) is a stream of big-endian 32-bit tokens, each
// followed by its payload and padded to the next 4-byte boundary:
//
//   FDT_BEGIN_NODE (1)  name, NUL, padding
//   FDT_END_NODE   (2)
//   FDT_PROP       (3)  u32 len, u32 nameoff, len value bytes, padding
//   FDT_NOP        (4)
//   FDT_END        (9)
//
// A property's name is a NUL-terminated string at `nameoff` in the strings
// block (5.5), so identical names are stored once.
//
// This header is the parser's internals; users work with Fdt, Node and
// Property. decode() checks every read against the block it reads from and
// reports a fault; Fdt::parse runs it over the whole structure once. After
// that the blob is known good, so the walkers use token(), which VERIFYs
// instead of returning errors: a failure there is a bug in the walker (or
// memory corruption), never a bad input.
#pragma once

#include "firmware/fdt_fault.hpp"
#include "base/span.hpp"
#include "base/types.hpp"

namespace mote::fdt {

// Deepest node nesting accepted, the root counting as depth 1. Walkers keep
// one u32 per level on the (small, single) kernel stack, so this bounds their
// stack use. QEMU's virt trees are 4 deep.
inline constexpr u32 kMaxDepth = 32;

// Longest property name accepted (the spec allows 31 characters). Bounding
// the scan keeps validation linear in the blob size even if every property
// of a hostile blob names the same very long string.
inline constexpr usize kMaxPropertyNameLength = 255;

// Big-endian loads from bytes: the blob may sit at any alignment, and the
// host may be little-endian, so a cast to u32* would be wrong twice.
inline u32 load_be32(const u8* bytes) {
    return (u32(bytes[0]) << 24) | (u32(bytes[1]) << 16) | (u32(bytes[2]) << 8) | u32(bytes[3]);
}
inline u64 load_be64(const u8* bytes) { return (u64(load_be32(bytes)) << 32) | load_be32(bytes + 4); }

enum class Token : u32 {
    BeginNode = 1,
    EndNode = 2,
    Property = 3,
    Nop = 4,
    End = 9,
};

// One decoded token. `name` is the node name (BeginNode) or the property
// name (Property); `value` is the property value.
struct RawToken {
    Token kind = Token::End;
    u32 offset = 0;  // of the token word, from the start of the structure block
    u32 next = 0;    // of the following token
    StringView name;
    ReadonlyBytes value;
};

// What a walk needs of a token: its kind and where the next one starts.
struct TokenStep {
    Token kind = Token::End;
    u32 next = 0;
};

class FdtView {
public:
    FdtView() = default;
    FdtView(ReadonlyBytes structure, ReadonlyBytes strings) : m_structure(structure), m_strings(strings) {}

    ReadonlyBytes structure() const { return m_structure; }
    ReadonlyBytes strings() const { return m_strings; }

    // Decodes the token at `offset` (a multiple of 4). Returns false and sets
    // `fault` if the token or its payload is malformed.
    bool decode(u32 offset, RawToken& out, FdtFault& fault) const;

    // Decodes a token of a validated blob.
    RawToken token(u32 offset) const;
    // The first token at or after `offset` that is not FDT_NOP.
    RawToken token_skipping_nops(u32 offset) const;

    // The kind and successor of a token of a validated blob, without
    // measuring its name: a walk over the tree mostly just skips tokens, and
    // under an emulator the byte-by-byte name scans of token() were most of
    // the kernel's boot time. Same VERIFY contract as token().
    TokenStep step(u32 offset) const;
    // The offset of the first token at or after `offset` that is not FDT_NOP.
    u32 skip_nops(u32 offset) const;
    // Whether the FDT_PROP at `offset` (validated blob) is called `name`,
    // compared in place in the strings block.
    bool property_named(u32 offset, StringView name) const;
    // The offset just past the FDT_END_NODE that closes the node whose
    // FDT_BEGIN_NODE is at `node_offset`.
    u32 end_of_node(u32 node_offset) const;

private:
    ReadonlyBytes m_structure;
    ReadonlyBytes m_strings;
};

}  // namespace mote::fdt
