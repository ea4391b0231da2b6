// Devicetree parser on malformed input: one or more crafted blobs per
// FdtFault, and truncation and bit-flip sweeps that must never crash.
#include "support/fdt_helpers.hpp"

using namespace mote;
using namespace mote::fdt;
using namespace mote::fdt_test;

// ---------------------------------------------------------------------------
// One crafted blob (or more) per FdtFault.

TEST(FdtFaults, EveryFaultHasANameAndATest) {
    std::set<std::string> names;
    for (usize i = 0; i < kFdtFaultCount; ++i) names.insert(fdt_fault_name(FdtFault(i)));
    EXPECT_EQ(names.size(), kFdtFaultCount);
    EXPECT_EQ(names.count("UnknownFdtFault"), 0u);
    EXPECT_STREQ(fdt_fault_name(FdtFault(kFdtFaultCount)), "UnknownFdtFault");
}

TEST(FdtFaults, Header) {
    auto good = minimal().build();
    ASSERT_EQ(fault_of(good), FdtFault::None);

    EXPECT_EQ(fault_of({}), FdtFault::TruncatedHeader);
    EXPECT_EQ(fault_of(std::vector<u8>(good.begin(), good.begin() + 39)), FdtFault::TruncatedHeader);

    auto blob = good;
    blob[3] ^= 0x01;
    EXPECT_EQ(fault_of(blob), FdtFault::BadMagic);

    blob = good;
    set32(blob, kHVersion, 15);
    EXPECT_EQ(fault_of(blob), FdtFault::UnsupportedVersion);
    blob = good;
    set32(blob, kHLastComp, 18);
    EXPECT_EQ(fault_of(blob), FdtFault::UnsupportedVersion);

    blob = good;
    set32(blob, kHTotal, u32(good.size() + 1));
    EXPECT_EQ(fault_of(blob), FdtFault::TruncatedBlob);
    EXPECT_EQ(fault_of(std::vector<u8>(good.begin(), good.end() - 1)), FdtFault::TruncatedBlob);
    blob = good;
    set32(blob, kHTotal, 0xffffffff);
    EXPECT_EQ(fault_of(blob), FdtFault::TruncatedBlob);
}

TEST(FdtFaults, Blocks) {
    auto good = minimal().build();
    const u32 total = get32(good, kHTotal);
    auto with = [&](usize field, u32 value) {
        auto blob = good;
        set32(blob, field, value);
        return fault_of(blob);
    };
    EXPECT_EQ(with(kHTotal, 20), FdtFault::BlockOutOfBounds);
    EXPECT_EQ(with(kHStruct, total), FdtFault::BlockOutOfBounds);
    EXPECT_EQ(with(kHStruct, 0xfffffffc), FdtFault::BlockOutOfBounds);
    EXPECT_EQ(with(kHStructSize, 0xfffffffc), FdtFault::BlockOutOfBounds);
    EXPECT_EQ(with(kHStrings, 0), FdtFault::BlockOutOfBounds);              // inside the header
    EXPECT_EQ(with(kHStringsSize, total), FdtFault::BlockOutOfBounds);
    EXPECT_EQ(with(kHRsvmap, 8), FdtFault::BlockOutOfBounds);
    EXPECT_EQ(with(kHRsvmap, total + 8), FdtFault::BlockOutOfBounds);

    EXPECT_EQ(with(kHRsvmap, 44), FdtFault::Misaligned);
    EXPECT_EQ(with(kHStruct, get32(good, kHStruct) + 2), FdtFault::Misaligned);
    EXPECT_EQ(with(kHStructSize, get32(good, kHStructSize) - 2), FdtFault::Misaligned);

    EXPECT_EQ(with(kHStrings, get32(good, kHStruct)), FdtFault::BlocksOverlap);
    EXPECT_EQ(with(kHStruct, get32(good, kHRsvmap)), FdtFault::BlocksOverlap);

    // The map runs into the end of the blob without a (0, 0) entry.
    EXPECT_EQ(with(kHRsvmap, total - 8), FdtFault::UnterminatedReserveMap);
    Builder b;
    b.reserve(0x1000, 0x1000);
    auto unterminated = b.build(false);  // an empty structure block follows
    set32(unterminated, kHStruct, get32(unterminated, kHTotal));
    set32(unterminated, kHStrings, get32(unterminated, kHTotal));
    EXPECT_EQ(fault_of(unterminated), FdtFault::UnterminatedReserveMap);
}

