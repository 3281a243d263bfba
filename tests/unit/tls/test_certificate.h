#pragma once
// A self-signed P-256 certificate and key written to temporary PEM files, for
// tests that need a server context.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace rk::tls::testing {

struct TestCertificate {
  std::string cert_file;
  std::string key_file;

  explicit TestCertificate(const char* common_name = "unit") {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    const std::string base = "/tmp/rk-unit-tls-" + std::to_string(::getpid()) + "-" + common_name;
    cert_file = base + ".crt";
    key_file = base + ".key";
    FILE* out = std::fopen(cert_file.c_str(), "w");
    PEM_write_X509(out, cert);
    std::fclose(out);
    out = std::fopen(key_file.c_str(), "w");
    PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(out);
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  ~TestCertificate() {
    std::remove(cert_file.c_str());
    std::remove(key_file.c_str());
  }
};

}  // namespace rk::tls::testing
