// The monitoring listener (`rowchaind --metrics-listen`, docs/monitoring.md): GET /metrics in
// Prometheus's text format, GET /status.json (the node's summary) and GET / (the status page,
// one self-contained HTML file). HTTP by civetweb, with every bound it offers set
// (docs/security.md): a few worker threads, a request deadline, no keep-alive, small requests.
// Read-only: nothing it serves changes the node.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "util/status.h"

class CivetServer;

namespace rowchain::monitor {

struct MonitorOptions {
  std::string listen = "127.0.0.1:9373";  // HOST:PORT; port 0 picks a free one
  // The body of /status.json; called on a civetweb thread, so it must be thread-safe.
  std::function<std::string()> status_json;
};

class MonitorServer {
 public:
  // UNAVAILABLE naming the address when it cannot listen there.
  static StatusOr<std::unique_ptr<MonitorServer>> Start(MonitorOptions options);
  ~MonitorServer();  // stops serving
  // "127.0.0.1:9373", with the port actually bound.
  const std::string& address() const { return m_address; }

 private:
  MonitorServer() = default;
  struct Handlers;
  std::unique_ptr<Handlers> m_handlers;
  std::unique_ptr<CivetServer> m_server;
  std::string m_address;
};

}  // namespace rowchain::monitor
