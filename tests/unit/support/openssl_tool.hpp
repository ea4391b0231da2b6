// Debian's openssl command as an independent reference for kernel/crypto:
// the SHA-512 and Ed25519 unit tests hash, derive keys and sign with it and
// compare bytes. Every call works in a private temporary folder and
// reports failure as an empty result, which the tests assert against.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

#include "base/types.hpp"

namespace mote::test {

class OpensslTool {
public:
    static bool available() { return std::system("command -v openssl >/dev/null 2>&1") == 0; }

    OpensslTool() {
        char pattern[] = "/tmp/mote-openssl-XXXXXX";
        if (char* made = mkdtemp(pattern)) m_dir = made;
    }
    ~OpensslTool() {
        if (!m_dir.empty()) std::system(("rm -rf '" + m_dir + "'").c_str());
    }
    OpensslTool(const OpensslTool&) = delete;
    OpensslTool& operator=(const OpensslTool&) = delete;

    std::vector<u8> sha512(const std::vector<u8>& data) {
        write("data", data);
        if (!run("openssl dgst -sha512 -binary -out digest data")) return {};
        return read("digest");
    }

    // An Ed25519 key openssl makes itself: its 32-byte seed and public key.
    bool generate(std::vector<u8>* seed, std::vector<u8>* public_key) {
        if (!run("openssl genpkey -algorithm ed25519 -out key.pem")) return false;
        if (!run("openssl pkey -in key.pem -outform DER -out key.der")) return false;
        if (!run("openssl pkey -in key.pem -pubout -outform DER -out pub.der")) return false;
        std::vector<u8> key = read("key.der"), pub = read("pub.der");
        if (key.size() < 32 || pub.size() < 32) return false;
        seed->assign(key.end() - 32, key.end());
        public_key->assign(pub.end() - 32, pub.end());
        return true;
    }

    // Installs a seed as key.pem: PKCS #8's fixed 16-byte prefix for an
    // Ed25519 private key (RFC 8410), then the seed.
    bool use_seed(const std::vector<u8>& seed) {
        std::vector<u8> der = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                               0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
        der.insert(der.end(), seed.begin(), seed.end());
        write("key.der", der);
        return run("openssl pkey -inform DER -in key.der -out key.pem");
    }

    std::vector<u8> public_key() {
        if (!run("openssl pkey -in key.pem -pubout -outform DER -out pub.der")) return {};
        std::vector<u8> pub = read("pub.der");
        return pub.size() < 32 ? std::vector<u8> {} : std::vector<u8>(pub.end() - 32, pub.end());
    }

    // key.pem's signature of `message`.
    std::vector<u8> sign(const std::vector<u8>& message) {
        write("message", message);
        if (!run("openssl pkeyutl -sign -inkey key.pem -rawin -in message -out signature")) return {};
        return read("signature");
    }

private:
    bool run(const std::string& command) {
        if (m_dir.empty()) return false;
        return std::system(("cd '" + m_dir + "' && " + command + " >/dev/null 2>&1").c_str()) == 0;
    }
    void write(const char* name, const std::vector<u8>& bytes) {
        std::ofstream out(m_dir + "/" + name, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    }
    std::vector<u8> read(const char* name) {
        std::ifstream in(m_dir + "/" + name, std::ios::binary);
        return std::vector<u8>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }

    std::string m_dir;
};

}  // namespace mote::test
