#include "tls/tls_stream.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstring>
#include <stdexcept>

namespace rk::tls {

// The BIO between OpenSSL and the stream's buffers: reads take from what
// feed() lent, writes append to the outgoing ciphertext.
struct BioAccess {
  static int write(BIO* bio, const char* data, std::size_t size, std::size_t* written) {
    auto* stream = static_cast<TlsStream*>(BIO_get_data(bio));
    stream->out_.append(data, size);
    *written = size;
    return 1;
  }

  static int read(BIO* bio, char* data, std::size_t size, std::size_t* read) {
    auto* stream = static_cast<TlsStream*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    if (stream->in_left_ == 0) {
      BIO_set_retry_read(bio);
      *read = 0;
      return 0;
    }
    const std::size_t n = std::min(size, stream->in_left_);
    std::memcpy(data, stream->in_, n);
    stream->in_ += n;
    stream->in_left_ -= n;
    *read = n;
    return 1;
  }

  static long control(BIO*, int command, long, void*) { return command == BIO_CTRL_FLUSH ? 1 : 0; }

  static int create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
  }

  static BIO_METHOD* method() {
    static BIO_METHOD* const kMethod = [] {
      BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "roomkey stream");
      BIO_meth_set_write_ex(m, write);
      BIO_meth_set_read_ex(m, read);
      BIO_meth_set_ctrl(m, control);
      BIO_meth_set_create(m, create);
      return m;
    }();
    return kMethod;
  }
};

TlsStream::TlsStream(SSL_CTX* context, Role role) : ssl_(SSL_new(context)) {
  if (!ssl_) throw std::runtime_error("SSL_new failed");
  BIO* bio = BIO_new(BioAccess::method());
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);  // one BIO both ways; the SSL owns it
  if (role == Role::kServer) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
    SSL_do_handshake(ssl_);  // the ClientHello goes into ciphertext()
  }
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

void TlsStream::feed(const char* data, std::size_t size) {
  in_ = data;
  in_left_ = size;
}

std::size_t TlsStream::read(std::span<char> plain, Status& status) {
  std::size_t got = 0;
  ERR_clear_error();
  const int result = SSL_read_ex(ssl_, plain.data(), plain.size(), &got);
  if (result == 1) return got;
  const int error = SSL_get_error(ssl_, result);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return 0;
  status = error == SSL_ERROR_ZERO_RETURN ? Status::kClosed : fail(error);
  return 0;
}

bool TlsStream::write(std::string_view plain) {
  if (plain.empty()) return true;
  std::size_t written = 0;
  ERR_clear_error();
  const int result = SSL_write_ex(ssl_, plain.data(), plain.size(), &written);
  if (result == 1) return true;
  fail(SSL_get_error(ssl_, result));
  return false;
}

void TlsStream::close_notify() {
  ERR_clear_error();
  if (SSL_is_init_finished(ssl_)) SSL_shutdown(ssl_);
  ERR_clear_error();
}

void TlsStream::consume_ciphertext(std::size_t sent) {
  out_offset_ += sent;
  if (out_offset_ < out_.size()) return;
  out_offset_ = 0;
  out_.clear();
  // A burst (a history reply) must not stay allocated on an idle connection.
  if (out_.capacity() > 64 * 1024) std::string().swap(out_);
}

bool TlsStream::handshake_done() const { return SSL_is_init_finished(ssl_) == 1; }

TlsStream::Status TlsStream::fail(int error) {
  const unsigned long code = ERR_peek_last_error();
  char text[256] = "";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  failure_ = code != 0 ? text : error == SSL_ERROR_SYSCALL ? "unexpected end of stream" : "TLS error";
  ERR_clear_error();
  return Status::kFailed;
}

}  // namespace rk::tls
