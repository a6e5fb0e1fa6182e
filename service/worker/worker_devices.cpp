#include "worker/worker_devices.h"

#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "mining/backends.h"
#include "util/device_list.h"

namespace rowchain::worker {

namespace {

StatusOr<std::unique_ptr<Device>> OpenOne(const mining::MinerOptions& options, std::string label) {
  auto choice = mining::CreateMiner(options);
  if (!choice.ok()) return choice.status();
  auto device = std::make_unique<Device>();
  device->label = label.empty() ? choice->miner->Describe() : std::move(label);
  device->miner = std::move(choice->miner);
  spdlog::info("device {}: {}", device->label, choice->reason);
  return device;
}

}  // namespace

StatusOr<std::vector<std::unique_ptr<Device>>> OpenDevices(const DeviceOptions& options, const std::string& devices_text) {
  std::vector<int> ordinals;
  if (!devices_text.empty()) {
    auto parsed = ParseDeviceList(devices_text);
    if (!parsed.ok()) return parsed.status();
    ordinals = *parsed;
  }
  const bool gpus = options.backend == "cuda" || (options.backend == "auto" && !mining::UsableCudaOrdinals().empty());
  std::vector<std::unique_ptr<Device>> devices;
  if (!gpus) {
    if (!ordinals.empty()) return InvalidArgumentError("--devices names GPUs, and the backend is the CPU");
    auto cpu = OpenOne({.backend = "cpu", .threads = options.threads}, "");
    if (!cpu.ok()) return cpu.status();
    devices.push_back(std::move(*cpu));
    return devices;
  }
  if (ordinals.empty()) ordinals = mining::UsableCudaOrdinals();
  if (ordinals.empty()) return FailedPreconditionError("--backend cuda: " + mining::CudaBackendInfo().reason);
  for (int ordinal : ordinals) {
    auto gpu = OpenOne({.backend = "cuda", .devices = {ordinal}}, fmt::format("cuda:{}", ordinal));
    if (!gpu.ok()) return gpu.status();
    devices.push_back(std::move(*gpu));
  }
  return devices;
}

double MeasureHashRate(const std::vector<std::unique_ptr<Device>>& devices) {
  constexpr auto kMeasure = std::chrono::milliseconds(250);
  std::vector<std::future<double>> rates;
  for (const auto& device : devices) {
    rates.push_back(std::async(std::launch::async, [&device, kMeasure] {
      // A target no hash meets: every nonce in the time is hashed.
      mining::SearchRequest request{consensus::BlockHeader{}, consensus::U256(0), 0, mining::kNonceSpace};
      std::stop_source stop;
      std::jthread timer([&stop, kMeasure] {
        std::this_thread::sleep_for(kMeasure);
        stop.request_stop();
      });
      const auto start = std::chrono::steady_clock::now();
      auto result = device->miner->Search(request, stop.get_token());
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return result.ok() && seconds > 0 ? static_cast<double>(result->hashes) / seconds : 0.0;
    }));
  }
  double total = 0;
  for (auto& r : rates) total += r.get();
  spdlog::info("measured {:.2f} MH/s over {} ms", total / 1e6, kMeasure.count());
  return total;
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "worker";
  return name;
}

}  // namespace rowchain::worker
