// A byte ring over memory its owner provides: a TCP connection's send or
// receive buffer, a UDP socket's queue of waiting datagrams. Nothing here
// allocates; the owner sizes the storage (per socket, for both).
//
// The first size() bytes from the read position are the ring's contents.
// The receive side also writes past them (write_at), where out-of-order
// segments wait in the very bytes they will occupy once the hole before
// them fills; commit() then makes them part of the contents without a copy.
#pragma once

#include "base/memory.hpp"
#include "base/span.hpp"
#include "base/verify.hpp"

namespace mote {

class ByteRing {
public:
    ByteRing() = default;
    explicit ByteRing(Bytes storage) : m_storage(storage) {}
    ByteRing(const ByteRing&) = delete;
    ByteRing& operator=(const ByteRing&) = delete;

    Bytes storage() const { return m_storage; }
    usize capacity() const { return m_storage.size(); }
    usize size() const { return m_size; }
    usize free() const { return capacity() - m_size; }
    bool empty() const { return m_size == 0; }

    // Appends as much of `data` as fits; returns how much that was.
    usize push(ReadonlyBytes data) {
        const usize n = data.size() < free() ? data.size() : free();
        write_at(m_size, data.first(n));
        m_size += n;
        return n;
    }
    // Copies `data` to `offset` bytes past the read position, which may be
    // beyond size() (the caller tracks what is there). offset + size must
    // fit the capacity.
    void write_at(usize offset, ReadonlyBytes data) {
        VERIFY(offset <= capacity() && data.size() <= capacity() - offset);
        usize at = (m_head + offset) % (capacity() ? capacity() : 1);
        usize done = 0;
        while (done < data.size()) {
            const usize run = min(data.size() - done, capacity() - at);
            mem_copy(m_storage.data() + at, data.data() + done, run);
            done += run;
            at = 0;
        }
    }
    // Makes `n` bytes written past the contents part of them.
    void commit(usize n) {
        VERIFY(n <= free());
        m_size += n;
    }
    // [offset, offset + length) of the contents as at most two pieces.
    void view(usize offset, usize length, ReadonlyBytes& first, ReadonlyBytes& second) const {
        VERIFY(offset <= m_size && length <= m_size - offset);
        Bytes a, b;
        pieces(offset, length, a, b);
        first = a, second = b;
    }
    // The `length` free bytes after the contents as at most two pieces, to
    // be filled and then commit()ted: a writer that copies from elsewhere.
    void space(usize length, Bytes& first, Bytes& second) const {
        VERIFY(length <= free());
        pieces(m_size, length, first, second);
    }
    // Copies out and drops up to out.size() bytes; returns the count.
    usize read(Bytes out) {
        const usize n = min(out.size(), m_size);
        ReadonlyBytes a, b;
        view(0, n, a, b);
        mem_copy(out.data(), a.data(), a.size());
        mem_copy(out.data() + a.size(), b.data(), b.size());
        consume(n);
        return n;
    }
    void consume(usize n) {
        VERIFY(n <= m_size);
        m_size -= n;
        // The head never jumps back to 0 when empty: out-of-order bytes may
        // sit past it, placed relative to where it is.
        m_head = capacity() ? (m_head + n) % capacity() : 0;
    }

    // Moves the contents to `storage` (which must hold them) and uses it
    // from now on; the old storage is the owner's again.
    void move_to(Bytes storage) {
        VERIFY(storage.size() >= m_size);
        ReadonlyBytes a, b;
        view(0, m_size, a, b);
        mem_copy(storage.data(), a.data(), a.size());
        mem_copy(storage.data() + a.size(), b.data(), b.size());
        m_storage = storage;
        m_head = 0;
    }

private:
    static usize min(usize a, usize b) { return a < b ? a : b; }
    // The storage `length` bytes from `offset` past the read position
    // cover: up to the end of the storage, then from its start.
    void pieces(usize offset, usize length, Bytes& first, Bytes& second) const {
        if (!length) {
            first = second = {};
            return;
        }
        const usize at = (m_head + offset) % capacity();
        const usize run = min(length, capacity() - at);
        first = Bytes(m_storage.data() + at, run);
        second = Bytes(m_storage.data(), length - run);
    }

    Bytes m_storage;
    usize m_head = 0;
    usize m_size = 0;
};

}  // namespace mote
