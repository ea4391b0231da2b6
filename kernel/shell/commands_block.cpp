// blk info | read LBA [COUNT] | write LBA PATTERN | flush
//
// Each subcommand submits one request to the first block device (vda) and
// holds the shell until its completion arrives. Range and read-only checks
// are the block layer's: the shell reports what submit() says.
#include "boot/kernel.hpp"
#include "shell/command.hpp"
#include "shell/hexdump.hpp"
#include "shell/shell.hpp"

namespace mote {

namespace {

void print_info(Shell& shell) {
    BlockRegistry& blocks = shell.kernel().blocks();
    if (!blocks.count()) {
        shell.print("no block devices\n");
        return;
    }
    for (usize i = 0; i < blocks.count(); ++i) {
        BlockDevice& d = blocks.at(i);
        const BlockInfo& info = d.info();
        const BlockStats& s = d.stats();
        u64 kib = info.sectors * info.sector_size / 1024;
        shell.print("{}: {}\n", d.name(), d.model());
        shell.print("  {} sectors x {} B = {} KiB, {}, queue depth {}\n", info.sectors, info.sector_size, kib,
                    info.read_only ? "read-only" : "read-write", info.queue_depth);
        shell.print("  reads {} ({} sectors), writes {} ({} sectors), flushes {}, errors {}, rejected {}\n",
                    s.reads, s.sectors_read, s.writes, s.sectors_written, s.flushes, s.errors, s.rejected);
    }
}

void on_done(Request& r) {
    auto& req = static_cast<BlockRequest&>(r);
    auto& shell = *static_cast<Shell*>(r.context());
    if (!r.ok()) {
        shell.error("blk {} failed: {}", block_op_name(req.op), r.error());
    } else if (req.op == BlockOp::Read) {
        u32 sector_size = shell.kernel().blocks().first()->info().sector_size;
        hexdump(shell, req.buffer.first(req.sectors * sector_size), req.lba * sector_size);
    } else if (req.op == BlockOp::Write) {
        shell.print("wrote sector {}\n", req.lba);
    } else {
        shell.print("flushed\n");
    }
    shell.release();
}

void cancel_request(Shell& shell) { (void)shell.block_request().cancel(); }

// Fills `sector` with PATTERN: "0xNN" is one byte repeated, anything else is
// text repeated. Anything that starts with 0x is taken as a byte, so a typo
// like 0x1ff is an error rather than the text "0x1ff".
Result<void> fill_pattern(Bytes sector, StringView pattern) {
    if (pattern.empty()) return Error::InvalidArgument;
    if (pattern.starts_with("0x") || pattern.starts_with("0X")) {
        Arguments one = TRY(Arguments::parse(pattern));
        u64 byte = TRY(one.number(0));
        if (byte > 0xff) return Error::OutOfRange;
        for (u8& b : sector) b = u8(byte);
        return {};
    }
    for (usize i = 0; i < sector.size(); ++i) sector[i] = u8(pattern[i % pattern.length()]);
    return {};
}

void submit(Shell& shell, BlockDevice& device, BlockOp op, u64 lba, u32 sectors) {
    BlockRequest& req = shell.block_request();
    req.op = op;
    req.lba = lba;
    req.sectors = sectors;
    req.buffer = shell.io_buffer();
    req.set_callback(on_done, &shell);
    if (auto r = device.submit(req); r.is_error()) {
        if (r.error() == Error::OutOfRange)
            shell.error("blk {}: sectors {}..{} are past the end of {} ({} sectors)", block_op_name(op), lba,
                        lba + sectors - 1, device.name(), device.info().sectors);
        else
            shell.error("blk {}: {}", block_op_name(op), r.error());
        return;
    }
    shell.hold(cancel_request);
}

}  // namespace

void command_blk(Shell& shell, const Arguments& args) {
    StringView sub = args.count() >= 2 ? args[1] : StringView("");
    if (sub == "bench") {
        command_blk_bench(shell, args);
        return;
    }
    if (sub == "info" && args.count() == 2) {
        print_info(shell);
        return;
    }
    BlockDevice* device = shell.kernel().blocks().first();
    if (!device && (sub == "read" || sub == "write" || sub == "flush")) {
        shell.error("no block device attached");
        return;
    }
    u32 sector_size = device ? device->info().sector_size : 512;
    if (sub == "flush" && args.count() == 2) {
        submit(shell, *device, BlockOp::Flush, 0, 0);
        return;
    }
    if ((sub == "read" && (args.count() == 3 || args.count() == 4)) || (sub == "write" && args.count() == 4)) {
        auto lba = args.number(2);
        if (lba.is_error()) {
            shell.error("bad LBA '{}': {}", args[2], lba.error());
            return;
        }
        if (sub == "write") {
            Bytes sector = shell.io_buffer().first(sector_size);
            if (auto r = fill_pattern(sector, args[3]); r.is_error()) {
                shell.error("bad pattern '{}': {} (use 0xNN or text)", args[3], r.error());
                return;
            }
            submit(shell, *device, BlockOp::Write, lba.value(), 1);
            return;
        }
        u64 count = 1;
        if (args.count() == 4) {
            auto n = args.number(3);
            if (n.is_error()) {
                shell.error("bad sector count '{}': {}", args[3], n.error());
                return;
            }
            count = n.value();
        }
        u64 max_count = Shell::kIoBufferSize / sector_size;
        if (count == 0 || count > max_count) {
            shell.error("sector count must be 1 to {}", max_count);
            return;
        }
        submit(shell, *device, BlockOp::Read, lba.value(), u32(count));
        return;
    }
    shell.error("usage: blk info | read LBA [COUNT] | write LBA PATTERN | flush");
}

}  // namespace mote
