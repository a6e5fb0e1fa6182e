#include "daemon/daemon_settings.h"

#include <algorithm>

#include <fmt/format.h>

namespace rowchain::daemon {

namespace {

using C = DaemonConfig;

// clang-format off
const Setting kDaemonSettings[] = {
    {"mysql", "mysql://user:password@host:port/database or ...?socket=PATH", &C::mysql, {}, /*required=*/true},
    {"listen", "writer API address HOST:PORT (port 0: any free port)", &C::listen},
    {"peer_listen", "peer links address HOST:PORT, or off (dial out only)", &C::peer_listen},
    {"chain", "regtest, dev or a chain file", &C::chain},
    {"miner", "auto, cpu, cuda or off (validation only)", &C::miner},
    {"threads", "CPU mining threads (0: every core)", &C::threads},
    {"cpu_path", "force a CPU scan path (avx512, sha-ni, avx2, portable)", &C::cpu_path},
    {"devices", "GPU ordinals to mine on, e.g. 0,2 (empty: all)", &C::devices},
    {"peers", "a peer's HOST:PORT (repeatable)", &C::peers, "peer"},
    {"peer_secret", "the peer network's shared secret (prefer the config file: flags show in ps)", &C::peer_secret},
    {"peer_timeout_s", "seconds a peer may leave a request unanswered", &C::peer_timeout_s},
    {"miner_id", "id written into every block this node seals", &C::miner_id},
    {"max_pending_rows", "pending pool bound, in rows", &C::max_pending_rows},
    {"max_request_bytes", "largest request accepted, in bytes", &C::max_request_bytes},
    {"max_reorg_depth", "a heavier branch forking deeper below the tip is refused", &C::max_reorg_depth},
    {"log_level", "trace, debug, info, warn, error or off", &C::log_level},
    {"log_format", "text, or json: one JSON object a line, for log shippers", &C::log_format},
    {"metrics_listen", "Prometheus /metrics and the status page at HOST:PORT, or off", &C::metrics_listen},
    {"max_gpu_temp", "pause a GPU above this temperature (C) until 5 C below it; 0: no limit", &C::max_gpu_temp},
    {"mining_listen", "remote workers' address HOST:PORT, or off (docs/farm.md)", &C::mining_listen},
    {"worker_share_interval_ms", "vardiff aims at one share per worker per this many ms", &C::worker_share_interval_ms},
    {"max_workers", "remote workers connected at once", &C::max_workers},
    {"ready_file", "write {listen, peer_listen, metrics_listen, mining_listen, pid} as JSON here once serving", &C::ready_file},
    {"kafka_brokers", "publish the change feed to these Kafka brokers", &C::kafka_brokers},
    {"kafka_topic_prefix", "change-feed topics are PREFIX.TABLE", &C::kafka_topic_prefix},
    {"kafka_ingest_topic", "consume row batches from this topic", &C::kafka_ingest_topic},
};
// clang-format on

std::string DefaultText(const Setting& setting) {
  static const DaemonConfig defaults;
  return std::visit(
      [](auto field) -> std::string {
        const auto& value = defaults.*field;
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return value;
        } else if constexpr (std::is_integral_v<T>) {
          return std::to_string(value);
        } else {
          return fmt::format("{}", fmt::join(value, ","));
        }
      },
      setting.field);
}

Status ReadDevices(const toml::table& root, const chain::TableReader& reader, std::vector<int>* devices) {
  const toml::node* node = root.get("devices");
  if (node == nullptr) return OkStatus();
  const toml::array* array = node->as_array();
  if (array == nullptr) return reader.Error(*node, "devices", "expected an array of GPU ordinals");
  devices->clear();
  for (const toml::node& element : *array) {
    const std::optional<int64_t> v = chain::IntegerOf(element);
    if (!v || *v < 0 || *v > 1024) {
      return reader.Error(*node, "devices", "expected an array of GPU ordinals");
    }
    devices->push_back(static_cast<int>(*v));
  }
  return OkStatus();
}

}  // namespace

std::span<const Setting> DaemonSettings() { return kDaemonSettings; }

std::string FlagOf(const Setting& setting) {
  std::string name(setting.flag.empty() ? setting.key : setting.flag);
  std::replace(name.begin(), name.end(), '_', '-');
  return "--" + name;
}

Status ReadSettings(const chain::TableReader& reader, const toml::table& root, DaemonConfig* config) {
  for (const Setting& setting : kDaemonSettings) {
    const std::string_view key = setting.key;
    Status read = std::visit(
        [&](auto field) -> Status {
          auto& value = config->*field;
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::string>) return reader.String(key, &value);
          if constexpr (std::is_same_v<T, uint32_t>) return reader.U32(key, &value);
          if constexpr (std::is_same_v<T, uint64_t>) return reader.U64(key, &value);
          if constexpr (std::is_same_v<T, std::vector<std::string>>) return reader.StringList(key, &value);
          if constexpr (std::is_same_v<T, std::vector<int>>) return ReadDevices(root, reader, &value);
        },
        setting.field);
    ROWCHAIN_RETURN_IF_ERROR(read);
  }
  return OkStatus();
}

SettingFlags::SettingFlags(CLI::App& app, DaemonConfig* flags) : m_flags(flags) {
  for (const Setting& setting : kDaemonSettings) {
    const std::string flag = FlagOf(setting);
    std::string help(setting.help);
    if (setting.required) {
      help += " [required, here or in --config]";
    } else if (std::string d = DefaultText(setting); !d.empty()) {
      help += fmt::format(" [default: {}]", d);
    }
    CLI::Option* option = std::visit(
        [&](auto field) -> CLI::Option* {
          auto& value = flags->*field;
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::vector<int>>) {
            return app.add_option(flag, m_lists[setting.key], help);
          } else {
            return app.add_option(flag, value, help);
          }
        },
        setting.field);
    m_options.emplace_back(&setting, option);
  }
}

Status SettingFlags::MergeInto(DaemonConfig* config) const {
  for (const auto& entry : m_options) {
    const Setting* setting = entry.first;
    if (entry.second->count() == 0) continue;
    ROWCHAIN_RETURN_IF_ERROR(std::visit(
        [&](auto field) -> Status {
          using T = std::decay_t<decltype(config->*field)>;
          if constexpr (std::is_same_v<T, std::vector<int>>) {
            auto parsed = ParseDeviceList(m_lists.at(setting->key));
            if (!parsed.ok()) return parsed.status();
            config->*field = std::move(*parsed);
          } else {
            config->*field = m_flags->*field;
          }
          return OkStatus();
        },
        setting->field));
  }
  return OkStatus();
}

}  // namespace rowchain::daemon
