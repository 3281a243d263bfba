#pragma once
// The OpenSSL configuration a TLS port serves with (certificate, key, TLS 1.2
// and 1.3 only, a modern cipher list, ALPN http/1.1), or the one `roomkey
// bench` connects with. Shared by reference count: every loop holds one
// reference, every TLS connection another (inside OpenSSL), so a reload
// (SIGHUP) swaps the loops' references while open connections keep theirs.
#include <memory>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;

namespace rk::tls {

struct ContextFree {
  void operator()(SSL_CTX* context) const;
};
using ContextPtr = std::shared_ptr<SSL_CTX>;

// Loads a PEM certificate chain and its private key. On failure returns null
// and says why in `error` (file, and OpenSSL's reason).
ContextPtr load_server_context(const std::string& cert_file, const std::string& key_file, std::string& error);

// A client context that does not verify the server's certificate: for the
// load generator against test certificates, never for real clients.
ContextPtr unverified_client_context();

}  // namespace rk::tls
