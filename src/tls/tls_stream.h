#pragma once
// One TLS connection without I/O: ciphertext in from the socket, plaintext
// out to the WebSocket layer, and the reverse. OpenSSL reads and writes
// through a BIO of ours, so that a loop turn's frames become records in one
// buffer that goes out in one send(), and the socket stays the transport's.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace rk::tls {

class TlsStream {
 public:
  enum class Role { kServer, kClient };
  enum class Status { kOk, kClosed, kFailed };  // kClosed: the peer's close_notify

  TlsStream(SSL_CTX* context, Role role);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Takes ciphertext received from the peer, to be decrypted by read().
  // Must be read to the end (read() returning 0) before the next feed: the
  // bytes are not copied.
  void feed(const char* data, std::size_t size);
  // Decrypts into `plain`: bytes written, 0 when the input fed is used up
  // (a record may be incomplete: OpenSSL keeps the part it has). `status`
  // turns kClosed or kFailed when the stream is over.
  std::size_t read(std::span<char> plain, Status& status);

  // Encrypts plaintext into ciphertext(); false on a fatal error.
  bool write(std::string_view plain);
  // Appends our close_notify alert to ciphertext().
  void close_notify();

  // Ciphertext waiting for the socket (handshake, records, alerts).
  std::string_view ciphertext() const { return {out_.data() + out_offset_, out_.size() - out_offset_}; }
  void consume_ciphertext(std::size_t sent);

  bool handshake_done() const;
  // Why the stream failed (OpenSSL's reason), for a debug log line.
  const std::string& failure() const { return failure_; }

 private:
  friend struct BioAccess;
  Status fail(int result);

  SSL* ssl_;
  const char* in_ = nullptr;
  std::size_t in_left_ = 0;
  std::string out_;
  std::size_t out_offset_ = 0;
  std::string failure_;
};

}  // namespace rk::tls
