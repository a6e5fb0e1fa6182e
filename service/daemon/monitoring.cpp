#include "daemon/monitoring.h"

#include <optional>

#include <spdlog/spdlog.h>

#include "monitor/status_report.h"

namespace rowchain::daemon {

StatusOr<std::unique_ptr<Monitoring>> StartMonitoring(const DaemonConfig& config, node::Node& node) {
  auto monitoring = std::make_unique<Monitoring>();
  std::optional<unsigned> max_temp;
  if (config.max_gpu_temp != 0) max_temp = config.max_gpu_temp;
  monitoring->gpus = std::make_unique<monitor::GpuWatch>(max_temp);
  if (config.metrics_listen == "off") return monitoring;
  monitoring->history = std::make_unique<monitor::HashRateHistory>();
  const monitor::GpuWatch* gpus = monitoring->gpus.get();
  monitor::StatusSources sources{.node = &node, .history = monitoring->history.get(), .gpus = [gpus] { return gpus->Json(); }};
  auto server = monitor::MonitorServer::Start(
      {.listen = config.metrics_listen, .status_json = [sources] { return monitor::StatusJson(sources).dump(); }});
  if (!server.ok()) return server.status();
  monitoring->server = std::move(*server);
  spdlog::info("metrics on http://{}/metrics, status page on http://{}/", monitoring->server->address(),
               monitoring->server->address());
  return monitoring;
}

}  // namespace rowchain::daemon
