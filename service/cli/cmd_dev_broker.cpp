// rowchain dev-broker: a Kafka broker for development and demos, built on librdkafka's mock
// cluster (the real Kafka protocol on loopback ports, topics created on first use, everything
// in memory). Not a production broker: nothing survives its exit. Runs until SIGINT/SIGTERM.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"

namespace rowchain::cli {

namespace {

struct DevBrokerFlags {
  int brokers = 1;
  std::string ready_file;
};

int Run(const DevBrokerFlags& flags) {
  if (flags.brokers < 1 || flags.brokers > 9) return ReportError(kExitUsage, "dev-broker: --brokers must be 1 to 9");
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before librdkafka starts its threads

  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (handle == nullptr) return ReportError(kExitFailure, std::string("dev-broker: ") + error);
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, flags.brokers);
  if (cluster == nullptr) {
    rd_kafka_destroy(handle);
    return ReportError(kExitFailure, "dev-broker: the mock cluster did not start");
  }
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
  std::printf("development Kafka broker (librdkafka mock cluster, in memory) at %s\n", bootstrap.c_str());
  std::fflush(stdout);
  if (!flags.ready_file.empty()) {
    std::ofstream(flags.ready_file + ".tmp") << nlohmann::json{{"listen", bootstrap}, {"pid", ::getpid()}}.dump() << "\n";
    std::rename((flags.ready_file + ".tmp").c_str(), flags.ready_file.c_str());
  }
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  return kExitOk;
}

}  // namespace

void AddDevBrokerCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<DevBrokerFlags>();
  CLI::App* cmd = app.add_subcommand("dev-broker", "A development Kafka broker (librdkafka mock cluster, in memory)");
  cmd->add_option("--brokers", flags->brokers, "brokers in the cluster (default 1)");
  cmd->add_option("--ready-file", flags->ready_file, "write {listen: bootstrap servers, pid} as JSON here once up");
  cmd->callback([=] { *exit_code = Run(*flags); });
}

}  // namespace rowchain::cli
