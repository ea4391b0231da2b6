#include "platform/bare_metal/virtio_selftest.hpp"

#include "boot/kernel.hpp"
#include "base/memory.hpp"
#include "core/log.hpp"
#include "crypto/csprng.hpp"
#include "dev/block_device.hpp"
#include "dev/net_device.hpp"
#include "net/net_stack.hpp"
#include "mm/page_allocator.hpp"

namespace mote {

namespace {

constexpr u64 kReadLba = 1000;
constexpr u64 kWriteLba = 2000;
constexpr u32 kSectors = 64;
constexpr u32 kReadChunk = 16;
constexpr u32 kSectorSize = 512;
constexpr Nanoseconds kDeadline = 20 * kSecond;

// Watches received frames for QEMU's ARP reply, then passes every frame on
// to the stack that owns the device.
struct ArpTap final : NetReceiver {
    NetReceiver* next = nullptr;
    bool seen = false;
    MacAddress gateway;
    void on_frames(NetDevice& device, PacketList& frames) override;
    void on_transmit_ready(NetDevice& device) override {
        if (next) next->on_transmit_ready(device);
    }
    void on_link_change(NetDevice& device) override {
        if (next) next->on_link_change(device);
    }
};

struct VirtioSelfTest {
    Kernel* kernel = nullptr;
    BlockDevice* disk = nullptr;
    u8* read_buffer = nullptr;
    u8* write_buffer = nullptr;
    BlockRequest reads[kSectors / kReadChunk];
    BlockRequest writes[kSectors];
    BlockRequest flush;
    SeedWaiter seeded;
    Timer deadline;
    u32 reads_left = 0;
    u32 writes_left = 0;
    u32 read_errors = 0;
    u32 write_errors = 0;
    u32 passed = 0;
    u32 failed = 0;
    bool disk_done = false;
    bool random_done = false;
    bool net_done = false;
    NetDevice* net = nullptr;
    ArpTap tap;
    PacketBuffer arp_storage[2];
    PacketPool arp_pool;
    Timer arp_retry;
    u32 arp_sent = 0;

    template <typename... Args>
    void check(bool ok, StringView what, StringView fmt = "", const Args&... args) {
        FixedString<160> detail;
        detail.appendf(fmt, args...);
        ok ? ++passed : ++failed;
        log_info("vtest", "{} {}{}{}", ok ? "PASS" : "FAIL", what, detail.length() ? ": " : "", detail.view());
    }

