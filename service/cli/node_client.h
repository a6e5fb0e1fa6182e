// The node commands' connection: --node, the bearer token (--token or $ROWCHAIN_TOKEN, so it
// need not appear in `ps`), TLS options, and one-line reports of RPC errors.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>

#include "rowchain/v1/ledger.grpc.pb.h"
#include "util/status.h"

namespace rowchain::cli {

struct NodeFlags {
  std::string node = "127.0.0.1:7373";
  std::string token;
  std::string tls_ca;           // PEM roots to trust; enables TLS
  std::string tls_cert;         // client certificate, when the node requires one
  std::string tls_key;
  std::string tls_server_name;  // overrides the name checked in the node's certificate
};

// Registers the flags on the top-level app (which lets subcommands fall through to them).
void AddNodeFlags(CLI::App& app, NodeFlags* flags);

class NodeClient {
 public:
  static StatusOr<NodeClient> Connect(const NodeFlags& flags);
  v1::Ledger::Stub& stub() { return *m_stub; }
  // For the node's other services (PeerAdmin).
  const std::shared_ptr<grpc::Channel>& channel() const { return m_channel; }
  // A context with the token and a deadline (none when `deadline_s` is 0, for streams).
  std::unique_ptr<grpc::ClientContext> Context(int deadline_s = 30) const;

  // "rowchain: <what>: <CODE>: <message>" on stderr, one line; returns 1. A node that cannot be
  // reached is named with its address and what to check.
  int ReportRpcError(const std::string& what, const grpc::Status& status) const;

 private:
  std::string m_address;
  bool m_tls = false;
  std::shared_ptr<grpc::Channel> m_channel;
  std::unique_ptr<v1::Ledger::Stub> m_stub;
  std::string m_token;
};


}  // namespace rowchain::cli
