// The answer to one request, from deciding it to its last body byte.
//
// start() looks the request's path up in the FileSource and settles the
// whole answer at once: status, fields and the body's length. It writes
// the head (and any short body of its own: an error text) straight into
// the caller's buffer. A file's or a listing's body comes later, piece by
// piece, through produce(), as the connection makes room: a 1 MiB file
// never needs more than the connection's output buffer.
//
// What a request gets (RFC 9110 for each rule):
//   a path above the root                    403, and the connection closes
//   nothing by that name                     404 (403 when the source refuses)
//   a directory named without its '/'        301 to the same path with it
//   a directory                              its index.html if it has one,
//                                            else an HTML listing
//   a file named with a '/' after it         404
//   not a file or directory (a device, ...)  403
//   a file                                   304 if the conditionals say so
//                                            (is_not_modified), else 206 for
//                                            one satisfiable range, 416 for
//                                            one that is not, 200 otherwise
// HEAD gets the same head as GET and no body. A listing's length is
// measured before its head is sent, by writing it once into a counting
// TextSink; if the directory changes before the body is written, the body
// is cut or padded with newlines to the promised length, so the framing
// of the connection holds whatever the file system does meanwhile.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "file_source.hpp"
#include "http_request.hpp"
#include "http_response.hpp"

namespace mote::httpd {

class Responder {
public:
    // The longest Location a redirect writes: the path percent-encoded,
    // its '/', and the query after a '?'.
    static constexpr usize kLocationBytes = 3 * kMaxTargetBytes + 2 + kMaxTargetBytes;
    // Room start() needs: a head with the longest Location and every other
    // field, and a short error text.
    static constexpr usize kHeadRoom = kLocationBytes + 1024;
    // The largest piece produce() writes whole: a listing's beginning, with
    // the directory's path HTML-escaped twice (at most 6 bytes for each of
    // its bytes) and its parent percent-encoded (3 bytes each). Any entry
    // is smaller (a 255-byte name escaped both ways, the path encoded once).
    static constexpr usize kLargestPiece = 15 * kMaxTargetBytes + 256;

    explicit Responder(FileSource& files) : m_files(files) {}
    ~Responder() { abandon(); }
    Responder(const Responder&) = delete;
    Responder& operator=(const Responder&) = delete;

    // Begins the answer to `request` at `now` (Unix seconds: the Date, and
    // the limit of Last-Modified). `out` must hold at least kHeadRoom
    // bytes; returns how many were written there. Any answer still in
    // progress is abandoned first.
    usize start(const Request& request, i64 now, Span<char> out);
    // Begins an answer with no request to go by: the parser refused one
    // (400, 405, 413, ...) or it did not arrive in time (408). It asks to
    // close the connection (RFC 9112 9.6), since after such a request the
    // next one's first byte cannot be found.
    usize start_error(u16 status, i64 now, Span<char> out);

    // Writes the next pieces of the body into `out` and returns how many
    // bytes; 0 while !done() means the next piece does not fit: offer an
    // emptier buffer (one of kLargestPiece bytes always suffices). An error
    // means the body cannot be completed (the file failed, or ended before
    // the length its head promised): the connection must be dropped.
    Result<usize> produce(Span<char> out);
    // Every byte of the answer has been produced (no file is held open).
    bool done() const { return m_body == Body::None; }
    // Whether the connection may carry another request after this answer.
    bool keep_alive() const { return m_keep_alive; }
    u16 status() const { return m_status; }
    // Stops the answer where it is and lets go of its file.
    void abandon();

private:
    enum class Body : u8 { None, File, Listing };
    enum class ListingStage : u8 { Begin, Entries, End, Pad };

    usize start_listing(const Request& request, const OpenFile& dir, i64 now, Span<char> out);
    usize start_file(const Request& request, const OpenFile& file, StringView name, i64 now, Span<char> out);
    usize redirect_to_directory(const Request& request, i64 now, Span<char> out);
    // The fields every answer has: status, Date, and Connection as
    // m_keep_alive and the client's version call for.
    ResponseHead base_head(u16 status, i64 now) const;
    // An answer whose body is a line of text naming its status.
    usize with_text(ResponseHead head, Span<char> out);
    usize write(ResponseHead head, StringView body, Span<char> out);
    Result<u64> measure_listing(FileId dir, StringView path);
    Result<usize> produce_file(Span<char> out);
    Result<usize> produce_listing(Span<char> out);

    FileSource& m_files;
    u16 m_status = 0;
    bool m_keep_alive = true;
    bool m_http10 = false;
    bool m_head_only = false;
    Body m_body = Body::None;
    FileId m_file = 0;
    u64 m_offset = 0;     // a file's next byte to read
    u64 m_remaining = 0;  // body bytes still owed
    ListingStage m_stage = ListingStage::Begin;
    u64 m_entry = 0;      // the listing's next directory position
    // The listed directory's path (the request's views are gone by the
    // time its body is written).
    char m_path[kMaxTargetBytes];
    usize m_path_length = 0;
    DirectoryEntry m_entry_buffer;
};

}  // namespace mote::httpd
