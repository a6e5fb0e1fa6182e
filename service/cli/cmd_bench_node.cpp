// rowchain bench-node: writers' rows through a running node (SubmitBatch, the pending pool, the
// mining loop, the commit into MySQL) against plain multi-row INSERTs of the same rows by the
// same number of writers through the same client library (BENCHMARKS.md, "Node").
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "chain/chain_config.h"
#include "cli/commands.h"
#include "cli/node_client.h"
#include "cli/percentile.h"
#include "store/ledger_sql.h"
#include "store/mysql_connection.h"
#include "store/mysql_uri.h"

namespace rowchain::cli {

namespace {

namespace pb = ::rowchain::v1;
using Clock = std::chrono::steady_clock;

struct BenchNodeFlags {
  std::string plain_mysql;
  unsigned writers = 16;
  unsigned batch_rows = 100;
  uint64_t rows = 100'000;
  int64_t first_id = 0;
  bool json = false;
  bool plain_only = false;
};

// The benchmark's rows: users numbered from `first_id`.
struct UserRow {
  int64_t id = 0;
  std::string name;
  int64_t age = 0;
};

UserRow UserRowAt(int64_t first_id, uint64_t index) {
  const int64_t id = first_id + static_cast<int64_t>(index);
  return UserRow{.id = id, .name = fmt::format("user {}", id), .age = id % 100};
}

struct NodeFigures {
  double rows_per_s = 0;
  double acknowledged_rows_per_s = 0;  // SubmitBatch replies only (stored in the pending pool)
  std::vector<double> latencies_ms;
};

StatusOr<NodeFigures> TimeNode(const NodeFlags& node, const BenchNodeFlags& flags, int64_t first_id) {
  auto client = NodeClient::Connect(node);
  if (!client.ok()) return client.status();
  const uint64_t batches = flags.rows / flags.batch_rows;

  std::mutex mutex;
  std::condition_variable all_sealed;
  std::map<std::string, Clock::time_point> submitted_at;
  std::map<std::string, Clock::time_point> sealed_at;
  Clock::time_point last_sealed;

  // One watcher sees every block's batch ids.
  auto watch_context = client->Context(0);
  pb::WatchBlocksRequest watch_request;
  watch_request.set_without_rows(true);
  auto watcher = client->stub().WatchBlocks(watch_context.get(), watch_request);
  std::thread watch_thread([&] {
    pb::BlockEvent event;
    while (watcher->Read(&event)) {
      if (event.kind() != pb::BlockEvent::KIND_CONNECTED) continue;
      auto now = Clock::now();
      std::lock_guard lock(mutex);
      for (const std::string& id : event.batch_ids()) sealed_at.emplace(id, now);
      last_sealed = now;
      all_sealed.notify_all();
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the stream is open

  // The requests are built before the clock starts, as the plain INSERTs' values are: the
  // figures compare the node with the server, not the ways of building a request.
  std::vector<pb::SubmitBatchRequest> requests(batches);
  for (uint64_t b = 0; b < batches; ++b) {
    requests[b].set_table("users");
    for (uint64_t i = 0; i < flags.batch_rows; ++i) {
      const UserRow user = UserRowAt(first_id, b * flags.batch_rows + i);
      pb::Row* row = requests[b].add_rows();
      (*row->mutable_columns())["id"].set_int_value(user.id);
      (*row->mutable_columns())["name"].set_text_value(user.name);
      (*row->mutable_columns())["age"].set_int_value(user.age);
    }
  }
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::string failure;
  const auto start = Clock::now();
  std::vector<std::thread> writers;
  for (unsigned w = 0; w < flags.writers; ++w) {
    writers.emplace_back([&] {
      for (uint64_t b = next++; b < batches && !failed; b = next++) {
        const pb::SubmitBatchRequest& request = requests[b];
        pb::SubmitBatchResponse response;
        auto context = client->Context();
        auto sent = Clock::now();
        grpc::Status s = client->stub().SubmitBatch(context.get(), request, &response);
        std::lock_guard lock(mutex);
        if (!s.ok()) {
          failed = true;
          failure = s.error_message();
          return;
        }
        submitted_at.emplace(response.batch_id(), sent);
      }
    });
  }
  for (auto& t : writers) t.join();
  const auto all_acknowledged = Clock::now();
  if (failed) {
    watch_context->TryCancel();
    watch_thread.join();
    return UnavailableError("SubmitBatch failed: " + failure);
  }
  {
    // A rejected batch is never sealed: once the node has had nothing pending for two checks in a
    // row while some batches are still unsealed, those were rejected (the node's log says why).
    auto unsealed = [&] {
      return std::count_if(submitted_at.begin(), submitted_at.end(),
                           [&](const auto& entry) { return !sealed_at.contains(entry.first); });
    };
    const auto give_up = Clock::now() + std::chrono::minutes(10);
    int idle_checks = 0;
    std::unique_lock lock(mutex);
    while (!all_sealed.wait_for(lock, std::chrono::seconds(1), [&] { return unsealed() == 0; })) {
      lock.unlock();
      pb::ChainInfo info;
      grpc::Status s = client->stub().GetChainInfo(client->Context().get(), {}, &info);
      idle_checks = s.ok() && info.pending_batches() == 0 ? idle_checks + 1 : 0;
      lock.lock();
      if (idle_checks < 2 && Clock::now() < give_up) continue;
      const auto missing = unsealed();
      if (missing == 0) break;
      watch_context->TryCancel();
      lock.unlock();
      watch_thread.join();
      if (idle_checks >= 2) {
        return FailedPreconditionError(fmt::format("{} of {} batches were never sealed: the node rejected them (see its log)",
                                        missing, batches));
      }
      return DeadlineExceededError("batches not sealed within 10 minutes");
    }
  }
  watch_context->TryCancel();
  watch_thread.join();
  NodeFigures figures;
  figures.rows_per_s = static_cast<double>(batches * flags.batch_rows) /
                       std::chrono::duration<double>(last_sealed - start).count();
  figures.acknowledged_rows_per_s = static_cast<double>(batches * flags.batch_rows) /
                                    std::chrono::duration<double>(all_acknowledged - start).count();
  for (const auto& [id, t] : submitted_at) {
    figures.latencies_ms.push_back(std::chrono::duration<double, std::milli>(sealed_at[id] - t).count());
  }
  return figures;
}

StatusOr<double> TimePlain(const BenchNodeFlags& flags, const consensus::TableSchema& users, int64_t first_id) {
  auto uri = store::ParseMysqlUri(flags.plain_mysql);
  if (!uri.ok()) return uri.status();
  {
    auto admin = store::MysqlConnection::Connect(*uri, {.create_database = true});
    if (!admin.ok()) return admin.status();
    ROWCHAIN_RETURN_IF_ERROR((*admin)->Execute(store::DropTableSql(users)));
    ROWCHAIN_RETURN_IF_ERROR((*admin)->Execute(store::CreateTableSql(users)));
  }
  const uint64_t batches = flags.rows / flags.batch_rows;
  std::vector<std::unique_ptr<store::MysqlConnection>> connections;
  for (unsigned w = 0; w < flags.writers; ++w) {
    auto db = store::MysqlConnection::Connect(*uri);
    if (!db.ok()) return db.status();
    connections.push_back(std::move(*db));
  }
  const std::string sql = store::InsertRowsSql(users, flags.batch_rows);
  std::vector<std::vector<consensus::Value>> statements(batches);
  for (uint64_t b = 0; b < batches; ++b) {
    for (uint64_t i = 0; i < flags.batch_rows; ++i) {
      UserRow user = UserRowAt(first_id, b * flags.batch_rows + i);
      statements[b].push_back(consensus::Value::Int(user.id));
      statements[b].push_back(consensus::Value::Text(std::move(user.name)));
      statements[b].push_back(consensus::Value::Int(user.age));
    }
  }
  std::atomic<uint64_t> next{0};
  std::mutex mutex;
  Status failure;
  const auto start = Clock::now();
  std::vector<std::thread> writers;
  for (unsigned w = 0; w < flags.writers; ++w) {
    writers.emplace_back([&, w] {
      for (uint64_t b = next++; b < batches; b = next++) {
        auto inserted = connections[w]->Update(sql, statements[b]);  // autocommit: durable on return
        if (!inserted.ok()) {
          std::lock_guard lock(mutex);
          failure = inserted.status();
          return;
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  if (!failure.ok()) return failure;
  return static_cast<double>(batches * flags.batch_rows) / std::chrono::duration<double>(Clock::now() - start).count();
}

int Run(const NodeFlags& node, const BenchNodeFlags& flags) {
  if (flags.writers == 0 || flags.batch_rows == 0 || flags.rows < flags.batch_rows) {
    return ReportError(kExitUsage, "bench-node: need writers >= 1, batch-rows >= 1 and rows >= batch-rows");
  }
  auto params = chain::LoadChain("regtest");
  if (!params.ok()) return ReportError(kExitFailure, params.status().message());
  // From the clock in milliseconds, so that two runs (even within one second) never collide.
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
  const int64_t first_id = flags.first_id != 0 ? flags.first_id : now_ms * 1'000'000;
  if (flags.plain_only) {
    if (flags.plain_mysql.empty()) return ReportError(kExitUsage, "bench-node: --plain-only needs --plain-mysql");
    auto timed = TimePlain(flags, *params->schema.FindTable("users"), first_id);
    if (!timed.ok()) return ReportError(kExitFailure, "bench-node: plain INSERTs: " + timed.status().message());
    std::printf("%s\n", nlohmann::json{{"writers", flags.writers}, {"batch_rows", flags.batch_rows}, {"rows", flags.rows},
                                       {"plain_rows_per_s", *timed}}.dump().c_str());
    return kExitOk;
  }
  auto figures = TimeNode(node, flags, first_id);
  if (!figures.ok()) return ReportError(kExitFailure, "bench-node: " + figures.status().message());
  std::optional<double> plain;
  if (!flags.plain_mysql.empty()) {
    auto timed = TimePlain(flags, *params->schema.FindTable("users"), first_id);
    if (!timed.ok()) return ReportError(kExitFailure, "bench-node: plain INSERTs: " + timed.status().message());
    plain = *timed;
  }
  double p50 = Percentile(figures->latencies_ms, 0.50), p99 = Percentile(figures->latencies_ms, 0.99);
  if (flags.json) {
    nlohmann::json out{{"writers", flags.writers}, {"batch_rows", flags.batch_rows}, {"rows", flags.rows},
                       {"node_rows_per_s", figures->rows_per_s},
                       {"acknowledged_rows_per_s", figures->acknowledged_rows_per_s}, {"latency_p50_ms", p50},
                       {"latency_p99_ms", p99}};
    if (plain) {
      out["plain_rows_per_s"] = *plain;
      out["ratio"] = figures->rows_per_s / *plain;
    }
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("%u writers x %u-row batches, %llu rows: node %.0f rows/s submit-to-committed", flags.writers,
                flags.batch_rows, static_cast<unsigned long long>(flags.rows), figures->rows_per_s);
    if (plain) std::printf(", plain INSERT %.0f rows/s, ratio %.2f", *plain, figures->rows_per_s / *plain);
    std::printf("; submit-to-sealed p50 %.1f ms, p99 %.1f ms\n", p50, p99);
  }
  return kExitOk;
}

}  // namespace

void AddBenchNodeCommand(CLI::App& app, const NodeFlags* node, int* exit_code) {
  auto flags = std::make_shared<BenchNodeFlags>();
  CLI::App* cmd = app.add_subcommand("bench-node", "Rows through a running node vs plain multi-row INSERTs");
  cmd->add_option("--plain-mysql", flags->plain_mysql, "database for the plain-INSERT baseline (its users table is replaced)");
  cmd->add_option("--writers", flags->writers, "concurrent writers (default 16)");
  cmd->add_option("--batch-rows", flags->batch_rows, "rows per batch (default 100)");
  cmd->add_option("--rows", flags->rows, "rows in all (default 100000)");
  cmd->add_option("--first-id", flags->first_id, "first users.id (default: from the clock, so runs do not collide)");
  cmd->add_flag("--json", flags->json, "the figures as JSON");
  cmd->add_flag("--plain-only", flags->plain_only, "only the plain-INSERT baseline (no node needed)");
  cmd->callback([=] { *exit_code = Run(*node, *flags); });
}

}  // namespace rowchain::cli
