// The node's gRPC server: the Ledger service, gRPC health checking (grpc.health.v1) and server
// reflection, on one listener with optional TLS and a request size limit.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "api/grpc_listener.h"
#include "api/ledger_service.h"
#include "node/node.h"
#include "util/tls_files.h"

namespace rowchain::api {

struct NodeServerOptions {
  std::string listen = "127.0.0.1:7373";  // port 0 picks a free one
  std::optional<TlsFiles> tls;
  int max_request_bytes = 8 << 20;
  LedgerServiceOptions service;
  // More services on the same listener (peer administration); not owned, must outlive the server.
  std::vector<grpc::Service*> extra_services;
};

class NodeServer {
 public:
  // UNAVAILABLE when the address cannot be bound; INVALID_ARGUMENT for unreadable TLS files.
  static StatusOr<std::unique_ptr<NodeServer>> Start(node::Node& node, NodeServerOptions options);
  ~NodeServer();

  // "127.0.0.1:7373" with the port actually bound.
  const std::string& address() const { return m_listener->address(); }
  // Health turns NOT_SERVING, open calls get until the deadline to finish, then are cancelled.
  void Shutdown(std::chrono::milliseconds grace);

 private:
  NodeServer() = default;
  std::unique_ptr<LedgerService> m_service;
  std::unique_ptr<GrpcListener> m_listener;
  bool m_shut_down = false;
};

}  // namespace rowchain::api
