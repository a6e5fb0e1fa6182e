// rowchaind: the node. Opens the chain in MySQL, mines blocks from writers' batches (unless
// --miner off) and serves the rowchain.v1 API. SIGTERM/SIGINT stop mining, let a block being
// committed finish, end the API and exit 0. nvidia-smi lists the process as "rowchaind".
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "chain/chain_config.h"
#include "daemon/daemon_config.h"
#include "daemon/daemon_settings.h"
#include "daemon/farm_setup.h"
#include "daemon/json_log.h"
#include "daemon/monitoring.h"
#include "node/node.h"
#include "api/grpc_listener.h"
#include "api/node_server.h"
#include "feed/outbox_publisher.h"
#include "feed/topic_ingester.h"
#include "farm/farm_admin_service.h"
#include "peer/peer_admin_service.h"
#include "peer/peer_links.h"
#include "store/mysql_uri.h"
#include "util/process_start.h"

namespace {

using rowchain::Status;

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "rowchaind: %s\n", message.c_str());
  return code;
}

// Usage and configuration errors exit 2, trouble at run time 1.
int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case rowchain::StatusCode::kInvalidArgument:
    case rowchain::StatusCode::kNotFound:
    case rowchain::StatusCode::kFailedPrecondition: return kExitUsage;
    default: return kExitFailure;
  }
}

using rowchain::StatusOr;
using rowchain::daemon::DaemonConfig;

rowchain::node::NodeOptions NodeOptionsOf(const DaemonConfig& config, rowchain::store::MysqlUri uri,
                                          rowchain::consensus::ChainParams params, bool reindex,
                                          rowchain::farm::JobServer* workers) {
  rowchain::node::NodeOptions options;
  options.workers = workers;
  options.mysql = std::move(uri);
  options.params = std::move(params);
  options.miner_id = config.miner_id;
  options.max_pending_rows = config.max_pending_rows;
  options.max_reorg_depth = config.max_reorg_depth;
  options.reindex = reindex;
  if (!config.kafka_brokers.empty()) options.change_feed_prefix = config.kafka_topic_prefix;
  if (config.miner != "off") {
    rowchain::mining::MinerOptions miner;
    miner.backend = config.miner;
    miner.threads = config.threads;
    if (!config.cpu_path.empty()) miner.cpu_path = config.cpu_path;
    miner.devices = config.devices;
    options.miner = miner;
  }
  return options;
}

// The Kafka change feed out of the outbox, and batches in from a topic, when configured.
struct Feed {
  std::unique_ptr<rowchain::feed::OutboxPublisher> publisher;
  std::unique_ptr<rowchain::feed::TopicIngester> ingester;
};

StatusOr<Feed> StartFeed(const DaemonConfig& config, rowchain::node::Node& node) {
  Feed feed;
  if (!config.kafka_brokers.empty()) {
    auto started = rowchain::feed::OutboxPublisher::Start(
        node, {.brokers = config.kafka_brokers, .properties = config.kafka_properties, .batch = 1000});
    if (!started.ok()) return started.status();
    feed.publisher = std::move(*started);
  }
  if (!config.kafka_ingest_topic.empty()) {
    rowchain::feed::IngestOptions ingest{.brokers = config.kafka_brokers, .topic = config.kafka_ingest_topic,
                                         .group_id = "rowchaind-ingest", .properties = config.kafka_properties};
    auto started = rowchain::feed::TopicIngester::Start(node, std::move(ingest));
    if (!started.ok()) return started.status();
    feed.ingester = std::move(*started);
  }
  return feed;
}

