// One gRPC server on one address: TLS (mutual when a CA is given), a request size limit, and
// no port sharing (a second process on the same port is refused, not let in beside the first).
// The writer API (NodeServer) and the peer listener each run one.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "util/status.h"
#include "util/tls_files.h"

namespace rowchain::api {

struct ListenerOptions {
  std::string listen;  // HOST:PORT; port 0 picks a free one
  std::optional<TlsFiles> tls;
  int max_request_bytes = 8 << 20;
  std::vector<grpc::Service*> services;  // not owned; must outlive the listener
  // Pings a quiet connection this often and drops it when a ping goes unanswered for 10 s (a
  // worker's host that died without closing its socket). None: gRPC's default (no pings).
  std::optional<std::chrono::seconds> keepalive;
};

class GrpcListener {
 public:
  // UNAVAILABLE when the address cannot be bound; INVALID_ARGUMENT for unreadable TLS files.
  static StatusOr<std::unique_ptr<GrpcListener>> Start(const ListenerOptions& options);
  ~GrpcListener();

  // "127.0.0.1:7373" with the port actually bound.
  const std::string& address() const { return m_address; }
  grpc::Server& server() { return *m_server; }
  // Open calls get until the deadline to finish, then are cancelled; waits for them.
  void Shutdown(std::chrono::milliseconds grace);

 private:
  GrpcListener() = default;
  std::unique_ptr<grpc::Server> m_server;
  std::string m_address;
  bool m_shut_down = false;
};

}  // namespace rowchain::api