TEST(FdtFaults, Tokens) {
    auto root_with = [](auto body) {
        Builder b;
        b.begin("");
        body(b);
        return b.build();
    };
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(5).end().finish(); })), FdtFault::BadToken);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(0).end().finish(); })), FdtFault::BadToken);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(0x01000000).end().finish(); })), FdtFault::BadToken);

    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.end(); })), FdtFault::MissingEnd);
    EXPECT_EQ(fault_of(Builder().build()), FdtFault::MissingEnd);  // an empty structure block

    // A name whose NUL would be past the end of the structure block.
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(1).raw({'a', 'b', 'c', 'd'}); })),
              FdtFault::UnterminatedName);

    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.begin("").end().end().finish(); })), FdtFault::BadNodeName);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.begin("a/b").end().end().finish(); })), FdtFault::BadNodeName);
}

TEST(FdtFaults, Properties) {
    auto root_with = [](auto body) {
        Builder b;
        b.begin("");
        body(b);
        return b.build();
    };
    // len runs past the block, wraps when added to the offset, or the
    // property header itself is cut off.
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(3).word(64).word(b.string_offset("x")).end().finish(); })),
              FdtFault::PropertyOutOfBounds);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(3).word(0xffffffff).word(0).end().finish(); })),
              FdtFault::PropertyOutOfBounds);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(3).word(0); })), FdtFault::PropertyOutOfBounds);

    EXPECT_EQ(fault_of(root_with([](Builder& b) {
                  u32 past = b.string_offset("x") + 2;  // strings block is "x\0"
                  b.prop_at(past, {}).end().finish();
              })),
              FdtFault::BadStringOffset);
    EXPECT_EQ(fault_of(root_with([](Builder& b) {
                  b.string_offset("x");
                  b.prop_at(0xffffffff, {}).end().finish();
              })),
              FdtFault::BadStringOffset);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.prop_at(0, {}).end().finish(); })),  // no strings at all
              FdtFault::BadStringOffset);

    // Unterminated, empty and over-long names.
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.strings_raw({'a', 'b'}).prop_at(0, {}).end().finish(); })),
              FdtFault::BadPropertyName);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.strings_raw({0}).prop_at(0, {}).end().finish(); })),
              FdtFault::BadPropertyName);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.prop(std::string(kMaxPropertyNameLength + 1, 'p'), {}).end().finish(); })),
              FdtFault::BadPropertyName);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.prop(std::string(kMaxPropertyNameLength, 'p'), {}).end().finish(); })),
              FdtFault::None);

    Builder before;
    before.prop_u32("x", {1}).begin("").end().finish();
    EXPECT_EQ(fault_of(before.build()), FdtFault::PropertyOutsideNode);
    Builder after;
    after.begin("").end().prop_u32("x", {1}).finish();
    EXPECT_EQ(fault_of(after.build()), FdtFault::PropertyOutsideNode);

    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.begin("c").end().prop_u32("x", {1}).end().finish(); })),
              FdtFault::PropertyAfterChild);
    // A property of a child after the child's own child.
    EXPECT_EQ(fault_of(root_with([](Builder& b) {
                  b.begin("c").prop_u32("x", {1}).begin("d").end().nop().prop_u32("y", {1}).end().end().finish();
              })),
              FdtFault::PropertyAfterChild);
}

