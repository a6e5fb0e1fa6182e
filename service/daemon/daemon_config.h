// rowchaind's settings: every flag can also come from a TOML config file (--config), and a
// flag given on the command line wins over the file. Unknown keys in the file are errors that
// name the file and line. The file may hold secrets (tokens, the MySQL password): keep it 0600.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/node_server.h"
#include "util/device_list.h"
#include "util/status.h"

namespace rowchain::daemon {

struct DaemonConfig {
  std::string mysql;
  std::string listen = "127.0.0.1:7373";
  std::string peer_listen = "127.0.0.1:7374";  // "off": no inbound peer links
  std::string chain = "dev";
  std::string miner = "auto";  // auto | cpu | cuda | off
  uint32_t threads = 0;        // CPU mining threads; 0 = every core
  std::string cpu_path;        // force a CPU scan path
  std::vector<int> devices;    // GPU ordinals; empty = all
  std::vector<std::string> peers;
  std::string peer_secret;       // the network's shared secret for peer links (keep the file 0600)
  uint32_t peer_timeout_s = 10;      // a peer that leaves a request unanswered this long is dropped
  uint64_t max_reorg_depth = 1'000;  // heavier branches forking deeper are refused
  std::string miner_id = "rowchaind";
  uint64_t max_pending_rows = 1'000'000;
  uint64_t max_request_bytes = 8 << 20;
  std::string log_level = "info";
  std::string log_format = "text";  // text | json (one JSON object per line, for log shippers)
  std::string metrics_listen = "127.0.0.1:9373";  // /metrics and the status page; "off": none
  uint32_t max_gpu_temp = 0;  // a GPU above this (C) pauses until 5 C below; 0: no limit
  // Remote workers (docs/farm.md): their listener, the share rate vardiff aims at, how many.
  std::string mining_listen = "off";
  uint32_t worker_share_interval_ms = 5000;
  uint32_t max_workers = 256;
  std::vector<api::TokenGrant> workers;  // [[workers]] name/token (tables unused)
  std::string ready_file;  // written (JSON: listen, peer_listen, metrics_listen, mining_listen, pid) once the node serves
  std::optional<TlsFiles> tls;
  std::vector<api::TokenGrant> tokens;
  // The Kafka change feed (docs/kafka.md): on when brokers are given.
  std::string kafka_brokers;
  std::string kafka_topic_prefix = "rowchain";
  std::string kafka_ingest_topic;  // consume row batches from this topic
  std::map<std::string, std::string> kafka_properties;  // [kafka]: any librdkafka property
};

// Reads the config file over `config` (keys as the flags, without dashes, with '_' for '-';
// [tls] cert/key/ca; [[tokens]] name/token/tables; [[workers]] name/token; [kafka] librdkafka
// properties).
Status LoadDaemonConfigFile(const std::string& path, DaemonConfig* config);
// The same from the file's text; `source` names it in errors.
Status ParseDaemonConfig(std::string_view text, const std::string& source, DaemonConfig* config);
// A listen address on loopback (or "off"): nothing off this host can dial it.
bool IsLoopbackListen(const std::string& listen);
// Ranges and combinations: the miner name, the listen addresses, sizes, the miner id.
Status ValidateDaemonConfig(const DaemonConfig& config);

}  // namespace rowchain::daemon
