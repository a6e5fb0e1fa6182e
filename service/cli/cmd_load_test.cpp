// rowchain load-test: many concurrent writers against one node for a while, with watchers
// attached, then the proof that the node kept its word (docs/testing.md): every acknowledged
// batch sealed exactly once, every refusal RESOURCE_EXHAUSTED with nothing stored. The node is
// expected to run with a small --max-pending-rows, so the writers meet the bound.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/node_client.h"
#include "cli/percentile.h"
#include "store/mysql_connection.h"
#include "store/mysql_uri.h"

namespace rowchain::cli {

namespace {

namespace pb = ::rowchain::v1;
using Clock = std::chrono::steady_clock;

struct LoadFlags {
  std::string mysql;  // the node's database, to check what was stored
  unsigned writers = 1000;
  unsigned watchers = 10;
  unsigned seconds = 60;
  unsigned batch_rows = 5;
  bool json = false;
};

// What the writers saw: the first id of each batch, by outcome.
struct Outcomes {
  std::mutex mutex;
  std::vector<int64_t> acknowledged, refused;
  uint64_t other_errors = 0;
  std::string first_other_error;
  std::vector<double> latencies_ms;
};

pb::SubmitBatchRequest BatchFrom(int64_t first, unsigned rows) {
  pb::SubmitBatchRequest request;
  request.set_table("users");
  for (int64_t id = first; id < first + rows; ++id) {
    pb::Row* row = request.add_rows();
    (*row->mutable_columns())["id"].set_int_value(id);
    (*row->mutable_columns())["name"].set_text_value("load");
    (*row->mutable_columns())["age"].set_int_value(id % 100);
  }
  return request;
}

void Write(NodeClient& client, const LoadFlags& flags, int64_t first_id, Clock::time_point until, Outcomes& out) {
  for (int64_t first = first_id; Clock::now() < until; first += flags.batch_rows) {
    pb::SubmitBatchResponse response;
    auto context = client.Context(30);
    const auto sent = Clock::now();
    const grpc::Status s = client.stub().SubmitBatch(context.get(), BatchFrom(first, flags.batch_rows), &response);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
    std::lock_guard lock(out.mutex);
    out.latencies_ms.push_back(ms);
    if (s.ok()) {
      out.acknowledged.push_back(first);
    } else if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      out.refused.push_back(first);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a writer that backs off, as docs/api.md asks
    } else if (out.other_errors++ == 0) {
      out.first_other_error = fmt::format("{}: {}", static_cast<int>(s.error_code()), s.error_message());
    }
  }
}

// Drains a WatchBlocks stream until `stop`.
void Watch(NodeClient& client, const std::atomic<bool>& stop, std::atomic<uint64_t>& events) {
  auto context = client.Context(0);
  auto reader = client.stub().WatchBlocks(context.get(), pb::WatchBlocksRequest());
  std::thread canceller([&] {
    while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    context->TryCancel();
  });
  pb::BlockEvent event;
  while (reader->Read(&event)) ++events;
  (void)reader->Finish();
  canceller.join();
}

// Rows of `firsts`' batches found in the users table.
StatusOr<uint64_t> RowsStored(store::MysqlConnection& db, const std::vector<int64_t>& firsts, unsigned batch_rows) {
  uint64_t found = 0;
  constexpr size_t kChunk = 1000;
  for (size_t i = 0; i < firsts.size(); i += kChunk) {
    std::string in;
    for (size_t j = i; j < std::min(firsts.size(), i + kChunk); ++j) {
      for (unsigned r = 0; r < batch_rows; ++r) in += fmt::format("{}{}", in.empty() ? "" : ",", firsts[j] + r);
    }
    auto rows = db.Query("SELECT COUNT(*) FROM users WHERE id IN (" + in + ")");
    if (!rows.ok()) return rows.status();
    found += static_cast<uint64_t>((*rows)[0][0].as_int());
  }
  return found;
}

bool WaitUntilNothingPending(NodeClient& client, std::chrono::seconds timeout) {
  const auto until = Clock::now() + timeout;
  while (Clock::now() < until) {
    pb::ChainInfo info;
    if (client.stub().GetChainInfo(client.Context(10).get(), {}, &info).ok() && info.pending_batches() == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int Run(const NodeFlags& node, const LoadFlags& flags) {
  auto uri = store::ParseMysqlUri(flags.mysql);
  if (!uri.ok()) return ReportError(kExitUsage, "load-test: " + uri.status().message());
  auto client = NodeClient::Connect(node);
  if (!client.ok()) return ReportError(kExitUsage, "load-test: " + client.status().message());
  const int64_t base = static_cast<int64_t>(std::time(nullptr)) * 1'000'000'000;  // runs do not collide
  const auto until = Clock::now() + std::chrono::seconds(flags.seconds);
  Outcomes outcomes;
  std::atomic<bool> stop_watching{false};
  std::atomic<uint64_t> watch_events{0};
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < flags.watchers; ++w) threads.emplace_back([&] { Watch(*client, stop_watching, watch_events); });
  std::vector<std::thread> writers;
  for (unsigned w = 0; w < flags.writers; ++w) {
    writers.emplace_back([&, w] { Write(*client, flags, base + int64_t{w} * 100'000'000, until, outcomes); });
  }
  for (auto& t : writers) t.join();
  const bool drained = WaitUntilNothingPending(*client, std::chrono::seconds(120));
  stop_watching = true;
  for (auto& t : threads) t.join();

  auto db = store::MysqlConnection::Connect(*uri);
  if (!db.ok()) return ReportError(kExitUsage, "load-test: " + db.status().message());
  auto sealed = RowsStored(**db, outcomes.acknowledged, flags.batch_rows);
  auto leaked = RowsStored(**db, outcomes.refused, flags.batch_rows);
  if (!sealed.ok() || !leaked.ok()) return ReportError(kExitFailure, "load-test: cannot read the users table");
  const uint64_t expected = outcomes.acknowledged.size() * flags.batch_rows;
  const bool kept = drained && *sealed == expected && *leaked == 0 && outcomes.other_errors == 0;
  nlohmann::json out = {{"writers", flags.writers},
                        {"watchers", flags.watchers},
                        {"seconds", flags.seconds},
                        {"acknowledged_batches", outcomes.acknowledged.size()},
                        {"refused_resource_exhausted", outcomes.refused.size()},
                        {"other_errors", outcomes.other_errors},
                        {"acknowledged_rows_sealed", *sealed},
                        {"acknowledged_rows", expected},
                        {"refused_rows_stored", *leaked},
                        {"pool_drained", drained},
                        {"watch_events", watch_events.load()},
                        {"submit_p50_ms", Percentile(outcomes.latencies_ms, 0.5)},
                        {"submit_p99_ms", Percentile(outcomes.latencies_ms, 0.99)},
                        {"kept_its_word", kept}};
  if (!outcomes.first_other_error.empty()) out["first_other_error"] = outcomes.first_other_error;
  std::printf("%s\n", flags.json ? out.dump().c_str() : out.dump(2).c_str());
  return kept ? kExitOk : kExitFailure;
}

}  // namespace

void AddLoadTestCommand(CLI::App& app, const NodeFlags* node, int* exit_code) {
  auto flags = std::make_shared<LoadFlags>();
  CLI::App* cmd = app.add_subcommand("load-test", "Many writers and watchers against a node, then check what it stored");
  cmd->add_option("--mysql", flags->mysql, "the node's database (to check what was stored)")->required();
  cmd->add_option("--writers", flags->writers, "concurrent writers (default 1000)");
  cmd->add_option("--watchers", flags->watchers, "WatchBlocks streams attached meanwhile (default 10)");
  cmd->add_option("--seconds", flags->seconds, "how long the writers write (default 60)");
  cmd->add_option("--batch-rows", flags->batch_rows, "rows per batch (default 5)");
  cmd->add_flag("--json", flags->json, "one line of JSON");
  cmd->callback([=] { *exit_code = Run(*node, *flags); });
}

}  // namespace rowchain::cli