TEST(FdtFaults, Nesting) {
    Builder stray;
    stray.end().finish();
    EXPECT_EQ(fault_of(stray.build()), FdtFault::UnbalancedNodes);
    Builder open;
    open.begin("").begin("a").end().finish();
    EXPECT_EQ(fault_of(open.build()), FdtFault::UnbalancedNodes);
    Builder none;
    none.nop().finish();
    EXPECT_EQ(fault_of(none.build()), FdtFault::UnbalancedNodes);
    Builder two;
    two.begin("").end().begin("").end().finish();
    EXPECT_EQ(fault_of(two.build()), FdtFault::UnbalancedNodes);
    Builder extra_end;
    extra_end.begin("").end().end().finish();
    EXPECT_EQ(fault_of(extra_end.build()), FdtFault::UnbalancedNodes);

    Builder deep;
    for (u32 i = 0; i <= kMaxDepth; ++i) deep.begin(i == 0 ? "" : "n");
    for (u32 i = 0; i <= kMaxDepth; ++i) deep.end();
    deep.finish();
    EXPECT_EQ(fault_of(deep.build()), FdtFault::TooDeep);

    // Far deeper than any stack could recurse: still a plain fault.
    Builder abyss;
    abyss.begin("");
    for (u32 i = 0; i < 100000; ++i) abyss.begin("n");
    EXPECT_EQ(fault_of(abyss.build()), FdtFault::TooDeep);
}

// ---------------------------------------------------------------------------
// Sweeps: whatever the damage, parse returns an error or a tree that the
// whole API can walk. ASan and UBSan watch every read.

TEST(FdtSweep, TruncateAtEveryLength) {
    // QEMU pads the file to 1 MiB; the blob proper is its first totalsize bytes.
    auto blob = load_dtb("qemu-riscv64-virt.dtb");
    blob.resize(Fdt::peek_total_size(bytes_of(blob)).value());
    usize ok = 0;
    for (usize length = 0; length <= blob.size(); ++length) {
        std::vector<u8> cut(blob.begin(), blob.begin() + length);
        // As given: the header's totalsize is a lie from 40 bytes on.
        auto plain = Fdt::parse(bytes_of(cut));
        EXPECT_EQ(plain.ok(), length == blob.size());
        // With totalsize patched to match, so parsing gets further in.
        if (length >= 8) {
            set32(cut, kHTotal, u32(length));
            auto patched = Fdt::parse(bytes_of(cut));
            if (patched.ok()) {
                ++ok;
                exercise(patched.value());
            }
        }
    }
    // Only the full length holds both blocks: the strings block ends the blob.
    EXPECT_EQ(ok, 1u);
}

TEST(FdtSweep, CutStructureAndStringsBlocks) {
    // Shrinking the recorded block sizes ends the structure in the middle
    // of every token, and the strings in the middle of every name.
    auto blob = load_dtb("qemu-riscv64-virt.dtb");
    blob.resize(Fdt::peek_total_size(bytes_of(blob)).value());
    const u32 struct_size = get32(blob, kHStructSize);
    const u32 strings_size = get32(blob, kHStringsSize);
    std::set<FdtFault> faults;
    for (u32 size = 0; size < struct_size; size += 4) {
        auto cut = blob;
        set32(cut, kHStructSize, size);
        FdtFault fault = fault_of(cut);
        EXPECT_NE(fault, FdtFault::None) << size;
        faults.insert(fault);
    }
    EXPECT_TRUE(faults.count(FdtFault::MissingEnd));
    EXPECT_TRUE(faults.count(FdtFault::PropertyOutOfBounds));
    EXPECT_TRUE(faults.count(FdtFault::UnterminatedName));
    usize ok = 0;
    for (u32 size = 0; size <= strings_size; ++size) {
        auto cut = blob;
        set32(cut, kHStringsSize, size);
        FdtFault fault = fault_of(cut);
        if (fault == FdtFault::None) {
            ++ok;
            continue;
        }
        EXPECT_TRUE(fault == FdtFault::BadStringOffset || fault == FdtFault::BadPropertyName) << fdt_fault_name(fault);
    }
    EXPECT_GE(ok, 1u);
}

