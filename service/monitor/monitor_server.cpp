#include "monitor/monitor_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include <CivetServer.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "metrics/metrics.h"
#include "monitor/status_page.h"

namespace rowchain::monitor {
namespace {

void Reply(mg_connection* conn, const char* type, const std::string& body) {
  mg_printf(conn,
            "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
            "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
            type, body.size());
  mg_write(conn, body.data(), body.size());
}

class Page : public CivetHandler {
 public:
  using Body = std::function<std::string()>;
  // `exact`: serve only this path (the page's handler would otherwise take every path).
  Page(const char* type, Body body, std::string exact = {})
      : m_type(type), m_body(std::move(body)), m_exact(std::move(exact)) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    const mg_request_info* request = mg_get_request_info(conn);
    if (!m_exact.empty() && (request->local_uri == nullptr || m_exact != request->local_uri)) {
      mg_send_http_error(conn, 404, "%s", "not found: try / , /status.json or /metrics");
      return true;
    }
    try {
      Reply(conn, m_type, m_body());
    } catch (const std::exception& e) {  // nothing may escape into civetweb's thread
      spdlog::error("monitoring listener: {}", e.what());
      mg_send_http_error(conn, 500, "%s", "internal error");
    }
    return true;
  }

 private:
  const char* m_type;
  Body m_body;
  std::string m_exact;
};

}  // namespace

struct MonitorServer::Handlers {
  Page metrics{"text/plain; version=0.0.4; charset=utf-8", [] { return metrics::Exposition(); }};
  Page status;
  Page page{"text/html; charset=utf-8", [] { return std::string(StatusPageHtml()); }, "/"};
  explicit Handlers(std::function<std::string()> status_json)
      : status("application/json", std::move(status_json)) {}
};

StatusOr<std::unique_ptr<MonitorServer>> MonitorServer::Start(MonitorOptions options) {
  std::unique_ptr<MonitorServer> server(new MonitorServer());
  server->m_handlers = std::make_unique<Handlers>(std::move(options.status_json));
  const std::vector<std::string> civet_options = {
      "listening_ports", options.listen,
      "num_threads", "4",                // at most four requests served at once
      "request_timeout_ms", "5000",      // a client that stalls is dropped
      "enable_keep_alive", "no",
      "max_request_size", "16384",       // request line and headers
      "listen_backlog", "64",
      "connection_queue", "64",          // accepted, waiting for a thread; more wait in the backlog
  };
  try {
    server->m_server = std::make_unique<CivetServer>(civet_options);
  } catch (const CivetException& e) {
    return UnavailableError(fmt::format("cannot serve metrics on {} (in use, or not a local address?)", options.listen));
  }
  server->m_server->addHandler("/metrics", server->m_handlers->metrics);
  server->m_server->addHandler("/status.json", server->m_handlers->status);
  server->m_server->addHandler("/", server->m_handlers->page);
  std::vector<int> ports = server->m_server->getListeningPorts();
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  server->m_address = fmt::format("{}:{}", host, ports.empty() ? 0 : ports[0]);
  return server;
}

// civetweb's listening thread polls with a fixed 2 s timeout before it looks at its stop flag,
// so a stop would take up to 2 s. A connection wakes it: one every 20 ms until it has stopped.
MonitorServer::~MonitorServer() {
  if (!m_server) return;
  std::atomic<bool> closed{false};
  std::thread waker([this, &closed] {
    const size_t colon = m_address.rfind(':');
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::atoi(m_address.substr(colon + 1).c_str())));
    if (inet_pton(AF_INET, m_address.substr(0, colon).c_str(), &addr.sin_addr) != 1) return;  // not IPv4
    while (!closed.load()) {
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      if (fd >= 0) {
        (void)connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        close(fd);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  m_server->close();
  closed = true;
  waker.join();
}

}  // namespace rowchain::monitor