// Bans kept in MySQL: a restart does not free a peer that cheated.
std::unique_ptr<rowchain::BanList> BansOf(rowchain::node::Node& node) {
  auto persist = [&node](const std::string& key, std::chrono::seconds duration, const std::string& reason) {
    const int64_t until = static_cast<int64_t>(std::time(nullptr)) + duration.count();
    if (Status s = node.RecordPeerBan({key, until, reason}); !s.ok()) spdlog::warn("ban not recorded: {}", s.message());
  };
  auto bans = std::make_unique<rowchain::BanList>(std::chrono::minutes(10), rowchain::SystemSteadyClock(), persist);
  auto saved = node.PeerBans();
  if (!saved.ok()) {
    spdlog::warn("bans from before the restart not read: {}", saved.status().message());
    return bans;
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (const rowchain::store::PeerBan& ban : *saved) bans->Restore(ban.key, std::chrono::seconds(ban.until_unix - now), ban.reason);
  if (!saved->empty()) spdlog::info("{} peer bans kept from before the restart", saved->size());
  return bans;
}

rowchain::peer::PeerConfig PeerConfigOf(const DaemonConfig& config) {
  rowchain::peer::PeerConfig peers;
  peers.request_timeout = std::chrono::seconds(config.peer_timeout_s);
  peers.network_secret = config.peer_secret;
  peers.mutual_tls = config.tls && !config.tls->ca.empty();
  // Unauthenticated links only where nothing is protected: a development node on loopback.
  peers.require_authentication = !rowchain::daemon::IsLoopbackListen(config.peer_listen) || !config.tokens.empty() ||
                                 !config.peer_secret.empty() || peers.mutual_tls;
  return peers;
}

void WriteReadyFile(const std::string& path, const std::string& address, const std::string& peer_address,
                    const std::string& metrics_address, const std::string& mining_address) {
  std::ofstream ready(path + ".tmp");
  ready << nlohmann::json{{"listen", address},          {"peer_listen", peer_address},
                          {"metrics_listen", metrics_address}, {"mining_listen", mining_address},
                          {"pid", ::getpid()}}
                .dump()
        << "\n";
  ready.close();
  std::rename((path + ".tmp").c_str(), path.c_str());
}

// gRPC cancels what is still open after the grace, then waits for every stream's last
// callback. A stream that never completes (seen, rarely, under load) must not keep the process
// alive: by now the node, the feed and the peers have stopped and committed or recorded what
// they hold, so the process exits with the evidence in its log.
void CloseWithDeadline(const char* what, const std::function<void()>& close) {
  constexpr auto kCloseDeadline = std::chrono::seconds(10);
  auto closed = std::make_shared<std::promise<void>>();
  std::future<void> done = closed->get_future();
  std::thread closer([&close, closed] {
    close();
    closed->set_value();
  });
  if (done.wait_for(kCloseDeadline) == std::future_status::ready) {
    closer.join();
    return;
  }
  spdlog::error("stopping: the {} did not close within {} s (a stream never finished); exiting, every write "
                "was committed before",
                what, kCloseDeadline.count());
  spdlog::shutdown();
  std::fflush(nullptr);
  std::_Exit(0);
}

// Peers dial in on their own listener, so a firewall can tell writers from peers. A message
// may carry a whole block: the limit follows the chain's block size, not the writer API's.
StatusOr<std::unique_ptr<rowchain::api::GrpcListener>> StartPeerListener(const DaemonConfig& config,
                                                                        rowchain::node::Node& node,
                                                                        rowchain::peer::PeerService& service) {
  if (config.peer_listen == "off") return std::unique_ptr<rowchain::api::GrpcListener>();
  const int limit = static_cast<int>(std::min<uint64_t>(2ull * node.params().max_block_bytes + (1 << 20), 1u << 30));
  auto listener = rowchain::api::GrpcListener::Start(
      {.listen = config.peer_listen, .tls = config.tls, .max_request_bytes = limit, .services = {&service}});
  if (listener.ok()) spdlog::info("peers dial in on {}", (*listener)->address());
  return listener;
}

// Everything of the peer network, built before the API so `rowchain peers` can see it.
struct Peers {
  std::unique_ptr<rowchain::BanList> bans;
  rowchain::peer::DownloadBook downloads;
  rowchain::peer::LinkRegistry links;
  rowchain::peer::PeerConfig config;
  std::unique_ptr<rowchain::peer::PeerService> service;
  std::unique_ptr<rowchain::api::GrpcListener> listener;  // null with --peer-listen off
  std::string address = "off";
  rowchain::peer::PeerNetwork Network(rowchain::node::Node& node) {
    return {.node = node, .bans = *bans, .downloads = downloads, .links = links, .config = config};
  }
};

Status StartPeers(const DaemonConfig& config, rowchain::node::Node& node, Peers& peers) {
  peers.bans = BansOf(node);
  peers.config = PeerConfigOf(config);
  peers.service = std::make_unique<rowchain::peer::PeerService>(peers.Network(node));
  auto listener = StartPeerListener(config, node, *peers.service);
  if (!listener.ok()) return listener.status();
  peers.listener = std::move(*listener);
  if (peers.listener) peers.address = peers.listener->address();
  return rowchain::OkStatus();
}

// Who may list the peers: with writer tokens, any valid token.
rowchain::peer::PeerAdminService::Authorize AuthorizeWith(rowchain::api::AuthPolicy auth) {
  return [auth = std::move(auth)](const grpc::ServerContext& context) -> Status {
    if (!auth.enabled()) return rowchain::OkStatus();
    std::optional<std::string_view> authorization;
    const auto& metadata = context.client_metadata();
    if (auto it = metadata.find("authorization"); it != metadata.end()) {
      authorization = std::string_view(it->second.data(), it->second.size());
    }
    return auth.Authenticate(authorization).status();
  };
}

// Serves until SIGTERM or SIGINT, then stops in order: no new peers or ingested batches, no
// more mining, the feed's acknowledged events recorded, the API closed.
int Serve(const DaemonConfig& config, rowchain::node::Node& node, Feed feed, rowchain::daemon::Farm& farm,
          rowchain::api::AuthPolicy auth, const sigset_t& stop_signals) {
  Peers peers;
  if (Status s = StartPeers(config, node, peers); !s.ok()) return Fail(kExitFailure, s.message());
  if (Status s = rowchain::daemon::StartMiningListener(config, farm); !s.ok()) return Fail(ExitCodeFor(s), s.message());
  auto monitoring = rowchain::daemon::StartMonitoring(config, node);
  if (!monitoring.ok()) return Fail(kExitFailure, monitoring.status().message());
  rowchain::peer::PeerAdminService peer_admin(peers.links, *peers.bans, peers.address, AuthorizeWith(auth));
  rowchain::farm::FarmAdminService farm_admin(farm.jobs.get(), farm.address(), AuthorizeWith(auth));
  rowchain::api::NodeServerOptions server_options;
  server_options.listen = config.listen;
  server_options.tls = config.tls;
  server_options.max_request_bytes = static_cast<int>(config.max_request_bytes);
  server_options.service.auth = std::move(auth);
  server_options.extra_services.push_back(&peer_admin);
  server_options.extra_services.push_back(&farm_admin);
  auto server = rowchain::api::NodeServer::Start(node, std::move(server_options));
  if (!server.ok()) return Fail(kExitFailure, server.status().message());
  spdlog::info("listening on {}{}{}", (*server)->address(), config.tls ? " (TLS)" : "",
               config.tokens.empty() ? "" : fmt::format(", {} writer tokens", config.tokens.size()));
  std::optional<rowchain::TlsFiles> peer_tls;  // mutual TLS between peers needs the CA
  if (config.tls && !config.tls->ca.empty()) peer_tls = config.tls;
  rowchain::peer::PeerDialer dialer(peers.Network(node), config.peers, peer_tls);
  if (!config.peers.empty()) spdlog::info("dialling {} peers", config.peers.size());
  if (!config.ready_file.empty()) {
    WriteReadyFile(config.ready_file, (*server)->address(), peers.address, (*monitoring)->address(), farm.address());
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("{}: stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  // Each stage is logged, so a stop that does not finish says where it stands.
  dialer.Stop();
  monitoring->reset();  // the status page reads the node: it goes first
  if (peers.listener) CloseWithDeadline("peer listener", [&] { peers.listener->Shutdown(std::chrono::seconds(1)); });
  CloseWithDeadline("mining listener", [&] { farm.Stop(); });
  if (feed.ingester) feed.ingester->Stop();  // an unstored message's offset stays uncommitted
  spdlog::info("stopping: peers and ingest stopped; stopping the node");
  node.Stop();
  spdlog::info("stopping: node stopped; stopping the feed");
  if (feed.publisher) feed.publisher->Stop();  // what is not yet acknowledged stays in the outbox
  spdlog::info("stopping: closing the API");
  CloseWithDeadline("API", [&] { (*server)->Shutdown(std::chrono::seconds(2)); });
  spdlog::info("stopping: API closed");
  return 0;
}

int Run(const DaemonConfig& config, bool reindex, const sigset_t& stop_signals) {
  auto params = rowchain::chain::LoadChain(config.chain);
  if (!params.ok()) return Fail(ExitCodeFor(params.status()), params.status().message());
  auto uri = rowchain::store::ParseMysqlUri(config.mysql);
  if (!uri.ok()) return Fail(kExitUsage, uri.status().message());
  auto auth = rowchain::api::AuthPolicy::FromGrants(config.tokens);
  if (!auth.ok()) return Fail(kExitUsage, auth.status().message());
  spdlog::info("rowchaind starting: chain {}, mysql {}, miner {}", config.chain, uri->Redacted(), config.miner);
  if (reindex) spdlog::info("reindex: rebuilding the ledger of {} from its stored blocks", uri->Redacted());
  auto jobs = rowchain::daemon::MakeJobServer(config, *params);
  if (!jobs.ok()) return Fail(ExitCodeFor(jobs.status()), jobs.status().message());
  rowchain::daemon::Farm farm{.jobs = std::move(*jobs)};
  auto node = rowchain::node::Node::Start(NodeOptionsOf(config, *uri, std::move(*params), reindex, farm.jobs.get()));
  if (!node.ok()) return Fail(ExitCodeFor(node.status()), node.status().message());
  auto feed = StartFeed(config, **node);
  if (!feed.ok()) {
    (*node)->Stop();
    return Fail(ExitCodeFor(feed.status()), feed.status().message());
  }
  const int code = Serve(config, **node, std::move(*feed), farm, std::move(*auth), stop_signals);
  farm.Stop();  // also when serving failed to start: the mining loop must not wait on workers
  (*node)->Stop();
  node->reset();
  if (code == 0) spdlog::info("stopped");
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  const sigset_t stop_signals = rowchain::BlockStopSignals();  // only sigwait in Run receives them
  rowchain::NumberGpusByPciBus();

  spdlog::set_default_logger(spdlog::stderr_color_mt("rowchaind"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  CLI::App app{"rowchaind: a rowchain node (proof-of-work ledger for MySQL)"};
  std::string config_file;
  app.add_option("--config", config_file, "TOML file with any of these settings (flags win)");
  rowchain::daemon::DaemonConfig flags;
  rowchain::daemon::SettingFlags setting_flags(app, &flags);
  std::string tls_cert, tls_key, tls_ca;
  auto* cert = app.add_option("--tls-cert", tls_cert, "PEM certificate chain for the listener");
  auto* key = app.add_option("--tls-key", tls_key, "PEM private key for the listener");
  auto* ca = app.add_option("--tls-ca", tls_ca, "PEM CA: require client certificates it signed");
  bool reindex = false;
  app.add_flag("--reindex", reindex, "first rebuild the ledger tables and main chain from the stored blocks");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    for (char& c : what) if (c == '\n') c = ' ';
    return Fail(kExitUsage, what);
  }

  // The file first (or the defaults), then every flag that was given on top.
  rowchain::daemon::DaemonConfig config;
  if (!config_file.empty()) {
    if (Status s = rowchain::daemon::LoadDaemonConfigFile(config_file, &config); !s.ok()) {
      return Fail(kExitUsage, s.message());
    }
  }
  if (Status s = setting_flags.MergeInto(&config); !s.ok()) return Fail(kExitUsage, s.message());
  if (cert->count() + key->count() + ca->count() > 0) {
    if (tls_cert.empty() || tls_key.empty()) return Fail(kExitUsage, "--tls-cert and --tls-key go together");
    config.tls = rowchain::TlsFiles{tls_cert, tls_key, tls_ca};
  }
  if (Status s = rowchain::daemon::ValidateDaemonConfig(config); !s.ok()) return Fail(kExitUsage, s.message());
  auto level = spdlog::level::from_str(config.log_level);
  if (level == spdlog::level::off && config.log_level != "off") {
    return Fail(kExitUsage, "--log-level must be trace, debug, info, warn, error or off");
  }
  spdlog::set_level(level);
  if (config.log_format == "json") spdlog::default_logger()->set_formatter(rowchain::daemon::MakeJsonLogFormatter());
  return Run(config, reindex, stop_signals);
}
