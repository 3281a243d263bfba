#include "tls/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstring>

namespace rk::tls {
namespace {

// TLS 1.2 suites with forward secrecy and AEAD only; TLS 1.3 keeps OpenSSL's
// defaults, which are all of that kind.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

constexpr unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

std::string openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  char text[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

// A client that offers ALPN must offer http/1.1 (WebSocket upgrades are
// HTTP/1.1); one that offers none is served anyway.
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* offered,
                unsigned int offered_length, void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_length, kHttp11, sizeof kHttp11, offered, offered_length) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

ContextPtr make_context(const SSL_METHOD* method) {
  SSL_CTX* raw = SSL_CTX_new(method);
  if (!raw) return nullptr;
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(raw, TLS1_3_VERSION);
  // Idle connections give their record buffers back: tens of kilobytes each.
  SSL_CTX_set_mode(raw, SSL_MODE_RELEASE_BUFFERS);
  return ContextPtr(raw, ContextFree{});
}

}  // namespace

void ContextFree::operator()(SSL_CTX* context) const { SSL_CTX_free(context); }

ContextPtr load_server_context(const std::string& cert_file, const std::string& key_file, std::string& error) {
  ERR_clear_error();
  ContextPtr context = make_context(TLS_server_method());
  if (!context) {
    error = "cannot create a TLS context: " + openssl_reason();
    return nullptr;
  }
  SSL_CTX* raw = context.get();
  SSL_CTX_set_options(raw, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
  if (SSL_CTX_set_cipher_list(raw, kTls12Ciphers) != 1) {
    error = "cannot set the cipher list: " + openssl_reason();
    return nullptr;
  }
  if (SSL_CTX_use_certificate_chain_file(raw, cert_file.c_str()) != 1) {
    error = "cannot load the certificate " + cert_file + ": " + openssl_reason();
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(raw, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    const bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
    error = mismatch ? "the private key " + key_file + " does not match the certificate " + cert_file
                     : "cannot load the private key " + key_file + ": " + openssl_reason();
    ERR_clear_error();
    return nullptr;
  }
  if (SSL_CTX_check_private_key(raw) != 1) {
    error = "the private key " + key_file + " does not match the certificate " + cert_file;
    ERR_clear_error();
    return nullptr;
  }
  SSL_CTX_set_alpn_select_cb(raw, select_alpn, nullptr);
  return context;
}

ContextPtr unverified_client_context() {
  ContextPtr context = make_context(TLS_client_method());
  if (!context) return nullptr;
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_alpn_protos(context.get(), kHttp11, sizeof kHttp11);
  return context;
}

}  // namespace rk::tls
