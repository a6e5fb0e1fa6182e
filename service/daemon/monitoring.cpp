#include "daemon/monitoring.h"

#include <spdlog/spdlog.h>

#include "monitor/status_report.h"

namespace rowchain::daemon {

StatusOr<std::unique_ptr<Monitoring>> StartMonitoring(const DaemonConfig& config, node::Node& node) {
  auto monitoring = std::make_unique<Monitoring>();
  if (config.metrics_listen == "off") return monitoring;
  monitoring->history = std::make_unique<monitor::HashRateHistory>();
  monitor::StatusSources sources{.node = &node, .history = monitoring->history.get(), .gpus = {}};
  auto server = monitor::MonitorServer::Start(
      {.listen = config.metrics_listen, .status_json = [sources] { return monitor::StatusJson(sources).dump(); }});
  if (!server.ok()) return server.status();
  monitoring->server = std::move(*server);
  spdlog::info("metrics on http://{}/metrics, status page on http://{}/", monitoring->server->address(),
               monitoring->server->address());
  return monitoring;
}

}  // namespace rowchain::daemon
