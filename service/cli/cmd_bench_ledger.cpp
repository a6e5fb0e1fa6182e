// rowchain bench-ledger: what connecting blocks costs against plain multi-row INSERTs of the
// same rows into the same server through the same client library, and how fast `verify` runs.
// Each round interleaves the two block by block so that a noisy machine hurts both alike;
// medians over rounds are reported (the ratio is the median of the rounds' ratios). Each round
// uses fresh databases named after the URI's (…_bench_chain, …_bench_plain).
#include <algorithm>
#include <chrono>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "chain/chain_config.h"
#include "cli/commands.h"
#include "mining/block_assembly.h"
#include "store/auditor.h"
#include "store/chain_store.h"
#include "store/ledger_sql.h"

namespace rowchain::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchLedgerFlags {
  std::string mysql;
  std::vector<unsigned> rows_per_block = {100, 1000};
  unsigned total_rows = 20000;
  unsigned rounds = 3;
  unsigned verify_rows = 0;
  bool keep = false;  // leave the verified chain's database for `rowchain verify` by hand
  bool json = false;
};

consensus::Leaf UserInsert(const consensus::BatchId& batch, uint32_t index, int64_t id) {
  return consensus::EncodeRowOperationLeaf(
      {.batch_id = batch, .row_index = index, .op = consensus::RowOpKind::kInsert, .table = "users",
       .values = {consensus::Value::Int(id), consensus::Value::Text(fmt::format("user-{:08d}", id)),
                  consensus::Value::Int(20 + id % 60)}});
}

consensus::BatchId BatchNumber(uint64_t n) {
  consensus::BatchId id{};
  for (int i = 0; i < 8; ++i) id[i] = static_cast<uint8_t>(n >> (8 * i));
  id[15] = 0xbe;
  return id;
}

Status DropDatabase(const store::MysqlUri& uri) {
  store::MysqlUri server = uri;
  auto db = store::MysqlConnection::Connect(server, {.create_database = true});
  if (!db.ok()) return db.status();
  return (*db)->Execute(store::DropDatabaseSql(uri.database));
}

// Mined regtest blocks of `per_block` INSERT rows, built before any timing starts.
StatusOr<std::vector<consensus::Block>> BuildBlocks(const consensus::ChainParams& params, mining::Miner& miner,
                                                    unsigned per_block, unsigned total_rows) {
  std::vector<consensus::Block> blocks;
  consensus::Hash256 prev = consensus::MakeGenesisBlock(params).Hash();
  uint32_t time = params.genesis.time;
  int64_t next_id = 1;
  for (uint64_t height = 1; next_id <= total_rows; ++height) {
    mining::BlockSpec spec{.prev_hash = prev, .height = height, .bits = params.genesis.bits, .time = ++time,
                           .miner_id = "bench", .rows = {}, .first_extra_nonce = 0};
    // One batch per 100 rows, as writers would send them (a smaller block: one batch).
    const int64_t batch_rows = std::min<int64_t>(100, per_block);
    for (unsigned i = 0; i < per_block && next_id <= total_rows; ++i, ++next_id) {
      spec.rows.push_back(UserInsert(BatchNumber(static_cast<uint64_t>((next_id - 1) / batch_rows)),
                                     static_cast<uint32_t>((next_id - 1) % batch_rows), next_id));
    }
    auto block = mining::MineBlock(miner, spec, params.PowLimit(), {});
    if (!block.ok()) return block.status();
    prev = (*block)->Hash();
    blocks.push_back(std::move(**block));
  }
  return blocks;
}

struct RoundRates {
  double chain_rows_per_s = 0;
  double plain_rows_per_s = 0;
};

// A block as a peer's block is accepted: fully validated, stored and connected.
Status AcceptAsPeer(store::ChainStore& store, const consensus::Block& block) {
  auto accepted = store.AcceptBlock(block, block.header.time);
  if (!accepted.ok()) return accepted.status();
  if (!accepted->verdict.ok()) return InternalError(std::string(accepted->verdict.reason()));
  return OkStatus();
}

