// The system call ABI: the one contract between the kernel and user
// programs. The kernel (kernel/sys/) and the user runtime (user/runtime/)
// both include this file, so a number or a layout cannot drift between the
// two. Freestanding: fixed-width integers only, no kernel types.
//
// Calling convention (the number in one register, up to six arguments in
// others, one signed 64-bit result):
//   riscv64  ecall;   number a7, arguments a0..a5, result a0
//   aarch64  svc #0;  number x8, arguments x0..x5, result x0
//   x86_64   syscall; number rax, arguments rdi rsi rdx r10 r8 r9, result rax
// A result >= 0 is success (a count, a handle, an address); a result in
// [-kErrorLimit, -1] is -(one of abi::Err). Registers other than the result
// are preserved (x86_64's syscall instruction clobbers rcx and r11).
//
// Every resource is reached through a handle: a 32-bit value naming a slot
// in the calling process's handle table, that slot's generation and a
// per-process secret, so a closed or forged value is caught (Err::BadHandle),
// never aliased to another object. A handle carries rights (Rights below);
// each call needs some, and a handle can only ever lose them.
#pragma once

#include <stdint.h>

namespace mote::abi {

enum class Sys : uint64_t {
    Exit = 0,     // exit(status): never returns
    Spawn = 1,    // spawn(const SpawnArgs*) -> child process handle
    Wait = 2,     // wait(child, ExitInfo* or 0 if not wanted, timeout_ns) -> 0
    Open = 3,     // open(dir, path, path_len, flags) -> handle
    Close = 4,    // close(handle) -> 0
    Read = 5,     // read(handle, buffer, length, offset) -> bytes read (0 at end)
    Write = 6,    // write(handle, buffer, length, offset) -> bytes written
    Stat = 7,     // stat(handle, Stat*) -> 0
    ReadDir = 8,  // readdir(dir, DirEntry*, count, first_index) -> entries filled
    Map = 9,      // map(length, MapFlags) -> address (zeroed pages)
    Unmap = 10,   // unmap(address, length) -> 0
    Signal = 11,  // signal(process, Signal) -> 0
    Poll = 12,    // poll(PollItem*, count, timeout_ns) -> items ready
    Clock = 13,   // clock() -> monotonic nanoseconds since boot
    Sleep = 14,   // sleep(ns) -> 0
    Yield = 15,   // yield() -> 0
    Dup = 16,            // dup(handle, Rights) -> a new handle to the same object with those rights (a subset)
    ChannelCreate = 17,  // channel_create(Handle ends[2]) -> 0: two connected endpoints
    ChannelSend = 18,    // channel_send(end, const ChannelMessage*, timeout_ns) -> 0
    ChannelRecv = 19,    // channel_recv(end, ChannelMessage*, timeout_ns) -> bytes received
    RingSetup = 20,      // ring_setup(entries) -> address of the mapped RingHeader
    RingEnter = 21,      // ring_enter(to_submit, min_complete, timeout_ns) -> completions waiting
    // Names in a filesystem (each needs kRightCreate on the directory handles involved):
    MakeDir = 22,   // mkdir(dir, path, path_len, mode) -> 0
    Unlink = 23,    // unlink(dir, path, path_len, UnlinkFlags) -> 0: a file, link or symlink; rmdir with kUnlinkDirectory
    Rename = 24,    // rename(const PathPair*) -> 0: atomic, replacing an existing `to` (not a non-empty directory)
    Link = 25,      // link(const PathPair*) -> 0: a new name `to` for the file `from` (a hard link)
    Symlink = 26,   // symlink(dir, path, path_len, target, target_len) -> 0
    // Files:
    Truncate = 27,  // truncate(handle, size) -> 0 (needs kRightWrite)
    Sync = 28,      // sync(handle, SyncFlags) -> 0: the file's data and metadata are on stable storage (fsync), or the whole filesystem with kSyncFilesystem
    StatFs = 29,    // statfs(handle, FsStat*) -> 0: the filesystem the handle's node is on
    SetTimes = 30,  // set_times(handle, atime_ns, mtime_ns) -> 0 (needs kRightWrite); kTimeNow / kTimeOmit
    // Sockets (kernel/socket/): TCP byte streams, UDP datagrams and ICMP echo over IPv4.
    // Making one needs the network capability (kNetCap); the socket handle
    // is then all a program needs. read()/write() move a stream's bytes, or
    // one datagram (or echo) with its DatagramHeader; close() ends it.
    Socket = 31,        // socket(net, SocketKind) -> a new, unbound socket (needs kRightWrite on `net`)
    Bind = 32,          // bind(socket, const SocketAddress*) -> 0: port 0 picks an ephemeral one
    Listen = 33,        // listen(socket, backlog) -> 0 (TCP; an unbound socket gets an ephemeral port)
    Accept = 34,        // accept(listener, SocketAddress* peer or 0, timeout_ns) -> a connected socket
    Connect = 35,       // connect(socket, const SocketAddress*, timeout_ns) -> 0: TCP established; UDP: the default peer
    Shutdown = 36,      // shutdown(socket, ShutdownFlags) -> 0
    SocketOption = 37,  // socket_option(socket, SocketOption, value or kOptionQuery) -> the option's value now
    SocketInfo = 38,    // socket_info(socket, SocketInfo*) -> 0: addresses, state, queues, counters
    // The terminal: who Ctrl-C is for (a shell names the job it runs in the
    // foreground, as tcsetpgrp does; only processes the caller could signal).
    Foreground = 39,  // foreground(terminal, const Handle* processes, count) -> 0: Ctrl-C typed there is
                      // Signal::Interrupt to each of them (up to kMaxForeground) instead of a byte; count 0:
                      // a byte again. Needs kRightWrite on the terminal and kRightSignal on each process.
    // A request and its reply in one call (an RPC's client, and a server
    // that answers one request and waits for the next): send `request`, then
    // receive into `reply` as channel_recv would. The send never waits: a
    // full queue is WouldBlock, and any error found before the send (a bad
    // handle or right, a bad request or reply header, InvalidArgument,
    // PeerClosed) means nothing was sent. Timeout, Cancelled, Overflow and
    // TooMany come after the send (Overflow and TooMany leave the reply
    // queued for channel_recv). Needs kRightRead and kRightWrite.
    ChannelCall = 40,  // channel_call(end, const ChannelMessage* request, ChannelMessage* reply, timeout_ns)
                       // -> bytes of the reply
    Count = 41,
};

// The user-visible failure reasons, one for each of the kernel's closed
// Error set plus the ones only the syscall boundary can name. Returned
// negated. Stable numbers: never reuse one.
enum class Err : int64_t {
    InvalidArgument = 1,  // an argument can never be valid (bad flags, bad number)
    Malformed = 2,        // data failed validation (an ELF, a path)
    OutOfRange = 3,       // an offset or index beyond the end
    Overflow = 4,         // a length that wraps, or a buffer too small
    NoMemory = 5,         // out of memory, pages or table slots
    Busy = 6,             // in use, or a queue is full
    WouldBlock = 7,       // nothing ready and the caller asked not to wait
    Timeout = 8,          // the deadline passed
    Cancelled = 9,        // the wait was cancelled
    Io = 10,              // a device failed
    ReadOnly = 11,        // a write to something read-only
    NotFound = 12,        // no such name
    Unsupported = 13,     // valid, but this object cannot do it
    BadState = 14,        // not allowed in the object's current state
    BadAddress = 15,      // a user pointer is not mapped, not writable, or in the kernel half
    BadHandle = 16,       // closed, forged or stale handle value
    WrongType = 17,       // the handle names the wrong kind of object for this call
    NoSyscall = 18,       // unknown system call number
    NotDirectory = 19,    // a path component, or the `dir` handle, is not a directory
    IsDirectory = 20,     // read/write on a directory
    TooMany = 21,         // a table (handles, processes, map regions) is full
    AccessDenied = 22,    // the handle lacks a right the call needs
    PeerClosed = 23,      // the other end of the channel is closed
    Escapes = 24,         // a path would leave the directory it starts from ('..' past it, or absolute)
    Exists = 25,          // the name is already taken
    NotEmpty = 26,        // the directory to remove or replace has entries
    NoSpace = 27,         // the filesystem is full (blocks or inodes)
    CrossDevice = 28,     // link or rename across two filesystems
    SymlinkLoop = 29,     // a path follows too many symbolic links
    Untrusted = 30,       // spawn: the program is not what the signed manifest lists (changed, unlisted)
};
inline constexpr int64_t kErrorLimit = 4095;

// A handle value; kNoHandle is never a valid one.
using Handle = uint32_t;
inline constexpr Handle kNoHandle = 0;

// Rights: what a handle allows. Every call checks the ones it needs when it
// looks the handle up (Err::AccessDenied otherwise); dup(), spawn() and
// channel_send() can drop rights, nothing can add them. Where each right
// comes from is told in docs/ARCHITECTURE.md ("Authority").
enum Rights : uint32_t {
    kRightRead = 1u << 0,        // read bytes; look names up in a directory
    kRightWrite = 1u << 1,       // write bytes; open files below a directory for writing
    kRightExecute = 1u << 2,     // spawn programs found below a directory
    kRightMap = 1u << 3,         // map the object's contents (reserved: map() is anonymous today)
    kRightDuplicate = 1u << 4,   // dup(); without it, spawn() moves the handle instead of copying it
    kRightTransfer = 1u << 5,    // hand it to another process (spawn, channel_send)
    kRightEnumerate = 1u << 6,   // readdir()
    kRightCreate = 1u << 7,      // make new names below a directory (reserved for writable filesystems)
    kRightWait = 1u << 8,        // wait() for a process; poll() on anything
    kRightSignal = 1u << 9,      // signal() a process
    kRightPrivileged = 1u << 10, // open the privileged nodes below a directory (sys/power, sys/log, sys/audit, dev/vda)
    kRightsAll = (1u << 11) - 1,
};

// open() flags.
enum OpenFlags : uint64_t {
    kOpenRead = 1,
    kOpenWrite = 2,
    kOpenDirectory = 4,   // fail with NotDirectory unless it is one
    kOpenCreate = 8,      // create a file if the name is free (needs kRightCreate on `dir`)
    kOpenExclusive = 16,  // with kOpenCreate: fail with Exists if the name is taken
    kOpenTruncate = 32,   // with kOpenWrite: cut the file to 0 bytes
    kOpenAppend = 64,     // with kOpenWrite: writes at kCurrentOffset go to the end
    kOpenNoFollow = 128,  // the last component may be a symlink: open it itself (read() gives its target)
};
// The mode a file created by open() gets when the caller gives none (0644).
inline constexpr uint32_t kDefaultFileMode = 0644;
inline constexpr uint32_t kDefaultDirMode = 0755;

// unlink() flags.
enum UnlinkFlags : uint64_t { kUnlinkDirectory = 1 };  // remove an empty directory (rmdir)
// sync() flags.
enum SyncFlags : uint64_t { kSyncFilesystem = 1 };
// set_times(): leave a time as it is, or set it to the current time.
inline constexpr int64_t kTimeOmit = -1;
inline constexpr int64_t kTimeNow = -2;

// rename() and link(): from `from_dir`/`from_path` to `to_dir`/`to_path`.
struct PathPair {
    uint64_t from_dir;  // Handle
    uint64_t from_path;
    uint64_t from_length;
    uint64_t to_dir;  // Handle
    uint64_t to_path;
    uint64_t to_length;
};

// statfs(): sizes in blocks of block_size bytes.
struct FsStat {
    uint64_t block_size;
    uint64_t blocks;        // total
    uint64_t free_blocks;   // free, including those reserved for the administrator
    uint64_t avail_blocks;  // free to ordinary programs
    uint64_t files;         // inodes, total (0 if the filesystem has no limit)
    uint64_t free_files;
    uint32_t flags;         // FsFlags
    uint32_t name_max;      // longest name
    char type[16];          // "ext2", "ext3", "initramfs", "ramfs", "sys", NUL-terminated
};
enum FsFlags : uint32_t { kFsReadOnly = 1, kFsJournal = 2 };

// read()/write() offset meaning "the handle's own position" (and advance it).
inline constexpr uint64_t kCurrentOffset = ~uint64_t(0);

enum class NodeType : uint32_t {
    File = 1, Directory = 2, Device = 3, Process = 4, Stream = 5, Channel = 6, Symlink = 7, Socket = 8, Network = 9
};

struct Stat {
    uint64_t size;    // bytes (a file, a symlink's target), messages queued (a channel end)
    uint32_t type;    // NodeType
    uint32_t mode;    // permission bits as stored (cpio, ext2)
    uint64_t inode;   // the node's number, or the kernel object's id
    uint32_t rights;  // the handle's Rights
    uint32_t links;   // hard links (names) to the node; 1 where the filesystem keeps no count
    uint64_t blocks;  // 512-byte units allocated (on disk; a ramfs counts its pages; 0 in the initramfs)
    int64_t atime_ns;  // last access, nanoseconds since 1970 (0: not kept)
    int64_t mtime_ns;  // last change of the contents
    int64_t ctime_ns;  // last change of the node (links, mode, times)
};

inline constexpr uint32_t kNameMax = 255;
struct DirEntry {
    uint64_t inode;
    uint32_t type;         // NodeType
    uint32_t name_length;  // bytes used of name (no terminator counted)
    char name[kNameMax + 1];
};

// map() protection flags; writable and executable together are refused (W^X).
enum MapFlags : uint64_t { kMapRead = 1, kMapWrite = 2, kMapExecute = 4 };

enum class Signal : uint64_t {
    Terminate = 1,  // end the process now (exit status kExitKilled)
    Interrupt = 2,  // Ctrl-C from the terminal: ends it unless it has polled for kPollInterrupt
    Cancel = 3,     // cancel the process's current wait: that call returns Err::Cancelled
    Notify = 4,     // a notification: never ends the process; it polls for kPollNotify
};

// foreground(): how many processes Ctrl-C can be for at once (a pipeline's
// stages).
inline constexpr uint64_t kMaxForeground = 8;

// Why a process ended, as wait() reports it.
enum class ExitReason : uint32_t { Exited = 1, Killed = 2, Fault = 3 };
struct ExitInfo {
    uint32_t reason;  // ExitReason
    int32_t status;   // exit(status), the Signal for Killed, the fault cause for Fault
    uint64_t fault_address;
    uint64_t fault_pc;
};

// spawn(): the program is `path` opened relative to `dir`; argv is
// `argc` NUL-terminated strings packed back to back in [argv, argv+argv_length);
// the child's handle table starts with `handles[0..handle_count)`, in order,
// each copied from the caller's table with its rights (it needs
// kRightTransfer; one without kRightDuplicate is moved, not copied). An
// entry of kNoHandle leaves that position empty.
inline constexpr uint32_t kMaxSpawnHandles = 16;
inline constexpr uint32_t kMaxArgvBytes = 4096;
// spawn() flags: the child's scheduling band (interactive unless asked).
enum SpawnFlags : uint64_t { kSpawnBatch = 1 };
struct SpawnArgs {
    uint64_t dir;  // Handle
    uint64_t path;
    uint64_t path_length;
    uint64_t argv;
    uint64_t argv_length;
    uint64_t argc;
    uint64_t handles;  // const Handle*
    uint64_t handle_count;
    uint64_t flags;  // SpawnFlags
};

// poll(): which events a handle is asked about and which were seen.
// kPollChanged: a file's text differs from what this handle last read from
// offset 0; only files that change by themselves (sys/) report it. An
// item whose handle is kNoHandle means the calling process itself and may
// ask only for the signals it was sent: kPollInterrupt (asking once makes
// Signal::Interrupt wait here instead of ending the process) and
// kPollNotify. Each signal is reported by one poll, which takes it.
enum PollEvents : uint32_t {
    kPollReadable = 1, kPollWritable = 2, kPollExited = 4, kPollHangup = 8,
    kPollInterrupt = 16, kPollNotify = 32, kPollChanged = 64,
};
// The most items one poll() takes (InvalidArgument beyond): a server's
// listener and its connections in one call.
inline constexpr uint32_t kPollMaxItems = 64;
struct PollItem {
    uint32_t handle;  // Handle
    uint32_t events;  // asked
    uint32_t ready;   // set by the kernel
    uint32_t reserved;
};

// Channels: a message is up to kChannelMaxBytes bytes and kChannelMaxHandles
// handles, delivered whole and in order; each direction queues at most
// kChannelQueueDepth messages (a full queue makes senders wait, or
// WouldBlock with timeout 0). Handles sent move out of the sender's table
// with the message (all of them or none: the send fails and the sender keeps
// them); a receiver without room for them gets TooMany and the message
// stays queued. read()/write() on an endpoint are the stream view of the
// same queue (pipes): write sends one message, read takes bytes from the
// head message, and returns 0 at the end (peer closed, queue empty).
inline constexpr uint32_t kChannelMaxBytes = 64 * 1024;
inline constexpr uint32_t kChannelMaxHandles = 8;
inline constexpr uint32_t kChannelQueueDepth = 16;
struct ChannelMessage {
    uint64_t bytes;         // buffer
    uint64_t byte_count;    // send: the message's length; recv: the buffer's size, then the message's
    uint64_t handles;       // Handle array
    uint32_t handle_count;  // send: how many; recv: the array's size, then how many arrived
    uint32_t reserved;
};

// Sockets. Addresses are IPv4 in host byte order (10.0.2.15 is 0x0a00020f);
// address 0 means "any of ours" (bind) and is refused as a destination.
//
// IcmpEcho is a ping socket (ICMP echo, RFC 792, without any privilege but
// the network capability). The kernel gives each one its own identifier
// (SocketInfo's local.port) and builds the echo request itself: a write()
// is a DatagramHeader (peer: the address, port 0, or all zero for the
// connect()ed peer; sequence: the request's sequence number, the
// program's choice; ttl and reserved 0: InvalidArgument otherwise) then
// the echo data, at most kDatagramMax bytes (Overflow beyond); it
// never waits (NoMemory: no transmit buffer free now, the probe was not
// sent). A read() is one echo reply with this socket's identifier:
// the header (peer: who answered, port 0; length: its data's length;
// sequence and ttl from the reply) then the data. Replies wait in a
// bounded queue (ReceiveBuffer: 1..64, default 16); past it they are
// dropped and counted (SocketInfo::dropped, icmp.echo_queue_full).
// bind() and listen() are Unsupported.
enum class SocketKind : uint64_t { Tcp = 1, Udp = 2, IcmpEcho = 3 };
struct SocketAddress {
    uint32_t address;
    uint16_t port;
    uint16_t reserved;
};
// A UDP socket's read() fills, and its write() takes, one datagram: this
// header, then the payload (at most kDatagramMax bytes). read() returns
// header plus payload bytes and cuts a datagram longer than the buffer
// (`length` says how long it was). write() with `peer` zero sends to the
// connect()ed peer. An IcmpEcho socket takes and gives the same header
// (see SocketKind) with its echo data as the payload.
inline constexpr uint32_t kDatagramMax = 1472;
struct DatagramHeader {
    SocketAddress peer;  // read: the sender; write: the destination
    uint32_t length;     // read: the datagram's whole payload length
    uint16_t sequence;   // IcmpEcho: the echo's sequence number (write: the request's; read: the reply's); UDP: 0
    uint8_t ttl;         // IcmpEcho read: the reply's IPv4 time to live; otherwise 0
    uint8_t reserved;
};
enum ShutdownFlags : uint64_t { kShutdownRead = 1, kShutdownWrite = 2 };
// socket_option(): `value` kOptionQuery only reads the option. Buffer sizes
// (bytes, rounded up to a page, 4 KiB .. 1 MiB) apply to connections made
// after they are set (connect, or those a listener accepts).
inline constexpr uint64_t kOptionQuery = ~uint64_t(0);
enum class SocketOption : uint64_t {
    NoDelay = 1,        // TCP: 1 turns Nagle's algorithm off
    KeepAlive = 2,      // TCP: 1 probes an idle peer (idle 2 h, 9 probes 75 s apart; see KeepAliveIdle)
    SendBuffer = 3,     // TCP: bytes of the send ring
    ReceiveBuffer = 4,  // TCP: bytes of the receive ring (the window); UDP: bytes of the queue of waiting
                        // datagrams (each its payload plus 12; default 64 KiB; Busy if those waiting would
                        // not fit a smaller one); TCP and UDP: 4 KiB..1 MiB in whole pages;
                        // IcmpEcho: replies queued (1..64, default 16)
    KeepAliveIdle = 5,  // TCP: seconds of silence before the first keepalive probe
};
enum class SocketState : uint32_t {
    Unbound = 0, Bound = 1, Listening = 2, Connecting = 3, Connected = 4, PeerClosed = 5, Closed = 6, Failed = 7
};
struct SocketInfo {
    uint32_t kind;   // SocketKind
    uint32_t state;  // SocketState
    SocketAddress local;
    SocketAddress peer;
    uint64_t readable;      // bytes (TCP), datagrams (UDP) or echo replies waiting to be read; a listener's pending connections
    uint64_t writable;      // bytes that fit the send ring now (TCP)
    uint64_t bytes_in;      // delivered to this socket
    uint64_t bytes_out;     // sent from it (new bytes, not retransmissions)
    uint64_t retransmits;   // TCP
    uint32_t srtt_us;       // TCP: smoothed round trip
    int32_t error;          // why it failed: -Err (PeerClosed: reset or refused, Timeout), 0 if it did not
    uint64_t dropped;       // UDP, IcmpEcho: arrivals dropped because the receive queue was full
};

// The submission ring: ring_setup(entries) maps one region holding a
// RingHeader, `entries` RingEntry slots and `entries` RingCompletion slots
// (entries a power of two, at most kRingMaxEntries), and returns its
// address. The process fills entries and advances sq_tail; ring_enter()
// performs entries [sq_head, sq_tail) with the very handlers the plain
// syscalls use, posts a completion for each (out of order: one that would
// wait stays pending until it can finish), advances sq_head, and returns
// once `min_complete` completions wait to be reaped (or the timeout passes).
// The process reaps [cq_head, cq_tail) and advances cq_head.
// Operations: Read, Write, ChannelSend, ChannelRecv and Poll (a single
// PollItem), as Sys numbers; arguments as those calls take them, but never
// a timeout (the ring waits, not the entry).
inline constexpr uint32_t kRingMaxEntries = 256;
struct RingEntry {
    uint32_t op;      // Sys::Read, Write, ChannelSend, ChannelRecv or Poll
    uint32_t handle;  // Handle
    uint64_t arg1;    // buffer / ChannelMessage* / PollItem*
    uint64_t arg2;    // length
    uint64_t arg3;    // offset
    uint64_t user_data;
};
struct RingCompletion {
    uint64_t user_data;
    int64_t result;  // as the syscall's result: >= 0, or -Err
};
struct RingHeader {
    uint32_t entries;
    uint32_t sq_head;   // kernel advances
    uint32_t sq_tail;   // process advances
    uint32_t cq_head;   // process advances
    uint32_t cq_tail;   // kernel advances
    uint32_t pending;   // entries taken but not yet complete
    uint64_t sq_offset; // from the header: RingEntry[entries]
    uint64_t cq_offset; // from the header: RingCompletion[entries]
};

// What the handles a program is started with mean, by their position in
// StartInfo::handles (the order spawn() passed them in). A program given
// fewer simply lacks the later ones.
enum StartHandle : uint32_t {
    kStdin = 0,
    kStdout = 1,
    kStderr = 2,
    kWorkingDir = 3,  // where relative paths on the command line are opened
    kRootDir = 4,     // the directory the program's world starts at (bin/, etc/, sys/, dev/)
    // Privileged capabilities, each an open handle to the kernel object that
    // grants it; only init starts with them, and passes each on only where
    // etc/caps says (a position left empty is kNoHandle).
    kPowerCap = 5,    // sys/power, open for writing: power off, reboot
    kLogCap = 6,      // sys/log, open for reading: the kernel log
    kAuditCap = 7,    // sys/audit, open for reading: the audit ring
    kDevCap = 8,      // the dev/ directory with the privileged right: raw block devices
    kNetCap = 9,      // the network: socket() makes TCP and UDP sockets with it
    kSpawnCap = 10,   // spawning without limits (kernel/proc/spawn_capability.hpp)
    kStartHandleCount = 11,
};

// What a new process finds: its entry point is called with a pointer to a
// StartInfo (in a0 / x0 / rdi) placed at the top of its stack, and sp just
// below it, 16-byte aligned. argv points into the same page.
struct StartInfo {
    uint64_t argc;
    uint64_t argv;          // const char* const*
    uint64_t handle_count;  // the handles spawn passed, in order
    uint32_t handles[kMaxSpawnHandles];
};

// The user address space, the same on every ISA (all fit the smallest
// user half, Sv39's 256 GiB):
//   [kUserBase, ...)            the program's segments at their link addresses
//   [kMapBase, kMapLimit)       map() regions, each followed by a guard page
//   [kStackTop - kStackSize, kStackTop)   the stack, a guard page below it
inline constexpr uint64_t kPageSize = 4096;
inline constexpr uint64_t kUserBase = 0x10000;
inline constexpr uint64_t kMapBase = 0x10'0000'0000;
inline constexpr uint64_t kMapLimit = 0x30'0000'0000;
inline constexpr uint64_t kStackTop = 0x3f'0000'0000;
inline constexpr uint64_t kStackSize = 256 * 1024;
inline constexpr uint64_t kUserLimit = 0x40'0000'0000;  // the first address that is not user

}  // namespace mote::abi