    void start_disk();
    void on_read(BlockRequest& r);
    void start_writes();
    void on_write(BlockRequest& r);
    void on_flush();
    void start_random();
    void on_seeded();
    void start_net();
    void send_arp();
    void on_arp_reply();
    void maybe_finish();
    void finish();
};

VirtioSelfTest g_vtest;

u64 fnv1a(const u8* bytes, usize length) {
    u64 hash = 0xcbf29ce484222325ull;
    for (usize i = 0; i < length; ++i) {
        hash ^= bytes[i];
        hash *= 0x100000001b3ull;
    }
    return hash;
}

void VirtioSelfTest::start_disk() {
    disk = kernel->blocks().first();
    if (!disk) {
        check(false, "blk: a block device is attached");
        disk_done = true;
        return;
    }
    reads_left = kSectors / kReadChunk;
    for (u32 i = 0; i < reads_left; ++i) {
        BlockRequest& r = reads[i];
        r.set_callback([](Request& req) { g_vtest.on_read(static_cast<BlockRequest&>(req)); });
        r.op = BlockOp::Read;
        r.lba = kReadLba + i * kReadChunk;
        r.sectors = kReadChunk;
        r.buffer = Bytes(read_buffer + i * kReadChunk * kSectorSize, kReadChunk * kSectorSize);
        if (auto s = disk->submit(r); s.is_error()) {
            check(false, "blk: submit read", "{}", s.error());
            disk_done = true;
            return;
        }
    }
}

void VirtioSelfTest::on_read(BlockRequest& r) {
    if (!r.ok()) ++read_errors;
    if (--reads_left) return;
    usize mismatches = 0;
    for (u32 s = 0; s < kSectors; ++s)
        for (u32 i = 0; i < kSectorSize; ++i)
            if (read_buffer[s * kSectorSize + i] != host_pattern(kReadLba + s, i)) ++mismatches;
    check(read_errors == 0 && mismatches == 0, "blk: read back the host's pattern",
          "{} sectors at lba {}, 4 requests in flight, {} errors, {} bytes differ, fnv1a {:#018x}", kSectors,
          kReadLba, read_errors, mismatches, fnv1a(read_buffer, kSectors * kSectorSize));
    start_writes();
}

void VirtioSelfTest::start_writes() {
    for (u32 s = 0; s < kSectors; ++s)
        for (u32 i = 0; i < kSectorSize; ++i) write_buffer[s * kSectorSize + i] = kernel_pattern(kWriteLba + s, i);
    writes_left = kSectors;
    for (u32 s = 0; s < kSectors; ++s) {
        BlockRequest& w = writes[s];
        w.set_callback([](Request& req) { g_vtest.on_write(static_cast<BlockRequest&>(req)); });
        w.op = BlockOp::Write;
        w.lba = kWriteLba + s;
        w.sectors = 1;
        w.buffer = Bytes(write_buffer + s * kSectorSize, kSectorSize);
        if (auto r = disk->submit(w); r.is_error()) {
            check(false, "blk: submit write", "{}", r.error());
            disk_done = true;
            maybe_finish();
            return;
        }
    }
}

void VirtioSelfTest::on_write(BlockRequest& r) {
    if (!r.ok()) ++write_errors;
    if (--writes_left) return;
    check(write_errors == 0, "blk: write pattern", "{} one-sector writes in flight at once, {} errors", kSectors,
          write_errors);
    flush.set_callback([](Request&) { g_vtest.on_flush(); });
    flush.op = BlockOp::Flush;
    flush.sectors = 0;
    if (auto s = disk->submit(flush); s.is_error()) {
        check(false, "blk: flush", "{}", s.error());
        disk_done = true;
        maybe_finish();
    }
}

void VirtioSelfTest::on_flush() {
    check(flush.ok(), "blk: flush", "{}", flush.ok() ? StringView("ok") : StringView(error_name(flush.error())));
    disk_done = true;
    maybe_finish();
}

void VirtioSelfTest::start_random() {
    seeded.set_callback([](SeedWaiter&) { g_vtest.on_seeded(); });
    if (!kernel_csprng().wait_until_seeded(seeded)) on_seeded();
}

void VirtioSelfTest::on_seeded() {
    u8 bytes[16];
    auto r = kernel_csprng().generate(Bytes(bytes, sizeof(bytes)));
    FixedString<40> hex;
    for (u8 b : bytes) hex.appendf("{:02x}", b);
    check(r.ok(), "rng: CSPRNG seeded from virtio-rng", "random {}", hex.view());
    random_done = true;
    maybe_finish();
}

constexpr u8 kOurIp[4] = {10, 0, 2, 15};
constexpr u8 kGatewayIp[4] = {10, 0, 2, 2};

void ArpTap::on_frames(NetDevice& device, PacketList& frames) {
    for (PacketBuffer& frame : frames) {
        const u8* f = frame.data();
        // Ethernet type 0x0806, ARP reply (op 2) from 10.0.2.2 (RFC 826).
        if (frame.length() < 42 || f[12] != 0x08 || f[13] != 0x06 || f[20] != 0 || f[21] != 2) continue;
        if (f[28] != kGatewayIp[0] || f[29] != kGatewayIp[1] || f[30] != kGatewayIp[2] || f[31] != kGatewayIp[3])
            continue;
        for (usize i = 0; i < 6; ++i) gateway.bytes[i] = f[22 + i];
        if (!seen) {
            seen = true;
            g_vtest.on_arp_reply();
        }
    }
    if (next) next->on_frames(device, frames);
    else release_all(frames);
}

void VirtioSelfTest::start_net() {
    net = kernel->net().device();
    if (!net) {
        check(false, "net: a network device is attached");
        net_done = true;
        return;
    }
    arp_pool.init(Span<PacketBuffer>(arp_storage, 2), "vtest-arp");
    tap.next = net->receiver();
    net->set_receiver(&tap);
    arp_retry.set_callback([](Timer&) { g_vtest.send_arp(); });
    send_arp();
}

void VirtioSelfTest::send_arp() {
    if (net_done) return;
    if (arp_sent == 10) {
        check(false, "net: ARP reply from 10.0.2.2", "no reply to {} requests", arp_sent);
        net->set_receiver(tap.next);
        net_done = true;
        maybe_finish();
        return;
    }
    kernel->loop().arm_after(arp_retry, 500 * kMillisecond);
    PacketBuffer* b = arp_pool.allocate();
    if (!b) return;
    Bytes frame = MUST(b->put(60));
    mem_set(frame.data(), 0, frame.size());
    MacAddress mac = net->mac();
    u8 header[22] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0x08, 0x06,  // Ethernet
                     0, 1, 0x08, 0x00, 6, 4, 0, 1};                                   // ARP request
    mem_copy(frame.data(), header, sizeof(header));
    mem_copy(frame.data() + 6, mac.bytes, 6);
    mem_copy(frame.data() + 22, mac.bytes, 6);
    mem_copy(frame.data() + 28, kOurIp, 4);
    mem_copy(frame.data() + 38, kGatewayIp, 4);
    ++arp_sent;
    if (net->transmit(*b).is_error()) b->release();
}

void VirtioSelfTest::on_arp_reply() {
    kernel->loop().cancel(arp_retry);
    const u8* m = tap.gateway.bytes;
    check(true, "net: ARP reply from 10.0.2.2", "is-at {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x} after {} requests",
          m[0], m[1], m[2], m[3], m[4], m[5], arp_sent);
    // Unhook on a later turn: the tap is still on the stack's call path now.
    static Deferred unhook([](Deferred&) {
        g_vtest.net->set_receiver(g_vtest.tap.next);
        g_vtest.net_done = true;
        g_vtest.maybe_finish();
    });
    kernel->loop().defer(unhook);
}

void VirtioSelfTest::maybe_finish() {
    if (disk_done && random_done && net_done) finish();
}

void VirtioSelfTest::finish() {
    if (deadline.armed()) kernel->loop().cancel(deadline);
    log_info("vtest", "{} passed, {} failed", passed, failed);
    kernel->request_power(PowerAction::PowerOff);
}

}  // namespace

void start_virtio_selftest(Kernel& kernel, PageAllocator& pages) {
    VirtioSelfTest& t = g_vtest;
    t.kernel = &kernel;
    kernel.self_test_started();
    log_info("vtest", "running the virtio self-test");
    auto buffers = pages.allocate_pages(2 * kSectors * kSectorSize / kPageSize);
    if (buffers.is_error()) {
        t.check(false, "memory for the test buffers");
        t.finish();
        return;
    }
    t.read_buffer = static_cast<u8*>(pages.to_virtual(buffers.value()));
    t.write_buffer = t.read_buffer + kSectors * kSectorSize;
    t.deadline.set_callback([](Timer&) {
        g_vtest.check(false, "finished in time", "disk {}, random {}, net {}", g_vtest.disk_done,
                      g_vtest.random_done, g_vtest.net_done);
        g_vtest.finish();
    });
    kernel.loop().arm_after(t.deadline, kDeadline);
    t.start_random();
    t.start_disk();
    t.start_net();
}

}  // namespace mote