// Each block's rows as the plain INSERT's values, decoded once, before any clock starts.
StatusOr<std::vector<std::vector<consensus::Value>>> PlainValues(const std::vector<consensus::Block>& blocks) {
  std::vector<std::vector<consensus::Value>> per_block;
  for (const consensus::Block& block : blocks) {
    auto body = consensus::DecodeBody(block.leaves);
    if (!body.ok()) return body.status();
    std::vector<consensus::Value> values;
    for (const auto& row : body->rows) values.insert(values.end(), row.values.begin(), row.values.end());
    per_block.push_back(std::move(values));
  }
  return per_block;
}

// One round: block by block, the plain INSERT of a block's rows and then the connect of the
// block, each timed on its own. Interleaving them block by block means a noisy neighbour or
// the server's background flushing slows both sides alike, which a round of one and then a
// round of the other does not.
StatusOr<RoundRates> TimeRound(const store::MysqlUri& chain_uri, const store::MysqlUri& plain_uri,
                               const consensus::ChainParams& params, const std::vector<consensus::Block>& blocks,
                               const std::vector<std::vector<consensus::Value>>& plain_values, uint64_t rows) {
  ROWCHAIN_RETURN_IF_ERROR(DropDatabase(chain_uri));
  ROWCHAIN_RETURN_IF_ERROR(DropDatabase(plain_uri));
  auto store = store::ChainStore::Open(chain_uri, params);
  if (!store.ok()) return store.status();
  auto db = store::MysqlConnection::Connect(plain_uri, {.create_database = true});
  if (!db.ok()) return db.status();
  const consensus::TableSchema& users = params.schema.tables[0];
  ROWCHAIN_RETURN_IF_ERROR((*db)->Execute(store::CreateTableSql(users)));
  Clock::duration chain_time{}, plain_time{};
  for (size_t i = 0; i < blocks.size(); ++i) {
    // One autocommitted multi-row INSERT per block: the plainest way to write the same rows.
    const auto& values = plain_values[i];
    auto start = Clock::now();
    auto inserted = (*db)->Update(store::InsertRowsSql(users, values.size() / users.columns.size()), values);
    auto middle = Clock::now();
    if (!inserted.ok()) return inserted.status();
    Status accepted = AcceptAsPeer(**store, blocks[i]);
    auto end = Clock::now();
    if (!accepted.ok()) return accepted;
    plain_time += middle - start;
    chain_time += end - middle;
  }
  auto rate = [rows](Clock::duration d) { return rows / std::chrono::duration<double>(d).count(); };
  return RoundRates{.chain_rows_per_s = rate(chain_time), .plain_rows_per_s = rate(plain_time)};
}

