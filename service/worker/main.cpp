// rowchain-worker: hashes for a rowchain node (docs/farm.md). Links only the mining layer and
// the client stubs: no MySQL, no Kafka. SIGTERM or SIGINT: stop hashing, close, exit 0.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "mining/backends.h"
#include "worker/hashers.h"
#include "worker/node_link.h"
#include "worker/worker_devices.h"
#include "worker/worker_report.h"
#include "util/process_start.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "rowchain-worker: %s\n", message.c_str());
  return code;
}

struct Flags {
  rowchain::worker::LinkOptions link;
  rowchain::worker::DeviceOptions devices;
  std::string devices_text;
  double report_seconds = 10;
};

void AddFlags(CLI::App& app, Flags& f) {
  app.add_option("--node", f.link.node, "the node's mining listener, HOST:PORT")->required();
  app.add_option("--token", f.link.token, "worker token (or ROWCHAIN_WORKER_TOKEN; flags show in ps)");
  app.add_option("--tls-ca", f.link.tls_ca, "PEM CA of the node's certificate: TLS");
  app.add_option("--tls-cert", f.link.tls_cert, "PEM client certificate (mutual TLS; its CN names the worker)");
  app.add_option("--tls-key", f.link.tls_key, "PEM client key");
  app.add_option("--backend", f.devices.backend, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  app.add_option("--devices", f.devices_text, "GPU ordinals, e.g. 0,2 (default: every usable GPU)");
  app.add_option("--threads", f.devices.threads, "CPU threads (0: every core)");
  app.add_option("--name", f.link.name, "this worker's name (default: the host name)");
  app.add_option("--report-s", f.report_seconds, "seconds between hash-rate lines")->check(CLI::Range(1.0, 3600.0));
}

int Run(Flags flags, const sigset_t& stop_signals) {
  if (flags.link.token.empty()) {
    if (const char* env = std::getenv("ROWCHAIN_WORKER_TOKEN")) flags.link.token = env;
  }
  if (flags.link.tls_cert.empty() != flags.link.tls_key.empty()) return Fail(kExitUsage, "--tls-cert and --tls-key go together");
  if (!flags.link.tls_cert.empty() && flags.link.tls_ca.empty()) return Fail(kExitUsage, "--tls-cert needs --tls-ca");
  if (flags.link.name.empty()) flags.link.name = rowchain::worker::HostName();
  auto devices = rowchain::worker::OpenDevices(flags.devices, flags.devices_text);
  if (!devices.ok()) return Fail(kExitUsage, devices.status().message());
  flags.link.nominal_hash_rate = rowchain::worker::MeasureHashRate(*devices);
  auto link = rowchain::worker::NodeLink::Create(flags.link);
  if (!link.ok()) return Fail(kExitUsage, link.status().message());
  rowchain::worker::NodeLink& node = **link;
  rowchain::worker::Hashers hashers(
      std::move(*devices), [&node](const rowchain::farm::FoundShare& s) { node.OnShare(s); },
      [&node](uint64_t job_id) { node.OnStarted(job_id); });
  node.Attach(&hashers);
  rowchain::worker::Reporter reporter(hashers, node, std::chrono::duration<double>(flags.report_seconds));
  std::thread signals([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    spdlog::info("{}: stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
    node.Stop();
  });
  rowchain::Status ended = node.Run();
  if (!ended.ok()) {
    pthread_kill(signals.native_handle(), SIGTERM);  // wake the signal thread
    signals.join();
    return Fail(kExitFailure, ended.message());
  }
  signals.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const sigset_t stop_signals = rowchain::BlockStopSignals();  // only sigwait in Run receives them
  rowchain::NumberGpusByPciBus();
  spdlog::set_default_logger(spdlog::stderr_color_mt("rowchain-worker"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  CLI::App app{"rowchain-worker: hashes for a rowchain node's mining listener (docs/farm.md)"};
  Flags flags;
  AddFlags(app, flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    for (char& c : what) if (c == '\n') c = ' ';
    return Fail(kExitUsage, what);
  }
  return Run(std::move(flags), stop_signals);
}
