// rowchain mine-header: scan a nonce range of one exact header against its own bits.
#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "consensus/compact.h"
#include "consensus/pow.h"
#include "cli/miner_flags.h"

namespace rowchain::cli {
namespace {

struct MineHeaderArgs {
  std::string header_hex;
  uint64_t start = 0;
  uint64_t count = 0;
  bool json = false;
  mining::MinerOptions miner;
};

int Run(const MineHeaderArgs& args) {
  StatusOr<consensus::BlockHeader> header = consensus::ParseBlockHeaderHex(args.header_hex);
  if (!header.ok()) return ReportError(kExitUsage, header.status().message());
  if (args.start >= mining::kNonceSpace) {
    return ReportError(kExitUsage, fmt::format("--start {} is not a 32-bit nonce", args.start));
  }
  if (args.count == 0 || args.count > mining::kNonceSpace - args.start) {
    return ReportError(kExitUsage, fmt::format("--count {} from --start {} leaves the 32-bit nonce space",
                                               args.count, args.start));
  }
  consensus::U256 target;
  if (consensus::Verdict v = consensus::DecodeTarget(header->bits, consensus::MaxTarget(), &target); !v.ok()) {
    return ReportError(kExitUsage, fmt::format("header bits: {} ({})", v.detail(), v.reason()));
  }
  StatusOr<mining::MinerChoice> choice = mining::CreateMiner(args.miner);
  if (!choice.ok()) return ReportError(kExitUsage, choice.status().message());
  spdlog::info("{}: {}", choice->miner->Describe(), choice->reason);

  mining::SearchRequest request{*header, target, static_cast<uint32_t>(args.start), args.count};
  StatusOr<mining::SearchResult> result = choice->miner->Search(request, std::stop_token{});
  if (!result.ok()) return ReportError(kExitFailure, result.status().message());

  nlohmann::json out = {{"found", result->nonce.has_value()},
                        {"hashes", result->hashes},
                        {"backend", choice->miner->Describe()}};
  if (result->nonce) {
    out["nonce"] = *result->nonce;
    out["hash"] = consensus::ToDisplayHex(result->hash);
  }
  if (args.json) {
    std::printf("%s\n", out.dump().c_str());
  } else if (result->nonce) {
    std::printf("found nonce %u, block hash %s (%llu hashes)\n", *result->nonce,
                consensus::ToDisplayHex(result->hash).c_str(),
                static_cast<unsigned long long>(result->hashes));
  } else {
    std::printf("no nonce in [%llu, %llu) meets the target (%llu hashes)\n",
                static_cast<unsigned long long>(args.start),
                static_cast<unsigned long long>(args.start + args.count),
                static_cast<unsigned long long>(result->hashes));
  }
  return kExitOk;
}

}  // namespace

void AddMineHeaderCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<MineHeaderArgs>();
  CLI::App* cmd = app.add_subcommand("mine-header", "Scan nonces [start, start+count) of an 80-byte header against its own bits");
  cmd->add_option("--header", args->header_hex, "the header as 160 hex digits")->required();
  cmd->add_option("--start", args->start, "first nonce")->required();
  cmd->add_option("--count", args->count, "number of nonces")->required();
  cmd->add_flag("--json", args->json, "machine-readable output");
  AddMinerFlags(cmd, &args->miner);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace rowchain::cli
