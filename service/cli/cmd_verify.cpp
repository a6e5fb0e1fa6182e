// rowchain verify: the offline audit of a node's database (store/auditor.h).
// Exit 0 clean, 1 with a report naming the first bad block or the damaged table and key,
// 2 when the audit cannot run.
#include <unistd.h>

#include <charconv>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "chain/chain_config.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "cli/tip_digest.h"
#include "consensus/block.h"
#include "util/file_io.h"
#include "store/auditor.h"

namespace rowchain::cli {
namespace {

struct VerifyFlags {
  std::string mysql;
  std::string chain;
  std::string expect_tip;  // a height, or a block hash
  std::string digest;      // a file from `rowchain digest`
  std::string digest_key;  // the public key it must be signed with
  uint64_t memory_mb = 512;
  bool json = false;
};

// "1234" is a height; 64 hex digits a block hash (as `rowchain tip` shows it).
StatusOr<store::ExpectedTip> ParseExpectedTip(const std::string& text) {
  store::ExpectedTip expected;
  if (text.empty()) return expected;
  if (text.size() == 64) {
    auto hash = consensus::FromDisplayHex(text);
    if (!hash.ok()) return InvalidArgumentError("--expect-tip: not a block hash: " + hash.status().message());
    expected.hash = *hash;
    return expected;
  }
  uint64_t height = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), height);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgumentError("--expect-tip must be a height or a 64-digit block hash, not '" + text + "'");
  }
  expected.height = height;
  return expected;
}

nlohmann::json ProblemJson(const store::AuditProblem& p) {
  nlohmann::json j = {{"reason", p.reason}, {"detail", p.detail}};
  if (p.height) j["height"] = *p.height;
  if (p.hash) j["hash"] = consensus::ToDisplayHex(*p.hash);
  if (!p.table.empty()) j["table"] = p.table;
  if (!p.key.empty()) j["key"] = p.key;
  return j;
}

std::string ProblemLine(const store::AuditProblem& p) {
  if (!p.table.empty()) return fmt::format("table {}, key {}: {}: {}", p.table, p.key, p.reason, p.detail);
  std::string where = p.height ? fmt::format("block at height {}", *p.height) : "chain";
  if (p.hash) where += " (" + consensus::ToDisplayHex(*p.hash) + ")";
  return fmt::format("{}: {}: {}", where, p.reason, p.detail);
}

// The tip a signed digest says the chain held: its height must be reached and its block kept.
StatusOr<store::ExpectedTip> ExpectedTipOfDigest(const VerifyFlags& flags, const consensus::ChainParams& params) {
  if (flags.digest_key.empty()) return InvalidArgumentError("--digest needs --digest-key (the signer's public key)");
  if (!flags.expect_tip.empty()) return InvalidArgumentError("give --expect-tip or --digest, not both");
  auto pem = ReadFileToString(flags.digest_key, "public key");
  if (!pem.ok()) return pem.status();
  auto key = crypto::PublicKeyFromPem(*pem);
  if (!key.ok()) return InvalidArgumentError(fmt::format("--digest-key {}: {}", flags.digest_key, key.status().message()));
  auto text = ReadFileToString(flags.digest, "digest");
  if (!text.ok()) return text.status();
  auto digest = ReadTipDigest(*text, *key);
  if (!digest.ok()) return InvalidArgumentError(fmt::format("--digest {}: {}", flags.digest, digest.status().message()));
  if (digest->tip.genesis != consensus::MakeGenesisBlock(params).Hash()) {
    return InvalidArgumentError(fmt::format("--digest {}: the digest is of another chain ('{}')", flags.digest,
                                            digest->tip.chain_name));
  }
  return store::ExpectedTip{.height = digest->tip.height, .hash = digest->tip.hash};
}

void ShowProgress(std::string_view phase, uint64_t done, uint64_t total) {
  DrawProgressBar(fmt::format("verifying {:<6}", phase), done, total);
}