TEST(FdtSweep, FlipBytesEverywhere) {
    for (const char* name : {"qemu-riscv64-virt-512m-smp2-append.dtb", "handmade.dtb"}) {
        auto blob = load_dtb(name);
        blob.resize(Fdt::peek_total_size(bytes_of(blob)).value());  // drop QEMU's padding
        usize ok = 0, failed = 0;
        for (usize at = 0; at < blob.size(); ++at) {
            for (u8 mask : {u8(0x01), u8(0x80), u8(0xff)}) {
                blob[at] ^= mask;
                FdtFault fault = FdtFault::None;
                auto fdt = Fdt::parse(bytes_of(blob), &fault);
                if (fdt.ok()) {
                    ++ok;
                    // Walking every node is costly; a sample keeps the test quick.
                    if (at % 199 == 0) exercise(fdt.value());
                } else {
                    ++failed;
                    EXPECT_NE(fault, FdtFault::None);
                }
                blob[at] ^= mask;
            }
        }
        EXPECT_GT(ok, 0u) << name;
        EXPECT_GT(failed, 0u) << name;
    }
}

TEST(FdtSweep, FlipStructureWordsOfArmTree) {
    // The aarch64 blob is 1 MiB, mostly free space; damage its blocks only.
    auto blob = load_dtb("qemu-aarch64-virt-gicv3.dtb");
    const usize end = get32(blob, kHStrings) + get32(blob, kHStringsSize);
    for (usize at = 0; at < end; at += 3) {
        for (u8 mask : {u8(0x04), u8(0xff)}) {
            blob[at] ^= mask;
            auto fdt = Fdt::parse(bytes_of(blob));
            if (fdt.ok() && at % 251 == 0) exercise(fdt.value());
            blob[at] ^= mask;
        }
    }
}

// ---------------------------------------------------------------------------
// The validated-blob fast path: step() and property_named() must agree with
// the full decoder on every token of every stored tree.

TEST(FdtView, StepAndPropertyNamedAgreeWithDecode) {
    for (const char* name : {"qemu-riscv64-virt.dtb", "qemu-riscv64-virt-512m-smp2-append.dtb",
                             "qemu-aarch64-virt-gicv2.dtb", "qemu-aarch64-virt-gicv3.dtb",
                             "qemu-aarch64-virt-gicv3-512m-smp2-append.dtb", "handmade.dtb"}) {
        SCOPED_TRACE(name);
        const std::vector<u8>& blob = dtb(name);
        parse_ok(blob);
        auto be32 = [&](usize at) { return load_be32(blob.data() + at); };
        FdtView view(ReadonlyBytes(blob.data() + be32(8), be32(36)), ReadonlyBytes(blob.data() + be32(12), be32(32)));
        usize tokens = 0;
        usize properties = 0;
        for (u32 at = 0;; ++tokens) {
            RawToken full = view.token(at);
            TokenStep fast = view.step(at);
            ASSERT_EQ(fast.kind, full.kind) << at;
            ASSERT_EQ(fast.next, full.next) << at;
            if (full.kind == Token::Property) {
                ++properties;
                std::string n = str(full.name);
                EXPECT_TRUE(view.property_named(at, full.name)) << n;
                std::string longer = n + "x";
                std::string shorter = n.substr(0, n.size() - 1);
                std::string changed = n;
                changed.back() ^= 1;
                EXPECT_FALSE(view.property_named(at, StringView(longer.data(), longer.size()))) << n;
                EXPECT_FALSE(view.property_named(at, StringView(shorter.data(), shorter.size()))) << n;
                EXPECT_FALSE(view.property_named(at, StringView(changed.data(), changed.size()))) << n;
            }
            if (full.kind == Token::End) break;
            EXPECT_EQ(view.skip_nops(at), full.kind == Token::Nop ? view.skip_nops(full.next) : at);
            at = full.next;
        }
        EXPECT_GT(tokens, 10u);
        EXPECT_GT(properties, 5u);
    }
}
