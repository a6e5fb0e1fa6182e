// rowchaind's monitoring (docs/monitoring.md): the hash-rate history and the listener for
// /metrics, /status.json and the status page, started after the node, stopped before it.
#pragma once

#include <memory>
#include <string>

#include "daemon/daemon_config.h"
#include "monitor/gpu_watch.h"
#include "monitor/hash_rate_history.h"
#include "monitor/monitor_server.h"
#include "node/node.h"

namespace rowchain::daemon {

struct Monitoring {
  std::unique_ptr<monitor::GpuWatch> gpus;  // telemetry and the temperature limit, listener or not
  std::unique_ptr<monitor::HashRateHistory> history;
  std::unique_ptr<monitor::MonitorServer> server;  // null with --metrics-listen off
  std::string address() const { return server ? server->address() : "off"; }
};

// UNAVAILABLE when the listener cannot start (the port is taken).
StatusOr<std::unique_ptr<Monitoring>> StartMonitoring(const DaemonConfig& config, node::Node& node);

}  // namespace rowchain::daemon
