#include "daemon/farm_setup.h"

#include <spdlog/spdlog.h>

#include "farm/farm_wire.h"

namespace rowchain::daemon {

StatusOr<std::unique_ptr<farm::JobServer>> MakeJobServer(const DaemonConfig& config,
                                                        const consensus::ChainParams& params) {
  if (config.mining_listen == "off") return std::unique_ptr<farm::JobServer>();
  farm::FarmOptions options;
  options.pow_limit = params.PowLimit();
  options.vardiff.share_interval = std::chrono::milliseconds(config.worker_share_interval_ms);
  options.max_workers = config.max_workers;
  return std::make_unique<farm::JobServer>(std::move(options));
}

Status StartMiningListener(const DaemonConfig& config, Farm& farm) {
  if (!farm.jobs) return OkStatus();
  auto tokens = api::AuthPolicy::FromGrants(config.workers);
  if (!tokens.ok()) return InvalidArgumentError("[[workers]]: " + tokens.status().message());
  farm::WorkerAuth auth{.tokens = std::move(*tokens), .mutual_tls = config.tls && !config.tls->ca.empty()};
  const char* how = auth.tokens.enabled() ? "worker tokens" : auth.mutual_tls ? "client certificates" : "no credentials (loopback)";
  farm.service = std::make_unique<farm::MiningService>(*farm.jobs, std::move(auth));
  auto listener = api::GrpcListener::Start({.listen = config.mining_listen,
                                            .tls = config.tls,
                                            .max_request_bytes = farm::kMaxFarmMessageBytes,
                                            .services = {farm.service.get()},
                                            .keepalive = std::chrono::seconds(20)});
  if (!listener.ok()) return listener.status();
  farm.listener = std::move(*listener);
  spdlog::info("workers dial in on {} ({})", farm.listener->address(), how);
  return OkStatus();
}

void Farm::Stop() {
  if (jobs) jobs->Shutdown();
  if (listener) listener->Shutdown(std::chrono::seconds(1));
}

}  // namespace rowchain::daemon