int Run(const VerifyFlags& flags) {
  auto uri = store::ParseMysqlUri(flags.mysql);
  if (!uri.ok()) return ReportError(kExitUsage, uri.status().message());
  std::string chain_name = flags.chain;
  if (chain_name.empty()) {
    auto recorded = store::ReadChainName(*uri);
    if (!recorded.ok()) return ReportError(kExitUsage, recorded.status().message());
    if (chain::PresetToml(*recorded).empty()) {
      return ReportError(kExitUsage, fmt::format("the database holds chain '{}', which is not a preset: pass --chain FILE",
                                                 *recorded));
    }
    chain_name = *recorded;
  }
  auto params = chain::LoadChain(chain_name);
  if (!params.ok()) return ReportError(kExitUsage, params.status().message());
  auto expected = flags.digest.empty() ? ParseExpectedTip(flags.expect_tip) : ExpectedTipOfDigest(flags, *params);
  if (!expected.ok()) return ReportError(kExitUsage, expected.status().message());
  store::AuditProgress progress;
  if (!flags.json && StderrIsTerminal()) progress = ShowProgress;
  store::AuditLimits limits{.memory_budget_bytes = flags.memory_mb << 20};
  auto report = store::AuditDatabase(*uri, *params, progress, *expected, limits);
  if (!report.ok()) return ReportError(kExitUsage, report.status().message());

  if (flags.json) {
    nlohmann::json out = {{"clean", report->clean()},
                          {"chain", report->chain_name},
                          {"tip_height", report->tip_height},
                          {"tip_hash", consensus::ToDisplayHex(report->tip_hash)},
                          {"blocks_checked", report->blocks_checked},
                          {"operations_replayed", report->operations_replayed},
                          {"table_rows_checked", report->table_rows_checked},
                          {"tables_compared", report->tables_compared},
                          {"partitions", report->partitions},
                          {"problems", nlohmann::json::array()}};
    for (const auto& p : report->problems) out["problems"].push_back(ProblemJson(p));
    std::printf("%s\n", out.dump().c_str());
  } else if (report->clean()) {
    std::printf("clean: chain %s, %llu blocks to height %llu, %llu row operations replayed, %llu table rows match\n",
                report->chain_name.c_str(), static_cast<unsigned long long>(report->blocks_checked),
                static_cast<unsigned long long>(report->tip_height),
                static_cast<unsigned long long>(report->operations_replayed),
                static_cast<unsigned long long>(report->table_rows_checked));
  } else {
    std::printf("NOT CLEAN: %zu problem(s)\n", report->problems.size());
    for (const auto& p : report->problems) std::printf("  %s\n", ProblemLine(p).c_str());
    if (!report->tables_compared) std::printf("  (tables not compared: the chain itself is damaged)\n");
  }
  return report->clean() ? kExitOk : kExitFailure;
}

}  // namespace

void AddVerifyCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* cmd = app.add_subcommand("verify", "Audit a node's MySQL database against its chain (read-only)");
  cmd->add_option("--mysql", flags->mysql, "mysql://user:password@host:port/database")->required();
  cmd->add_option("--chain", flags->chain, "regtest, dev or a chain file (default: the chain the database records)");
  cmd->add_option("--expect-tip", flags->expect_tip,
                  "a height the main chain must reach, or a block hash it must hold (from another node's tip)");
  cmd->add_option("--digest", flags->digest, "a signed tip digest from `rowchain digest`: its block must be kept");
  cmd->add_option("--digest-key", flags->digest_key, "the Ed25519 public key (PEM) the digest must be signed with");
  cmd->add_option("--memory", flags->memory_mb,
                  "MiB the replayed ledger may take; a larger ledger is checked in partitions spilled to $TMPDIR")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{16}, uint64_t{1} << 20));
  cmd->add_flag("--json", flags->json, "machine-readable output");
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
}

}  // namespace rowchain::cli
