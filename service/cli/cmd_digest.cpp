// rowchain digest: signs the tip a node's database holds now (cli/tip_digest.h), for an auditor
// to keep apart from the node and give to `rowchain verify --digest` later.
#include <cstdio>
#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/tip_digest.h"
#include "store/auditor.h"
#include "util/file_io.h"

namespace rowchain::cli {
namespace {

struct DigestFlags {
  std::string mysql;
  std::string key;
  std::string out;
};

int Run(const DigestFlags& flags) {
  auto uri = store::ParseMysqlUri(flags.mysql);
  if (!uri.ok()) return ReportError(kExitUsage, uri.status().message());
  auto pem = ReadFileToString(flags.key, "signing key");
  if (!pem.ok()) return ReportError(kExitUsage, pem.status().message());
  auto key = crypto::SigningKey::FromPem(*pem);
  if (!key.ok()) return ReportError(kExitUsage, fmt::format("--key {}: {}", flags.key, key.status().message()));
  auto tip = store::ReadStoredTip(*uri);
  if (!tip.ok()) return ReportError(kExitFailure, tip.status().message());
  TipDigest digest{.tip = *tip, .created = static_cast<int64_t>(std::time(nullptr))};
  auto text = WriteTipDigest(digest, *key);
  if (!text.ok()) return ReportError(kExitFailure, text.status().message());
  if (flags.out.empty()) {
    std::fputs(text->c_str(), stdout);
    return kExitOk;
  }
  std::ofstream out(flags.out, std::ios::trunc);
  out << *text;
  out.close();
  if (!out) return ReportError(kExitFailure, fmt::format("cannot write {}", flags.out));
  std::printf("signed the tip at height %llu (%s) into %s\n", static_cast<unsigned long long>(digest.tip.height),
              consensus::ToDisplayHex(digest.tip.hash).c_str(), flags.out.c_str());
  return kExitOk;
}

}  // namespace

void AddDigestCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<DigestFlags>();
  CLI::App* cmd = app.add_subcommand(
      "digest", "Sign the tip a node's database holds, for `verify --digest` later (keep it away from the node)");
  cmd->add_option("--mysql", flags->mysql, "mysql://user:password@host:port/database")->required();
  cmd->add_option("--key", flags->key, "Ed25519 private key, PEM (openssl genpkey -algorithm ed25519)")->required();
  cmd->add_option("--out", flags->out, "write the digest here (default: standard output)");
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
}

}  // namespace rowchain::cli
