// rowchain status: the node's summary from its monitoring listener (/status.json, the same the
// status page shows), in a terminal; --watch redraws it every 5 s.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <civetweb.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "util/status.h"

namespace rowchain::cli {
namespace {

struct StatusFlags {
  std::string metrics = "127.0.0.1:9373";
  bool json = false, watch = false;
};

StatusOr<std::string> Fetch(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return InvalidArgumentError("--metrics must be HOST:PORT");
  const std::string host = address.substr(0, colon);
  const int port = std::atoi(address.substr(colon + 1).c_str());
  char error[256] = {};
  mg_connection* conn = mg_download(host.c_str(), port, 0, error, sizeof error,
                                    "GET /status.json HTTP/1.0\r\nHost: %s\r\n\r\n", host.c_str());
  if (conn == nullptr) {
    return UnavailableError(fmt::format(
        "no node serves status at {} (is rowchaind running there, with --metrics-listen? The address is set "
        "with --metrics HOST:PORT)",
        address));
  }
  const mg_response_info* info = mg_get_response_info(conn);
  const int code = info ? info->status_code : 0;
  std::string body;
  char buf[8192];
  for (int n; (n = mg_read(conn, buf, sizeof buf)) > 0 && body.size() < (64u << 20);) body.append(buf, static_cast<size_t>(n));
  mg_close_connection(conn);
  if (code != 200) return UnavailableError(fmt::format("{} answered HTTP {} for /status.json", address, code));
  return body;
}

std::string Rate(double h) {
  const char* units[] = {"H/s", "kH/s", "MH/s", "GH/s", "TH/s"};
  int i = 0;
  while (h >= 1000 && i < 4) {
    h /= 1000;
    ++i;
  }
  return fmt::format("{:.2f} {}", h, units[i]);
}

void Print(const nlohmann::json& s) {
  std::printf("chain %s: height %s, tip %s\n", s.value("chain", "?").c_str(), s["height"].dump().c_str(),
              s.value("hash", "").c_str());
  std::printf("pending: %s batches, %s rows; peers: %s; miner: %s\n", s["pending_batches"].dump().c_str(),
              s["pending_rows"].dump().c_str(), s["peers"].dump().c_str(), s.value("miner", "off").c_str());
  for (const auto& d : s["devices"]) {
    std::printf("  %-6s %-8s %14s\n", d.value("backend", "").c_str(), d.value("device", "").c_str(),
                Rate(d.value("hashes_per_second", 0.0)).c_str());
  }
  for (const auto& g : s["gpus"]) {
    std::printf("  gpu %s %s: %s C, %.0f W, %s %%%s\n", g["gpu"].dump().c_str(), g.value("modelName", "").c_str(),
                g["temperature_c"].dump().c_str(), g.value("power_w", 0.0), g["utilization_percent"].dump().c_str(),
                g["paused"].is_string() ? (", paused: " + g["paused"].get<std::string>()).c_str() : "");
  }
  for (const auto& b : s["blocks"]) {
    std::printf("  block %s  %s  %s rows  %s\n", b["height"].dump().c_str(), b.value("time_iso", "").c_str(),
                b["row_count"].dump().c_str(), b.value("hash", "").c_str());
  }
  for (const char* kind : {"block_rejects", "batch_rejects"}) {
    for (const auto& [reason, count] : s[kind].items()) {
      std::printf("  %s rejected: %s x%s\n", kind[1] == 'l' ? "blocks" : "batches", reason.c_str(), count.dump().c_str());
    }
  }
}

int Run(const StatusFlags& flags) {
  mg_init_library(0);
  for (;;) {
    auto body = Fetch(flags.metrics);
    if (!body.ok()) return ReportError(body.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure,
                                       "status: " + body.status().message());
    auto status = nlohmann::json::parse(*body, nullptr, false);
    if (status.is_discarded()) return ReportError(kExitFailure, "status: the node's /status.json is not JSON");
    if (flags.watch && isatty(STDOUT_FILENO)) std::printf("\033[H\033[2J");
    if (flags.json) {
      std::printf("%s\n", status.dump().c_str());
    } else {
      Print(status);
    }
    std::fflush(stdout);
    if (!flags.watch) return kExitOk;
    std::this_thread::sleep_for(std::chrono::seconds(5));
  }
}

}  // namespace

void AddStatusCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<StatusFlags>();
  CLI::App* cmd = app.add_subcommand("status", "The node's summary: tip, pool, peers, hash rate, GPUs, last blocks");
  cmd->add_option("--metrics", flags->metrics, "the node's monitoring listener (rowchaind --metrics-listen)")
      ->capture_default_str();
  cmd->add_flag("--json", flags->json, "the summary as JSON (/status.json)");
  cmd->add_flag("--watch", flags->watch, "redraw every 5 s until Ctrl-C");
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
}

}  // namespace rowchain::cli
