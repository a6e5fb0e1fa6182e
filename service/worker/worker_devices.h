// Which devices rowchain-worker hashes on: the CPU (one Miner over its threads), or each GPU
// (one Miner per ordinal, so each shows its own rate and a failing one sits out alone).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "util/status.h"
#include "worker/hashers.h"

namespace rowchain::worker {

struct DeviceOptions {
  std::string backend = "auto";  // auto: every usable GPU, else the CPU
  unsigned threads = 0;
};

// INVALID_ARGUMENT for a bad --devices list; FAILED_PRECONDITION when the backend cannot run.
StatusOr<std::vector<std::unique_ptr<Device>>> OpenDevices(const DeviceOptions& options, const std::string& devices_text);
// Hashes on every device at once for a quarter second: the hello's nominal rate (the
// node uses it for the first share target only).
double MeasureHashRate(const std::vector<std::unique_ptr<Device>>& devices);
std::string HostName();

}  // namespace rowchain::worker
