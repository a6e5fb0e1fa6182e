#include "daemon/daemon_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "util/file_io.h"
#include "chain/toml_reader.h"
#include "consensus/block_info_leaf.h"
#include "daemon/daemon_settings.h"

namespace rowchain::daemon {

namespace {

Status ReadKafkaProperties(const toml::table& root, const chain::TableReader& reader, DaemonConfig* config) {
  const toml::node* kafka = root.get("kafka");
  if (kafka == nullptr) return OkStatus();
  const toml::table* table = kafka->as_table();
  if (table == nullptr) return reader.Error(*kafka, "kafka", "expected a table of librdkafka properties");
  for (const auto& [key, value] : *table) {
    std::string text;
    if (auto s = value.value<std::string>(); s && value.is_string()) {
      text = *s;
    } else if (auto i = chain::IntegerOf(value)) {
      text = std::to_string(*i);
    } else if (auto b = value.value<bool>(); b && value.is_boolean()) {
      text = *b ? "true" : "false";
    } else {
      return reader.Error(value, fmt::format("kafka.{}", key.str()), "expected a string, integer or boolean");
    }
    config->kafka_properties[std::string(key.str())] = text;
  }
  return OkStatus();
}

Status ReadTls(const toml::table& root, const std::string& path, const chain::TableReader& reader,
               DaemonConfig* config) {
  const toml::node* tls = root.get("tls");
  if (tls == nullptr) return OkStatus();
  if (!tls->is_table()) return reader.Error(*tls, "tls", "expected a table with cert, key and ca");
  chain::TableReader tls_reader(*tls->as_table(), path, "tls.");
  ROWCHAIN_RETURN_IF_ERROR(tls_reader.RejectUnknown({"cert", "key", "ca"}));
  TlsFiles files;
  ROWCHAIN_RETURN_IF_ERROR(tls_reader.String("cert", &files.cert, true));
  ROWCHAIN_RETURN_IF_ERROR(tls_reader.String("key", &files.key, true));
  ROWCHAIN_RETURN_IF_ERROR(tls_reader.String("ca", &files.ca));
  config->tls = files;
  return OkStatus();
}

// [[tokens]] (writers, with tables) or [[workers]] (mining workers: name and token only).
Status ReadGrants(const toml::table& root, const std::string& path, const chain::TableReader& reader, const char* key,
                  std::vector<api::TokenGrant>* grants) {
  const toml::node* node = root.get(key);
  if (node == nullptr) return OkStatus();
  const toml::array* array = node->as_array();
  const std::string expected = fmt::format("expected [[{}]] tables", key);
  if (array == nullptr) return reader.Error(*node, key, expected);
  const bool with_tables = std::string_view(key) == "tokens";
  grants->clear();
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) return reader.Error(*array->get(i), key, expected);
    chain::TableReader grant_reader(*table, path, fmt::format("{}[{}].", key, i));
    if (with_tables) {
      ROWCHAIN_RETURN_IF_ERROR(grant_reader.RejectUnknown({"name", "token", "tables"}));
    } else {
      ROWCHAIN_RETURN_IF_ERROR(grant_reader.RejectUnknown({"name", "token"}));
    }
    api::TokenGrant grant;
    ROWCHAIN_RETURN_IF_ERROR(grant_reader.String("name", &grant.name, !with_tables));
    ROWCHAIN_RETURN_IF_ERROR(grant_reader.String("token", &grant.token, true));
    if (with_tables) ROWCHAIN_RETURN_IF_ERROR(grant_reader.StringList("tables", &grant.tables));
    grants->push_back(std::move(grant));
  }
  return OkStatus();
}

}  // namespace

Status LoadDaemonConfigFile(const std::string& path, DaemonConfig* config) {
  auto text = ReadFileToString(path, "config file");
  if (!text.ok()) return NotFoundError(fmt::format("cannot read config file {}", path));
  return ParseDaemonConfig(*text, path, config);
}

Status ParseDaemonConfig(std::string_view text, const std::string& source, DaemonConfig* config) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return InvalidArgumentError(fmt::format("{}:{}: {}", source, e.source().begin.line, e.description()));
  }
  chain::TableReader reader(root, source, "");
  std::set<std::string_view> known = {"tls", "tokens", "workers", "kafka"};
  for (const Setting& setting : DaemonSettings()) known.insert(setting.key);
  ROWCHAIN_RETURN_IF_ERROR(reader.RejectUnknown(known));
  ROWCHAIN_RETURN_IF_ERROR(ReadSettings(reader, root, config));
  ROWCHAIN_RETURN_IF_ERROR(ReadKafkaProperties(root, reader, config));
  ROWCHAIN_RETURN_IF_ERROR(ReadTls(root, source, reader, config));
  ROWCHAIN_RETURN_IF_ERROR(ReadGrants(root, source, reader, "tokens", &config->tokens));
  return ReadGrants(root, source, reader, "workers", &config->workers);
}

bool IsLoopbackListen(const std::string& listen) {
  if (listen == "off") return true;  // nobody can dial in
  const std::string host = listen.substr(0, listen.rfind(':'));
  return host == "localhost" || host.starts_with("127.") || host == "[::1]";
}

