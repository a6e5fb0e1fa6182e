// rowchain backends: which mining backends this binary has and which can run here.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "crypto/nonce_scan.h"
#include "mining/backends.h"

namespace rowchain::cli {
namespace {

int Run(bool json) {
  std::vector<mining::BackendInfo> backends = mining::ListBackends();
  const std::string fastest(crypto::ScanPathName(crypto::FastestScanPath()));
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const mining::BackendInfo& b : backends) {
      nlohmann::json entry = {{"name", b.name}, {"compiled", b.compiled}, {"usable", b.usable}};
      if (!b.usable) entry["reason"] = b.reason;
      if (b.name == "cpu") entry["path"] = fastest;
      out.push_back(entry);
    }
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  for (const mining::BackendInfo& b : backends) {
    std::printf("%-14s %-12s %s\n", b.name.c_str(), !b.compiled ? "not built" : b.usable ? "usable" : "unusable",
                b.name == "cpu" ? ("fastest path: " + fastest).c_str() : b.reason.c_str());
  }
  return kExitOk;
}

}  // namespace

void AddBackendsCommand(CLI::App& app, int* exit_code) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("backends", "List mining backends and whether they can run here");
  cmd->add_flag("--json", *json, "machine-readable output");
  cmd->callback([json, exit_code] { *exit_code = Run(*json); });
}

}  // namespace rowchain::cli
