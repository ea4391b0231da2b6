// The hosted block device: real io_uring I/O against a temporary file, many
// requests in flight, requests beyond the queue depth waiting their turn,
// and cancellation of waiting requests.
#include <gtest/gtest.h>

#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "platform/hosted/file_block_device.hpp"
#include "support/fake_host.hpp"

using namespace mote;
using mote::test::FakeHost;

namespace {

struct Io : BlockRequest {
    int completions = 0;
    Io() : BlockRequest([](Request& r) { ++static_cast<Io&>(r).completions; }) {}
};

class FileBlockDeviceTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/mote-blk-XXXXXX";
        int fd = mkstemp(tmpl);
        ASSERT_GE(fd, 0);
        close(fd);
        path = tmpl;
        ASSERT_TRUE(disk.open(path.c_str(), 1 << 20, loop).ok());
    }
    void TearDown() override { unlink(path.c_str()); }

    // Waits for the eventfd like the hosted machine does, until every
    // request has completed.
    void run_until_done(std::vector<Io>& ios) {
        auto done = [&] {
            for (auto& io : ios)
                if (io.completions == 0) return false;
            return true;
        };
        for (int spins = 0; !done() && spins < 10000; ++spins) {
            pollfd p {disk.event_fd(), POLLIN, 0};
            poll(&p, 1, 1000);
            disk.on_completion_event();
            loop.turn(false);
        }
        ASSERT_TRUE(done());
    }

    FakeHost host;
    Loop loop {host};
    FileBlockDevice disk;
    std::string path;
};

}  // namespace

TEST_F(FileBlockDeviceTest, ReportsGeometryOfACreatedFile) {
    EXPECT_EQ(disk.info().sectors, 2048u);
    EXPECT_EQ(disk.info().sector_size, 512u);
    EXPECT_GT(disk.info().queue_depth, 1u);
    EXPECT_FALSE(disk.info().read_only);
}

TEST_F(FileBlockDeviceTest, HundredConcurrentWritesLandInTheFileThenReadBack) {
    constexpr int kRequests = 100;  // > queue depth: some wait their turn
    std::vector<Io> writes(kRequests);
    std::vector<std::vector<u8>> data(kRequests, std::vector<u8>(1024));
    for (int i = 0; i < kRequests; ++i) {
        for (int j = 0; j < 1024; ++j) data[i][j] = u8(i * 13 + j);
        writes[i].op = BlockOp::Write;
        writes[i].lba = u64(i) * 2;
        writes[i].sectors = 2;
        writes[i].buffer = Bytes(data[i].data(), 1024);
        ASSERT_TRUE(disk.submit(writes[i]).ok());
    }
    EXPECT_EQ(disk.stats().in_flight, u64(kRequests)) << "all accepted before any completed";
    run_until_done(writes);
    for (auto& w : writes) {
        EXPECT_EQ(w.completions, 1);
        EXPECT_TRUE(w.ok());
        EXPECT_EQ(w.value(), 1024u);
    }
    // Check from outside: the file's bytes.
    std::ifstream f(path, std::ios::binary);
    std::vector<u8> image((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    ASSERT_EQ(image.size(), 1u << 20);
    for (int i = 0; i < kRequests; ++i)
        ASSERT_EQ(std::memcmp(image.data() + i * 1024, data[i].data(), 1024), 0) << i;

    std::vector<Io> reads(kRequests);
    std::vector<std::vector<u8>> back(kRequests, std::vector<u8>(1024));
    for (int i = 0; i < kRequests; ++i) {
        reads[i].op = BlockOp::Read;
        reads[i].lba = u64(i) * 2;
        reads[i].sectors = 2;
        reads[i].buffer = Bytes(back[i].data(), 1024);
        ASSERT_TRUE(disk.submit(reads[i]).ok());
    }
    run_until_done(reads);
    for (int i = 0; i < kRequests; ++i) EXPECT_EQ(back[i], data[i]) << i;
    EXPECT_EQ(disk.stats().in_flight, 0u);
    EXPECT_EQ(disk.stats().sectors_written, u64(kRequests) * 2);
}

TEST_F(FileBlockDeviceTest, WaitingRequestsCanBeCancelled) {
    std::vector<Io> ios(FileBlockDevice::kQueueDepth + 10);
    std::vector<u8> buf(512 * ios.size());
    for (usize i = 0; i < ios.size(); ++i) {
        ios[i].op = BlockOp::Read;
        ios[i].lba = i;
        ios[i].sectors = 1;
        ios[i].buffer = Bytes(buf.data() + 512 * i, 512);
        ASSERT_TRUE(disk.submit(ios[i]).ok());
    }
    // The last ten are waiting for a slot: cancel withdraws them at once.
    for (usize i = FileBlockDevice::kQueueDepth; i < ios.size(); ++i) EXPECT_TRUE(ios[i].cancel());
    run_until_done(ios);
    for (usize i = 0; i < ios.size(); ++i) {
        EXPECT_EQ(ios[i].completions, 1) << i;
        if (i >= FileBlockDevice::kQueueDepth) {
            EXPECT_EQ(ios[i].state(), RequestState::Cancelled);
        } else {
            // In the host kernel already: cancel was not asked, they finish.
            EXPECT_TRUE(ios[i].ok());
        }
    }
}

TEST_F(FileBlockDeviceTest, FlushCompletes) {
    std::vector<Io> ios(1);
    ios[0].op = BlockOp::Flush;
    ASSERT_TRUE(disk.submit(ios[0]).ok());
    run_until_done(ios);
    EXPECT_TRUE(ios[0].ok());
    EXPECT_EQ(disk.stats().flushes, 1u);
}
