// rowchain bench-peers: how fast a block sealed on one node is committed on the others
// (BENCHMARKS.md, "Peers"). One WatchBlocks stream per node timestamps every block as each
// node connects it; batches go round-robin to the nodes, one at a time, so the node a batch
// was sent to is the one that seals it (pending batches are not shared between nodes).
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/node_client.h"

namespace rowchain::cli {

namespace {

namespace pb = ::rowchain::v1;
using Clock = std::chrono::steady_clock;

struct BenchPeersFlags {
  std::string nodes;
  unsigned blocks = 60;
  unsigned batch_rows = 100;
  bool json = false;
};

int Run(const NodeFlags& base, const BenchPeersFlags& flags) {
  std::vector<std::string> addresses;
  std::stringstream list(flags.nodes);
  for (std::string a; std::getline(list, a, ',');) addresses.push_back(a);
  if (addresses.size() < 2) return ReportError(kExitUsage, "bench-peers: --nodes needs at least two HOST:PORT");

  std::mutex mutex;
  std::condition_variable seen_cv;
  // batch id -> per node, when that node connected the block holding it
  std::map<std::string, std::map<size_t, Clock::time_point>> seen;
  std::vector<NodeClient> clients;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::thread> watchers;
  for (size_t i = 0; i < addresses.size(); ++i) {
    NodeFlags f = base;
    f.node = addresses[i];
    auto client = NodeClient::Connect(f);
    if (!client.ok()) return ReportError(kExitUsage, "bench-peers: " + client.status().message());
    clients.push_back(std::move(*client));
  }
  for (size_t i = 0; i < clients.size(); ++i) {
    contexts.push_back(clients[i].Context(0));
    watchers.emplace_back([&, i] {
      pb::WatchBlocksRequest request;
      request.set_without_rows(true);
      auto reader = clients[i].stub().WatchBlocks(contexts[i].get(), request);
      pb::BlockEvent event;
      while (reader->Read(&event)) {
        if (event.kind() != pb::BlockEvent::KIND_CONNECTED) continue;
        auto now = Clock::now();
        std::lock_guard lock(mutex);
        for (const std::string& id : event.batch_ids()) seen[id].emplace(i, now);
        seen_cv.notify_all();
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  std::vector<double> latencies_ms;
  const int64_t first_id = static_cast<int64_t>(std::time(nullptr)) * 1'000'000;
  int failures = 0;
  for (unsigned b = 0; b < flags.blocks; ++b) {
    const size_t target = b % clients.size();
    pb::SubmitBatchRequest request;
    request.set_table("users");
    for (unsigned r = 0; r < flags.batch_rows; ++r) {
      int64_t id = first_id + b * flags.batch_rows + r;
      pb::Row* row = request.add_rows();
      (*row->mutable_columns())["id"].set_int_value(id);
      (*row->mutable_columns())["name"].set_text_value(fmt::format("peer bench {}", id));
      (*row->mutable_columns())["age"].set_int_value(id % 100);
    }
    pb::SubmitBatchResponse response;
    if (grpc::Status s = clients[target].stub().SubmitBatch(clients[target].Context().get(), request, &response); !s.ok()) {
      return clients[target].ReportRpcError("bench-peers", s);
    }
    std::unique_lock lock(mutex);
    bool all = seen_cv.wait_for(lock, std::chrono::seconds(30), [&] { return seen[response.batch_id()].size() == clients.size(); });
    if (!all) {
      ++failures;
      continue;
    }
    const auto& at = seen[response.batch_id()];
    for (const auto& [node, t] : at) {
      if (node != target) latencies_ms.push_back(std::chrono::duration<double, std::milli>(t - at.at(target)).count());
    }
  }
  for (auto& c : contexts) c->TryCancel();
  for (auto& t : watchers) t.join();
  if (latencies_ms.empty()) return ReportError(kExitFailure, "bench-peers: no block reached every node");
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) { return latencies_ms[std::min(latencies_ms.size() - 1, static_cast<size_t>(p * (latencies_ms.size() - 1) + 0.5))]; };
  if (flags.json) {
    std::printf("%s\n", nlohmann::json{{"nodes", clients.size()}, {"blocks", flags.blocks}, {"samples", latencies_ms.size()},
                                       {"relay_p50_ms", pct(0.5)}, {"relay_p99_ms", pct(0.99)},
                                       {"relay_max_ms", latencies_ms.back()}, {"blocks_not_everywhere", failures}}
                            .dump()
                            .c_str());
  } else {
    std::printf("%zu nodes, %u blocks: sealed on one -> committed on another p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
                clients.size(), flags.blocks, pct(0.5), pct(0.99), latencies_ms.back());
  }
  return failures == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void AddBenchPeersCommand(CLI::App& app, const NodeFlags* node, int* exit_code) {
  auto flags = std::make_shared<BenchPeersFlags>();
  CLI::App* cmd = app.add_subcommand("bench-peers", "Block relay: sealed on one node to committed on the others");
  cmd->add_option("--nodes", flags->nodes, "HOST:PORT,HOST:PORT,... of peered nodes")->required();
  cmd->add_option("--blocks", flags->blocks, "blocks to time (default 60)");
  cmd->add_option("--batch-rows", flags->batch_rows, "rows per block (default 100)");
  cmd->add_flag("--json", flags->json, "the figures as JSON");
  cmd->callback([=] { *exit_code = Run(*node, *flags); });
}

}  // namespace rowchain::cli