// The chain alone (the verify benchmark's data).
Status LoadChain(const store::MysqlUri& uri, const consensus::ChainParams& params,
                 const std::vector<consensus::Block>& blocks) {
  ROWCHAIN_RETURN_IF_ERROR(DropDatabase(uri));
  auto store = store::ChainStore::Open(uri, params);
  if (!store.ok()) return store.status();
  for (const consensus::Block& block : blocks) ROWCHAIN_RETURN_IF_ERROR(AcceptAsPeer(**store, block));
  return OkStatus();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int Run(const BenchLedgerFlags& flags) {
  auto uri = store::ParseMysqlUri(flags.mysql);
  if (!uri.ok()) return ReportError(kExitUsage, uri.status().message());
  auto params = chain::LoadChain("regtest");
  if (!params.ok()) return ReportError(kExitFailure, params.status().message());
  auto miner = mining::CreateMiner({.backend = "cpu", .threads = 1, .cpu_path = std::nullopt, .devices = {}});
  if (!miner.ok()) return ReportError(kExitFailure, miner.status().message());
  spdlog::set_level(spdlog::level::warn);  // one log line per block would swamp the figures
  store::MysqlUri chain_uri = *uri, plain_uri = *uri;
  chain_uri.database += "_bench_chain";
  plain_uri.database += "_bench_plain";
  nlohmann::json out = {{"connect", nlohmann::json::array()}};

  for (unsigned per_block : flags.rows_per_block) {
    auto blocks = BuildBlocks(*params, *miner->miner, per_block, flags.total_rows);
    if (!blocks.ok()) return ReportError(kExitFailure, blocks.status().message());
    auto plain_values = PlainValues(*blocks);
    if (!plain_values.ok()) return ReportError(kExitFailure, plain_values.status().message());
    std::vector<double> chain_rates, plain_rates, ratios;
    for (unsigned r = 0; r < flags.rounds; ++r) {
      auto round = TimeRound(chain_uri, plain_uri, *params, *blocks, *plain_values, flags.total_rows);
      if (!round.ok()) return ReportError(kExitFailure, round.status().message());
      chain_rates.push_back(round->chain_rows_per_s);
      plain_rates.push_back(round->plain_rows_per_s);
      ratios.push_back(round->chain_rows_per_s / round->plain_rows_per_s);
    }
    double chain_rate = Median(chain_rates), plain_rate = Median(plain_rates), ratio = Median(ratios);
    out["connect"].push_back({{"rows_per_block", per_block}, {"rows", flags.total_rows}, {"rounds", flags.rounds},
                              {"chain_rows_per_s", chain_rate}, {"plain_rows_per_s", plain_rate},
                              {"ratio", ratio}});
    if (!flags.json) {
      std::printf("%5u rows/block: connect %9.0f rows/s, plain INSERT %9.0f rows/s, ratio %.2f (medians of %u)\n",
                  per_block, chain_rate, plain_rate, ratio, flags.rounds);
    }
  }
  if (flags.verify_rows > 0) {
    auto blocks = BuildBlocks(*params, *miner->miner, 1000, flags.verify_rows);
    if (!blocks.ok()) return ReportError(kExitFailure, blocks.status().message());
    if (Status loaded = LoadChain(chain_uri, *params, *blocks); !loaded.ok()) {
      return ReportError(kExitFailure, loaded.message());
    }
    std::vector<double> seconds;
    for (unsigned r = 0; r < flags.rounds; ++r) {
      auto start = Clock::now();
      auto report = store::AuditDatabase(chain_uri, *params);
      if (!report.ok()) return ReportError(kExitFailure, report.status().message());
      if (!report->clean()) return ReportError(kExitFailure, "verify found problems in the bench chain");
      seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
    double s = Median(seconds);
    out["verify"] = {{"rows", flags.verify_rows}, {"seconds", s}, {"rows_per_s", flags.verify_rows / s}};
    if (!flags.json) {
      std::printf("verify %u rows: %.2f s, %.0f rows/s (median of %u)\n", flags.verify_rows, s, flags.verify_rows / s,
                  flags.rounds);
    }
  }
  if (flags.keep) {
    std::fprintf(stderr, "kept the chain's database: %s\n", chain_uri.database.c_str());
  } else {
    (void)DropDatabase(chain_uri);
  }
  (void)DropDatabase(plain_uri);
  if (flags.json) std::printf("%s\n", out.dump().c_str());
  return kExitOk;
}

}  // namespace

void AddBenchLedgerCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<BenchLedgerFlags>();
  CLI::App* cmd = app.add_subcommand("bench-ledger", "Connecting blocks vs plain multi-row INSERTs, and verify speed");
  cmd->add_option("--mysql", flags->mysql, "mysql://… of a server to benchmark on (databases are created)")->required();
  cmd->add_option("--rows-per-block", flags->rows_per_block, "block sizes to measure")->expected(1, 8);
  cmd->add_option("--rows", flags->total_rows, "rows per measurement")->check(CLI::Range(1u, 10'000'000u));
  cmd->add_option("--rounds", flags->rounds, "alternating rounds; medians are reported")->check(CLI::Range(1u, 99u));
  cmd->add_option("--verify-rows", flags->verify_rows, "also time verify over a chain of this many rows");
  cmd->add_flag("--keep", flags->keep, "keep the database verify was timed on (its name goes to stderr)");
  cmd->add_flag("--json", flags->json, "machine-readable output");
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
}

}  // namespace rowchain::cli
