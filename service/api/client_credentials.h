// gRPC channel credentials from PEM files, for every client of a node (the CLI, rowchain-worker):
// insecure without a CA; TLS with one; mutual TLS with a certificate and key too. Header-only so
// the worker, which does not link the API library, shares it.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/security/credentials.h>

#include "util/file_io.h"
#include "util/status.h"

namespace rowchain::api {

inline StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(const std::string& ca_file,
                                                                             const std::string& cert_file,
                                                                             const std::string& key_file) {
  if (ca_file.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  auto ca = ReadFileToString(ca_file, "TLS CA file");
  if (!ca.ok()) return ca.status();
  ssl.pem_root_certs = *ca;
  if (!cert_file.empty()) {
    auto cert = ReadFileToString(cert_file, "TLS certificate");
    if (!cert.ok()) return cert.status();
    auto key = ReadFileToString(key_file, "TLS key");
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *cert;
    ssl.pem_private_key = *key;
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace rowchain::api
