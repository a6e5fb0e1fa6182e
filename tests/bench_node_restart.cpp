// How fast the mining loop moves to a new tip (BENCHMARKS.md, "Node"): a node mines on one CPU
// thread on a chain where blocks take ~2^22 hashes, while blocks of a pre-mined branch arrive
// through Node::SubmitBlock (as a peer's would). For each one, the time from the tip change to
// the start of the next template, from the node's own mining statistics.
// Usage: bench_node_restart MYSQL_URI [BLOCKS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "node/node.h"
#include "store/mysql_uri.h"
#include "test_chain.h"

int main(int argc, char** argv) {
  using namespace rowchain;  // NOLINT
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_node_restart MYSQL_URI [BLOCKS]\n");
    return 2;
  }
  auto uri = store::ParseMysqlUri(argv[1]);
  if (!uri.ok()) {
    std::fprintf(stderr, "bench_node_restart: %s\n", uri.status().message().c_str());
    return 2;
  }
  const int blocks = argc > 2 ? std::stoi(argv[2]) : 30;
  spdlog::set_level(spdlog::level::warn);
  consensus::ChainParams params = testing::RegtestParams();
  params.genesis.bits = 0x1e03ffff;
  params.mine_empty_blocks = true;
  testing::TestChain chain(params);
  std::vector<consensus::Block> branch = {chain.genesis()};
  for (int i = 1; i <= blocks; ++i) branch.push_back(chain.Mine(branch.back(), static_cast<uint64_t>(i - 1), {}));

  node::NodeOptions options;
  options.mysql = *uri;
  options.params = params;
  options.miner = mining::MinerOptions{.backend = "cpu", .threads = 1, .cpu_path = "portable", .devices = {}};
  auto started = node::Node::Start(std::move(options));
  if (!started.ok()) {
    std::fprintf(stderr, "bench_node_restart: %s\n", started.status().message().c_str());
    return 1;
  }
  node::Node& n = **started;
  std::vector<double> micros;
  for (int i = 1; i <= blocks; ++i) {
    while (n.mining_stats().templates == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const uint64_t cancelled = n.mining_stats().templates_cancelled;
    const uint64_t templates = n.mining_stats().templates;
    auto accepted = n.SubmitBlock(branch[static_cast<size_t>(i)]);
    if (!accepted.ok()) return 1;
    for (int wait = 0; wait < 2000 && n.mining_stats().templates == templates; ++wait) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    node::MiningStats stats = n.mining_stats();
    if (stats.templates_cancelled > cancelled && stats.templates > templates) {
      micros.push_back(static_cast<double>(stats.last_restart_latency.count()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  n.Stop();
  std::sort(micros.begin(), micros.end());
  if (micros.empty()) return 1;
  std::printf("{\"restarts\": %zu, \"restart_p50_ms\": %.3f, \"restart_max_ms\": %.3f}\n", micros.size(),
              micros[micros.size() / 2] / 1000.0, micros.back() / 1000.0);
  return 0;
}
