// rowchain workers: the remote workers mining for a node (docs/farm.md): name, address,
// devices, hash rate from verified shares over 10 s, 60 s and 15 min, share counts, the last
// share; from rowchain.v1.FarmAdmin on the writer API.
#include <cstdio>
#include <ctime>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "node_client.h"
#include "rowchain/v1/mining.grpc.pb.h"

namespace rowchain::cli {

namespace {

namespace pb = ::rowchain::v1;

nlohmann::json JsonOf(const pb::WorkerInfo& w) {
  nlohmann::json out{{"name", w.name()},
                     {"address", w.address()},
                     {"devices", w.devices()},
                     {"connected", w.connected()},
                     {"extra_nonce_first", w.extra_nonce_first()},
                     {"extra_nonce_count", w.extra_nonce_count()},
                     {"hash_rate_10s", w.hash_rate_10s()},
                     {"hash_rate_60s", w.hash_rate_60s()},
                     {"hash_rate_15m", w.hash_rate_15m()},
                     {"accepted", w.accepted()},
                     {"rejected", w.rejected()},
                     {"stale", w.stale()},
                     {"blocks", w.blocks()},
                     {"last_share_unix_ms", w.last_share_unix_ms()},
                     {"hashes_per_share", w.hashes_per_share()}};
  if (w.has_lowest_extra_nonce()) out["lowest_extra_nonce"] = w.lowest_extra_nonce();
  if (w.has_highest_extra_nonce()) out["highest_extra_nonce"] = w.highest_extra_nonce();
  return out;
}

std::string Rate(double hashes_per_second) {
  if (hashes_per_second >= 1e9) return fmt::format("{:.2f} GH/s", hashes_per_second / 1e9);
  return fmt::format("{:.2f} MH/s", hashes_per_second / 1e6);
}

void PrintTable(const pb::WorkerList& list) {
  const int64_t now_ms = static_cast<int64_t>(std::time(nullptr)) * 1000;
  std::printf("workers dial in on %s; %d known\n", list.mining_listen().c_str(), list.workers_size());
  if (list.workers_size() == 0) return;
  std::printf("%-16s %-22s %-4s %13s %13s %13s %8s %6s %6s %10s  %s\n", "name", "address", "up", "10 s", "60 s",
              "15 min", "accepted", "bad", "stale", "last share", "devices");
  for (const pb::WorkerInfo& w : list.workers()) {
    const std::string last = w.last_share_unix_ms() == 0 ? "-" : fmt::format("{} s ago", (now_ms - w.last_share_unix_ms()) / 1000);
    std::printf("%-16s %-22s %-4s %13s %13s %13s %8llu %6llu %6llu %10s  %s\n", w.name().c_str(), w.address().c_str(),
                w.connected() ? "yes" : "no", Rate(w.hash_rate_10s()).c_str(), Rate(w.hash_rate_60s()).c_str(),
                Rate(w.hash_rate_15m()).c_str(), static_cast<unsigned long long>(w.accepted()),
                static_cast<unsigned long long>(w.rejected()), static_cast<unsigned long long>(w.stale()), last.c_str(),
                fmt::format("{}", fmt::join(w.devices(), ", ")).c_str());
  }
}

int RunWorkers(const NodeFlags& node, bool json) {
  auto client = NodeClient::Connect(node);
  if (!client.ok()) return ReportError(kExitUsage, "workers: " + client.status().message());
  auto stub = pb::FarmAdmin::NewStub(client->channel());
  pb::WorkerList list;
  if (grpc::Status s = stub->ListWorkers(client->Context().get(), {}, &list); !s.ok()) {
    return client->ReportRpcError("workers", s);
  }
  if (!json) {
    PrintTable(list);
    return kExitOk;
  }
  nlohmann::json out{{"mining_listen", list.mining_listen()}, {"workers", nlohmann::json::array()},
                     {"recent_switch_latency_us", list.recent_switch_latency_us()}};
  for (const pb::WorkerInfo& w : list.workers()) out["workers"].push_back(JsonOf(w));
  std::printf("%s\n", out.dump().c_str());
  return kExitOk;
}

}  // namespace

void AddWorkersCommand(CLI::App& app, const NodeFlags* node, int* exit_code) {
  auto json = std::make_shared<bool>(false);
  CLI::App* workers = app.add_subcommand("workers", "The remote workers mining for the node, with their hash rates");
  workers->add_flag("--json", *json, "workers as JSON");
  workers->callback([=] { *exit_code = RunWorkers(*node, *json); });
}

}  // namespace rowchain::cli