namespace {

Status ValidateMining(const DaemonConfig& config) {
  if (config.mining_listen == "off") {
    if (!config.workers.empty()) return InvalidArgumentError("[[workers]] are configured but --mining-listen is off");
    return OkStatus();
  }
  if (config.mining_listen.rfind(':') == std::string::npos) {
    return InvalidArgumentError(fmt::format("--mining-listen must be HOST:PORT or off, not '{}'", config.mining_listen));
  }
  if (!config.mining_listen.ends_with(":0") &&
      (config.mining_listen == config.listen || config.mining_listen == config.peer_listen ||
       config.mining_listen == config.metrics_listen)) {
    return InvalidArgumentError("--mining-listen must differ from the other listen addresses");
  }
  const bool mutual_tls = config.tls && !config.tls->ca.empty();
  if (!IsLoopbackListen(config.mining_listen) && config.workers.empty() && !mutual_tls) {
    return InvalidArgumentError(fmt::format(
        "--mining-listen {} is reachable from other hosts: configure [[workers]] tokens or --tls-ca client certificates",
        config.mining_listen));
  }
  if (config.worker_share_interval_ms < 10 || config.worker_share_interval_ms > 600'000) {
    return InvalidArgumentError("--worker-share-interval-ms must be between 10 and 600000");
  }
  if (config.max_workers == 0 || config.max_workers > 100'000) {
    return InvalidArgumentError("--max-workers must be between 1 and 100000");
  }
  return OkStatus();
}

}  // namespace

Status ValidateDaemonConfig(const DaemonConfig& config) {
  ROWCHAIN_RETURN_IF_ERROR(ValidateMining(config));
  if (config.mysql.empty()) return InvalidArgumentError("--mysql is required (mysql://user:password@host:port/db)");
  if (config.miner != "auto" && config.miner != "cpu" && config.miner != "cuda" && config.miner != "off") {
    return InvalidArgumentError(fmt::format("--miner must be auto, cpu, cuda or off, not '{}'", config.miner));
  }
  if (config.listen.rfind(':') == std::string::npos) {
    return InvalidArgumentError(fmt::format("--listen must be HOST:PORT, not '{}'", config.listen));
  }
  if (config.peer_listen != "off" && config.peer_listen.rfind(':') == std::string::npos) {
    return InvalidArgumentError(fmt::format("--peer-listen must be HOST:PORT or off, not '{}'", config.peer_listen));
  }
  if (config.peer_listen == config.listen && !config.listen.ends_with(":0")) {
    return InvalidArgumentError("--peer-listen and --listen must be different addresses");
  }
  if (config.metrics_listen != "off" && config.metrics_listen.rfind(':') == std::string::npos) {
    return InvalidArgumentError(fmt::format("--metrics-listen must be HOST:PORT or off, not '{}'", config.metrics_listen));
  }
  if (!config.metrics_listen.ends_with(":0") &&
      (config.metrics_listen == config.listen || config.metrics_listen == config.peer_listen)) {
    return InvalidArgumentError("--metrics-listen must differ from --listen and --peer-listen");
  }
  if (config.max_gpu_temp != 0 && (config.max_gpu_temp < 40 || config.max_gpu_temp > 120)) {
    return InvalidArgumentError("--max-gpu-temp must be 0 (no limit) or between 40 and 120 (C)");
  }
  if (config.log_format != "text" && config.log_format != "json") {
    return InvalidArgumentError(fmt::format("--log-format must be text or json, not '{}'", config.log_format));
  }
  if (config.miner_id.empty() || config.miner_id.size() > consensus::kMaxMinerIdSize) {
    return InvalidArgumentError(fmt::format("--miner-id must be 1 to {} bytes", consensus::kMaxMinerIdSize));
  }
  if (config.max_request_bytes < 1024 || config.max_request_bytes > (1u << 30)) {
    return InvalidArgumentError("--max-request-bytes must be between 1024 and 1073741824");
  }
  if (config.max_pending_rows == 0) return InvalidArgumentError("--max-pending-rows must be at least 1");
  if (config.peer_timeout_s == 0 || config.peer_timeout_s > 3600) {
    return InvalidArgumentError("--peer-timeout-s must be between 1 and 3600");
  }
  if (!config.peer_secret.empty() && config.peer_secret.size() < 16) {
    return InvalidArgumentError("--peer-secret must be at least 16 characters");
  }
  const std::string& prefix = config.kafka_topic_prefix;
  const bool prefix_ok = !prefix.empty() && prefix.size() <= 200 &&
                         std::all_of(prefix.begin(), prefix.end(), [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
                         });
  if (!config.kafka_ingest_topic.empty() && config.kafka_brokers.empty()) {
    return InvalidArgumentError("--kafka-ingest-topic needs --kafka-brokers");
  }
  if (!prefix_ok) {
    return InvalidArgumentError(fmt::format("--kafka-topic-prefix '{}' is not a Kafka topic name ([a-zA-Z0-9._-])", prefix));
  }
  return OkStatus();
}

}  // namespace rowchain::daemon
