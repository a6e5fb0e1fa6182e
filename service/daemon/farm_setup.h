// rowchaind's side of the mining farm (docs/farm.md): the job server, made before the node
// (which hands it templates), and the mining listener, started after the node and stopped
// before it.
#pragma once

#include <memory>
#include <string>

#include "api/grpc_listener.h"
#include "consensus/chain_params.h"
#include "daemon/daemon_config.h"
#include "farm/job_server.h"
#include "farm/mining_service.h"

namespace rowchain::daemon {

struct Farm {
  std::unique_ptr<farm::JobServer> jobs;  // null with --mining-listen off
  std::unique_ptr<farm::MiningService> service;
  std::unique_ptr<api::GrpcListener> listener;
  std::string address() const { return listener ? listener->address() : "off"; }
  // Workers first (they are told the node stops), then the listener.
  void Stop();
};

// The job server, or null when --mining-listen is off. INVALID_ARGUMENT for repeated tokens.
StatusOr<std::unique_ptr<farm::JobServer>> MakeJobServer(const DaemonConfig& config,
                                                        const consensus::ChainParams& params);
// UNAVAILABLE when the address cannot be bound.
Status StartMiningListener(const DaemonConfig& config, Farm& farm);

}  // namespace rowchain::daemon
