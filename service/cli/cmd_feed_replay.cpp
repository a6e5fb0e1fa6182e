// rowchain feed-replay: a Kafka -> MySQL sink for the change feed. Applies the events of one
// table's topic in order to another database (creating the table from the chain's schema), so
// a copy can be rebuilt from Kafka and compared with CHECKSUM TABLE. Reverted events (a reorg)
// are ordinary events here: applying them in order is what undoes the disconnected block.
// Applying is idempotent (REPLACE, DELETE by key), so an event delivered twice does no harm;
// offsets are committed after each applied event.
#include <librdkafka/rdkafka.h>

#include <array>
#include <chrono>
#include <csignal>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "chain/chain_config.h"
#include "cli/commands.h"
#include "store/ledger_sql.h"
#include "store/mysql_connection.h"
#include "store/mysql_uri.h"
#include "feed/topic_ingester.h"

namespace rowchain::cli {

namespace {

struct FeedReplayFlags {
  std::string brokers, topic, chain = "dev", into, group;
  double until_idle_s = 0;
};

StatusOr<std::vector<consensus::Value>> RowFrom(const nlohmann::json& row, const consensus::TableSchema& table) {
  if (!row.is_object()) return InvalidArgumentError("a row is not an object");
  std::vector<consensus::Value> values;
  for (const consensus::Column& column : table.columns) {
    if (!row.contains(column.name)) return InvalidArgumentError(fmt::format("column '{}' is missing", column.name));
    auto v = feed::ValueFromJson(row[column.name], column);
    if (!v.ok()) return InvalidArgumentError(fmt::format("column '{}': {}", column.name, v.status().message()));
    values.push_back(std::move(*v));
  }
  return values;
}

Status Apply(store::MysqlConnection& db, const consensus::TableSchema& table, const nlohmann::json& event) {
  const std::string op = event.value("op", "");
  if (op == "c" || op == "u") {
    auto values = RowFrom(event["after"], table);
    if (!values.ok()) return values.status();
    return db.Update(store::ReplaceRowSql(table), *values).status();
  }
  if (op == "d") {
    auto values = RowFrom(event["before"], table);
    if (!values.ok()) return values.status();
    std::vector<consensus::Value> key;
    for (uint16_t k : table.primary_key) key.push_back((*values)[k]);
    return db.Update(store::DeleteRowSql(table), key).status();
  }
  return InvalidArgumentError("an event whose op is not c, u or d");
}

volatile std::sig_atomic_t g_stop = 0;

int Run(const FeedReplayFlags& flags) {
  auto params = chain::LoadChain(flags.chain);
  if (!params.ok()) return ReportError(kExitUsage, "feed-replay: " + params.status().message());
  // The topic is <prefix>.<table>: the table is what follows the last dot.
  const std::string table_name = flags.topic.substr(flags.topic.rfind('.') + 1);
  const consensus::TableSchema* table = params->schema.FindTable(table_name);
  if (table == nullptr) {
    return ReportError(kExitUsage, fmt::format("feed-replay: chain {} has no table '{}' (from topic {})", params->name,
                                               table_name, flags.topic));
  }
  auto uri = store::ParseMysqlUri(flags.into);
  if (!uri.ok()) return ReportError(kExitUsage, "feed-replay: " + uri.status().message());
  auto db = store::MysqlConnection::Connect(*uri, {.create_database = true});
  if (!db.ok()) return ReportError(kExitFailure, "feed-replay: " + db.status().message());
  if (Status s = (*db)->Execute(store::CreateTableSql(*table)); !s.ok()) {
    return ReportError(kExitFailure, "feed-replay: " + s.message());
  }

  std::array<char, 512> error{};
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const std::string group = flags.group.empty() ? "rowchain-feed-replay-" + uri->database : flags.group;
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"bootstrap.servers", flags.brokers}, {"group.id", group}, {"enable.auto.commit", "false"},
           {"auto.offset.reset", "earliest"}}) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), error.data(), error.size()) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return ReportError(kExitUsage, fmt::format("feed-replay: {}: {}", k, error.data()));
    }
  }
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error.data(), error.size());
  if (consumer == nullptr) return ReportError(kExitFailure, std::string("feed-replay: ") + error.data());
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, flags.topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(consumer, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });

  uint64_t applied = 0;
  int exit_code = kExitOk;
  auto last_event = std::chrono::steady_clock::now();
  while (!g_stop) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, 200);
    if (message == nullptr) {
      if (flags.until_idle_s > 0 &&
          std::chrono::steady_clock::now() - last_event > std::chrono::duration<double>(flags.until_idle_s)) {
        break;
      }
      continue;
    }
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      last_event = std::chrono::steady_clock::now();
      nlohmann::json event =
          nlohmann::json::parse(std::string(static_cast<const char*>(message->payload), message->len), nullptr, false);
      Status s = event.is_discarded() ? InvalidArgumentError("not JSON") : Apply(**db, *table, event);
      if (!s.ok()) {
        exit_code = ReportError(kExitFailure, fmt::format("feed-replay: offset {} of partition {}: {}", message->offset,
                                                          message->partition, s.message()));
        rd_kafka_message_destroy(message);
        break;
      }
      rd_kafka_commit_message(consumer, message, 0);
      ++applied;
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  if (exit_code == kExitOk) std::printf("applied %llu events to %s.%s\n", static_cast<unsigned long long>(applied),
                                        uri->database.c_str(), table->name.c_str());
  return exit_code;
}

}  // namespace

void AddFeedReplayCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<FeedReplayFlags>();
  CLI::App* cmd = app.add_subcommand("feed-replay", "Apply a table's change feed from Kafka to another MySQL database");
  cmd->add_option("--brokers", flags->brokers, "Kafka bootstrap servers")->required();
  cmd->add_option("--topic", flags->topic, "the table's topic, e.g. rowchain.users")->required();
  cmd->add_option("--chain", flags->chain, "the chain whose schema the table has (preset or file)");
  cmd->add_option("--into", flags->into, "mysql://... database to apply the events to")->required();
  cmd->add_option("--group", flags->group, "consumer group (default: per target database)");
  cmd->add_option("--until-idle", flags->until_idle_s, "stop after this many seconds without an event (default: run until Ctrl-C)");
  cmd->callback([=] { *exit_code = Run(*flags); });
}

}  // namespace rowchain::cli
