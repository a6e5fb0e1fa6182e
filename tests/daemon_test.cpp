// rowchaind as a user runs it: a real process on the private MariaDB, called through real gRPC
// and through the rowchain CLI. Submission to sealed rows to a clean audit, proofs, status
// codes for bad input, tokens, TLS, health and reflection, config files, and SIGTERM in the
// middle of mining.
#include <signal.h>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "chain/chain_config.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "rowchain/v1/ledger.grpc.pb.h"
#include "test_daemon.h"
#include "test_mysql.h"
#include "test_vectors.h"
#include "eventually.h"

namespace rowchain::testing {
namespace {

namespace pb = ::rowchain::v1;
using namespace std::chrono_literals;

pb::Row UserRow(int64_t id, const std::string& name, int64_t age) {
  pb::Row row;
  (*row.mutable_columns())["id"].set_int_value(id);
  (*row.mutable_columns())["name"].set_text_value(name);
  (*row.mutable_columns())["age"].set_int_value(age);
  return row;
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = MakeTempDir("daemon-test"); }

  std::unique_ptr<DaemonProcess> Start(std::vector<std::string> args) {
    std::vector<std::string> all = {"--mysql", m_db.text(), "--chain", "regtest"};
    all.insert(all.end(), args.begin(), args.end());
    return DaemonProcess::Start(all);
  }
  std::unique_ptr<pb::Ledger::Stub> Stub(const DaemonProcess& d) {
    return pb::Ledger::NewStub(grpc::CreateChannel(d.address(), grpc::InsecureChannelCredentials()));
  }
  int64_t Count(const std::string& sql) { return (*m_db.admin().Query(sql))[0][0].as_int(); }
  std::string File(const std::string& name, const std::string& text) {
    std::string path = m_dir + "/" + name;
    WriteFile(path, text);
    return path;
  }

  TestDatabase m_db;
  std::string m_dir;
};

TEST_F(DaemonTest, CliSubmitWaitsForSealedRowsThatVerify) {
  auto daemon = Start({"--miner", "cpu", "--threads", "1"});
  ASSERT_TRUE(daemon);
  std::string rows = File("users.json", UsersJson(1, 25));
  auto submit = RunCli(fmt::format("--node {} submit --table users --rows {} --batch-rows 10 --wait --json",
                                   daemon->address(), rows));
  ASSERT_EQ(submit.exit_code, 0) << submit.err << daemon->Log();
  auto lines = JsonLines(submit.out);
  ASSERT_EQ(lines.size(), 3u) << submit.out;  // 25 rows in batches of 10
  for (const auto& line : lines) {
    EXPECT_EQ(line["state"], "sealed");
    EXPECT_EQ(line["batch_id"].get<std::string>().size(), 32u);
    EXPECT_EQ(line["block_hash"].get<std::string>().size(), 64u);
    EXPECT_GE(line["height"].get<uint64_t>(), 1u);
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), 25);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE id = 7 AND name = 'user 7' AND age = 27"), 1);

  auto tip = RunCli(fmt::format("tip --node {} --json", daemon->address()));
  ASSERT_EQ(tip.exit_code, 0) << tip.err;
  auto info = nlohmann::json::parse(tip.out);
  EXPECT_EQ(info["pending"], 0);
  EXPECT_EQ(info["height"], lines.back()["height"]);
  EXPECT_EQ(info["hash"], lines.back()["block_hash"]);
  EXPECT_FALSE(info["chain_work"].get<std::string>().empty());

  auto block = RunCli(fmt::format("--node {} block {} --json", daemon->address(), lines[0]["block_hash"].get<std::string>()));
  ASSERT_EQ(block.exit_code, 0) << block.err;
  auto block_json = nlohmann::json::parse(block.out);
  EXPECT_EQ(block_json["hash"], lines[0]["block_hash"]);
  EXPECT_GE(block_json["rows"].size(), 10u);

  // A proof of one row, checked offline; any altered byte fails it.
  std::string proof_file = m_dir + "/proof.json";
  auto proof = RunCli(fmt::format("--node {} proof {} 4 --out {}", daemon->address(),
                                  lines[1]["batch_id"].get<std::string>(), proof_file));
  ASSERT_EQ(proof.exit_code, 0) << proof.err;
  auto verified = RunCli(fmt::format("verify-proof {} --block-hash {} --json", proof_file,
                                     lines[1]["block_hash"].get<std::string>()));
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_EQ(nlohmann::json::parse(verified.out)["valid"], true);
  auto proof_json = nlohmann::json::parse(std::ifstream(proof_file));
  std::string leaf = proof_json["leaf_hex"];
  leaf.back() = leaf.back() == '0' ? '1' : '0';
  proof_json["leaf_hex"] = leaf;
  std::string tampered = File("tampered.json", proof_json.dump());
  auto rejected = RunCli(fmt::format("verify-proof {}", tampered));
  EXPECT_EQ(rejected.exit_code, 1);
  EXPECT_NE(rejected.err.find("Merkle root"), std::string::npos) << rejected.err;

  ASSERT_EQ(daemon->Stop(SIGTERM), 0) << daemon->Log();
  auto audit = RunCli(fmt::format("verify --mysql '{}' --chain regtest", m_db.text()));
  EXPECT_EQ(audit.exit_code, 0) << audit.out << audit.err;
}

TEST_F(DaemonTest, WatchBlocksReplaysTheChainThenFollowsIt) {
  auto daemon = Start({"--miner", "cpu", "--threads", "1"});
  ASSERT_TRUE(daemon);
  auto first = RunCli(fmt::format("--node {} submit --table users --rows {} --wait --json", daemon->address(),
                                  File("a.json", UsersJson(1, 3))));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const uint64_t sealed_height = JsonLines(first.out)[0]["height"];

  auto stub = Stub(*daemon);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 60s);
  pb::WatchBlocksRequest request;
  request.set_start_height(0);
  auto reader = stub->WatchBlocks(&context, request);
  std::vector<pb::BlockEvent> replayed;
  for (uint64_t h = 0; h <= sealed_height; ++h) {
    pb::BlockEvent event;
    ASSERT_TRUE(reader->Read(&event));
    replayed.push_back(event);
  }
  for (uint64_t h = 0; h <= sealed_height; ++h) {
    EXPECT_EQ(replayed[h].kind(), pb::BlockEvent::KIND_CONNECTED);
    EXPECT_EQ(replayed[h].block().height(), h);
    if (h > 0) {
      EXPECT_EQ(replayed[h].block().header().prev_hash(), replayed[h - 1].block().header().hash());
    }
  }
  EXPECT_EQ(replayed.back().block().rows_size(), 3);
  EXPECT_EQ(replayed.back().batch_ids(0), JsonLines(first.out)[0]["batch_id"]);

  // Live: the next sealed block arrives on the same stream, with its rows.
  auto second = RunCli(fmt::format("--node {} submit --table users --rows {} --json", daemon->address(),
                                   File("b.json", UsersJson(10, 2))));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  pb::BlockEvent live;
  ASSERT_TRUE(reader->Read(&live));
  EXPECT_EQ(live.kind(), pb::BlockEvent::KIND_CONNECTED);
  EXPECT_EQ(live.block().height(), sealed_height + 1);
  ASSERT_EQ(live.block().rows_size(), 2);
  EXPECT_EQ(live.block().rows(1).columns().at("name").text_value(), "user 11");
  EXPECT_EQ(live.batch_ids(0), JsonLines(second.out)[0]["batch_id"]);
  context.TryCancel();
  reader->Finish();
}

TEST_F(DaemonTest, CsvRowsAndIdempotentResubmission) {
  auto daemon = Start({"--miner", "off"});
  ASSERT_TRUE(daemon);
  std::string csv = File("users.csv", "id,name,age\n1,\"Lovelace, Ada\",36\n2,Alan,41\n");
  auto first = RunCli(fmt::format("--node {} submit --table users --csv {} --idempotency-key import-1 --json",
                                  daemon->address(), csv));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto again = RunCli(fmt::format("--node {} submit --table users --csv {} --idempotency-key import-1 --json",
                                  daemon->address(), csv));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto a = JsonLines(first.out), b = JsonLines(again.out);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0]["batch_id"], b[0]["batch_id"]);
  EXPECT_EQ(b[0]["duplicate"], true);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches WHERE state = 0"), 1);
  auto tip = RunCli(fmt::format("--node {} tip --json", daemon->address()));
  EXPECT_EQ(nlohmann::json::parse(tip.out)["pending"], 1);
  EXPECT_EQ(nlohmann::json::parse(tip.out)["miner"], "off");
}

TEST_F(DaemonTest, BadRequestsGetTheirStatusCodeAndStoreNothing) {
  auto daemon = Start({"--miner", "off", "--max-request-bytes", "4096"});
  ASSERT_TRUE(daemon);
  auto stub = Stub(*daemon);
  auto submit = [&](pb::SubmitBatchRequest request) {
    grpc::ClientContext context;
    pb::SubmitBatchResponse response;
    return stub->SubmitBatch(&context, request, &response);
  };
  pb::SubmitBatchRequest unknown_table;
  unknown_table.set_table("orders");
  *unknown_table.add_rows() = UserRow(1, "a", 1);
  pb::SubmitBatchRequest wrong_type;
  wrong_type.set_table("users");
  *wrong_type.add_rows() = UserRow(1, "a", 1);
  *wrong_type.add_rows() = UserRow(2, "b", 2);
  (*wrong_type.mutable_rows(1)->mutable_columns())["age"].set_text_value("old");
  pb::SubmitBatchRequest bad_op = unknown_table;
  bad_op.set_table("users");
  bad_op.mutable_rows(0)->set_op(static_cast<pb::Op>(9));
  pb::SubmitBatchRequest empty;
  empty.set_table("users");
  pb::SubmitBatchRequest oversize;
  oversize.set_table("users");
  for (int i = 0; i < 100; ++i) *oversize.add_rows() = UserRow(i, std::string(100, 'x'), 1);

  grpc::Status s = submit(unknown_table);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("no table 'orders'"), std::string::npos) << s.error_message();
  s = submit(wrong_type);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("row 1, column 'age'"), std::string::npos) << s.error_message();
  EXPECT_EQ(submit(bad_op).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(submit(empty).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(submit(oversize).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches"), 0);

  grpc::ClientContext c1;
  pb::GetBlockRequest by_height;
  by_height.set_height(999);
  pb::Block block;
  EXPECT_EQ(stub->GetBlock(&c1, by_height, &block).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext c2;
  pb::GetBlockRequest by_hash;
  by_hash.set_hash("zz");
  EXPECT_EQ(stub->GetBlock(&c2, by_hash, &block).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext c3;
  pb::GetRowProofRequest proof_request;
  proof_request.set_batch_id("00112233445566778899aabbccddeeff");
  pb::RowProof proof;
  EXPECT_EQ(stub->GetRowProof(&c3, proof_request, &proof).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext c4;
  pb::WatchBatchRequest watch;
  watch.set_batch_id("00112233445566778899aabbccddeeff");
  auto reader = stub->WatchBatch(&c4, watch);
  pb::BatchStatus status;
  EXPECT_FALSE(reader->Read(&status));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);

  // The CLI says the same in one line and exits non-zero.
  auto cli = RunCli(fmt::format("--node {} submit --table orders --rows {}", daemon->address(),
                                File("r.json", UsersJson(1, 1))));
  EXPECT_NE(cli.exit_code, 0);
  EXPECT_EQ(std::count(cli.err.begin(), cli.err.end(), '\n'), 1) << cli.err;
  auto unreachable = RunCli("--node 127.0.0.1:1 tip");
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_NE(unreachable.err.find("UNAVAILABLE"), std::string::npos) << unreachable.err;
}

TEST_F(DaemonTest, TokensFromTheConfigFileGuardEveryCall) {
  std::string config = File("node.toml", fmt::format(R"toml(
mysql = "{}"
chain = "regtest"
miner = "cpu"
threads = 1

[[tokens]]
name = "loader"
token = "loader-secret-0123456789"
tables = ["users"]

[[tokens]]
name = "auditor"
token = "auditor-secret-0123456789"
tables = []
)toml", m_db.text()));
  auto daemon = DaemonProcess::Start({"--config", config, "--miner", "off"});  // the flag wins
  ASSERT_TRUE(daemon);
  auto stub = Stub(*daemon);
  auto submit_with = [&](const std::string& token) {
    grpc::ClientContext context;
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    pb::SubmitBatchRequest request;
    request.set_table("users");
    *request.add_rows() = UserRow(1, "a", 1);
    pb::SubmitBatchResponse response;
    return stub->SubmitBatch(&context, request, &response);
  };
  EXPECT_EQ(submit_with("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(submit_with("wrong-token-0123456789").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(submit_with("auditor-secret-0123456789").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches"), 0);
  EXPECT_TRUE(submit_with("loader-secret-0123456789").ok());

  auto anonymous = RunCli(fmt::format("--node {} tip", daemon->address()));
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_NE(anonymous.err.find("UNAUTHENTICATED"), std::string::npos) << anonymous.err;
  auto reader = RunCli(fmt::format("--node {} --token auditor-secret-0123456789 tip --json", daemon->address()));
  ASSERT_EQ(reader.exit_code, 0) << reader.err;
  auto info = nlohmann::json::parse(reader.out);
  EXPECT_EQ(info["pending"], 1);
  EXPECT_EQ(info["miner"], "off");
  // Secrets never reach the log.
  std::string log = daemon->Log();
  EXPECT_EQ(log.find("secret"), std::string::npos) << log;
  EXPECT_EQ(log.find(m_db.uri().password), std::string::npos);
}

TEST_F(DaemonTest, HealthAndReflectionAnswer) {
  auto daemon = Start({"--miner", "off"});
  ASSERT_TRUE(daemon);
  auto channel = grpc::CreateChannel(daemon->address(), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext c1;
  grpc::health::v1::HealthCheckRequest check;
  grpc::health::v1::HealthCheckResponse answer;
  ASSERT_TRUE(health->Check(&c1, check, &answer).ok());
  EXPECT_EQ(answer.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  grpc::ClientContext c2;
  auto stream = reflection->ServerReflectionInfo(&c2);
  grpc::reflection::v1alpha::ServerReflectionRequest list;
  list.set_list_services("");
  ASSERT_TRUE(stream->Write(list));
  grpc::reflection::v1alpha::ServerReflectionResponse listed;
  ASSERT_TRUE(stream->Read(&listed));
  std::vector<std::string> services;
  for (const auto& s : listed.list_services_response().service()) services.push_back(s.name());
  EXPECT_NE(std::find(services.begin(), services.end(), "rowchain.v1.Ledger"), services.end());
  EXPECT_NE(std::find(services.begin(), services.end(), "grpc.health.v1.Health"), services.end());
  grpc::reflection::v1alpha::ServerReflectionRequest describe;
  describe.set_file_containing_symbol("rowchain.v1.Ledger");
  ASSERT_TRUE(stream->Write(describe));
  grpc::reflection::v1alpha::ServerReflectionResponse described;
  ASSERT_TRUE(stream->Read(&described));
  EXPECT_EQ(described.file_descriptor_response().file_descriptor_proto_size(), 1);
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(DaemonTest, SigtermWhileMiningKeepsEveryAcknowledgedBatch) {
  // A chain whose blocks take ~2^32 hashes: the node is mining when the signal comes.
  std::string chain_text(chain::PresetToml("regtest"));
  chain_text.replace(chain_text.find("bits = 0x207fffff", chain_text.find("[genesis]")), 17, "bits = 0x1d00ffff");
  std::string chain_file = File("hard.toml", chain_text);
  auto daemon = DaemonProcess::Start({"--mysql", m_db.text(), "--chain", chain_file, "--miner", "cpu", "--threads", "1"});
  ASSERT_TRUE(daemon);
  auto submit = RunCli(fmt::format("--node {} submit --table users --rows {} --batch-rows 2 --json", daemon->address(),
                                   File("users.json", UsersJson(1, 6))));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  auto acked = JsonLines(submit.out);
  ASSERT_EQ(acked.size(), 3u);

  // Wait until the first batch is in the template being mined.
  auto stub = Stub(*daemon);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 30s);
  pb::WatchBatchRequest watch;
  watch.set_batch_id(acked[0]["batch_id"]);
  auto reader = stub->WatchBatch(&context, watch);
  pb::BatchStatus status;
  bool mining = false;
  while (!mining && reader->Read(&status)) mining = status.state() == pb::BATCH_STATE_MINING;
  ASSERT_TRUE(mining);

  EXPECT_EQ(daemon->Stop(SIGTERM), 0) << daemon->Log();
  reader->Finish();
  EXPECT_NE(daemon->Log().find("SIGTERM: stopping"), std::string::npos);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches WHERE state = 0"), 3);

  auto restarted = DaemonProcess::Start({"--mysql", m_db.text(), "--chain", chain_file, "--miner", "off"});
  ASSERT_TRUE(restarted);
  auto tip = RunCli(fmt::format("--node {} tip --json", restarted->address()));
  ASSERT_EQ(tip.exit_code, 0) << tip.err;
  EXPECT_EQ(nlohmann::json::parse(tip.out)["pending"], 3);
  EXPECT_EQ(nlohmann::json::parse(tip.out)["pending_rows"], 6);
  EXPECT_EQ(restarted->Stop(SIGINT), 0);
}

TEST_F(DaemonTest, TlsListenerServesOnlyTlsClients) {
  std::string cert = m_dir + "/node.crt", key = m_dir + "/node.key";
  std::string command = fmt::format(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext "
      "subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout {} -out {} >/dev/null 2>&1",
      key, cert);
  ASSERT_EQ(std::system(command.c_str()), 0);
  auto daemon = Start({"--miner", "off", "--tls-cert", cert, "--tls-key", key});
  ASSERT_TRUE(daemon);
  auto secure = RunCli(fmt::format("--node {} --tls-ca {} tip --json", daemon->address(), cert));
  ASSERT_EQ(secure.exit_code, 0) << secure.err << daemon->Log();
  EXPECT_EQ(nlohmann::json::parse(secure.out)["height"], 0);
  auto plain = RunCli(fmt::format("--node {} tip", daemon->address()));
  EXPECT_EQ(plain.exit_code, 1);
}

TEST_F(DaemonTest, TheChangeFeedReachesKafkaAndKcatReadsIt) {
  auto broker = DaemonProcess::StartProgram(ROWCHAIN_CLI_PATH, {"dev-broker"});
  ASSERT_TRUE(broker);
  auto daemon = Start({"--miner", "cpu", "--threads", "1", "--kafka-brokers", broker->address()});
  ASSERT_TRUE(daemon);
  auto submit = RunCli(fmt::format("--node {} submit --table users --rows {} --wait", daemon->address(),
                                   File("users.json", UsersJson(1, 3))));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  // kcat, as any Kafka user would: key and value of each event.
  std::vector<std::string> lines;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (lines.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::string command = fmt::format("kcat -q -b {} -C -t rowchain.users -c 3 -e -f '%k\t%s\n' 2>/dev/null", broker->address());
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    lines.clear();
    char buffer[65536];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) lines.emplace_back(buffer);
    pclose(pipe);
    if (lines.size() < 3) std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(lines.size(), 3u) << daemon->Log();
  std::set<int64_t> ids;
  for (const std::string& line : lines) {
    size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos);
    auto key = nlohmann::json::parse(line.substr(0, tab));
    auto envelope = nlohmann::json::parse(line.substr(tab + 1));
    EXPECT_EQ(envelope["op"], "c");
    EXPECT_EQ(envelope["after"]["id"], key["id"]);
    EXPECT_EQ(envelope["source"]["chain"], "regtest");
    ids.insert(key["id"].get<int64_t>());
  }
  EXPECT_EQ(ids, (std::set<int64_t>{1, 2, 3}));

  // Any event can be checked against the chain; an altered one fails.
  const std::string value = lines[0].substr(lines[0].find('\t') + 1);
  auto verified = RunCli(fmt::format("--node {} verify-event {}", daemon->address(), File("event.json", value)));
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  auto altered = nlohmann::json::parse(value);
  altered["after"]["name"] = "someone else";
  auto refused = RunCli(fmt::format("--node {} verify-event {}", daemon->address(), File("altered.json", altered.dump())));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("column 'name' differs"), std::string::npos) << refused.err;
  EXPECT_EQ(daemon->Stop(SIGTERM), 0);
  EXPECT_EQ(broker->Stop(SIGTERM), 0);
}

TEST_F(DaemonTest, FeedReplayRebuildsAnEqualCopyFromKafka) {
  auto broker = DaemonProcess::StartProgram(ROWCHAIN_CLI_PATH, {"dev-broker"});
  ASSERT_TRUE(broker);
  auto daemon = Start({"--miner", "cpu", "--threads", "1", "--kafka-brokers", broker->address()});
  ASSERT_TRUE(daemon);
  auto run = [&](const std::string& args) {
    auto r = RunCli(fmt::format("--node {} {}", daemon->address(), args));
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
  };
  run(fmt::format("submit --table users --rows {} --wait", File("all.json", UsersJson(1, 8))));
  run(fmt::format("submit --table users --op update --wait --rows {}",
                  File("upd.json", R"([{"id": 2, "name": "two", "age": 22}, {"id": 5, "name": "five", "age": 55}])")));
  run(fmt::format("submit --table users --op delete --wait --rows {}", File("del.json", R"([{"id": 3}, {"id": 7}])")));
  ASSERT_TRUE(Eventually([&] { return Count("SELECT COUNT(*) FROM rowchain_outbox") == 0; }, 30s, 100ms))
      << daemon->Log();

  TestDatabase replica;
  auto replay = RunCli(fmt::format("feed-replay --brokers {} --topic rowchain.users --chain regtest --into '{}' --until-idle 5",
                                   broker->address(), replica.text()));
  ASSERT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("applied 12 events"), std::string::npos) << replay.out;
  auto checksum = [](store::MysqlConnection& db) {
    auto rows = db.Query("CHECKSUM TABLE users");
    const consensus::Value& v = (*rows)[0][1];
    return v.kind() == consensus::Value::Kind::kInt ? std::to_string(v.as_int()) : v.as_string();
  };
  EXPECT_EQ(checksum(replica.admin()), checksum(m_db.admin()));
  EXPECT_EQ((*replica.admin().Query("SELECT COUNT(*) FROM users"))[0][0].as_int(), 6);
  EXPECT_EQ(daemon->Stop(SIGTERM), 0);
  EXPECT_EQ(broker->Stop(SIGTERM), 0);
}

TEST(DaemonFlags, BadSettingsExitTwoWithOneLine) {
  std::string dir = MakeTempDir("daemon-flags");
  WriteFile(dir + "/typo.toml", "mysql = \"mysql://u@localhost/db\"\nminre = \"cpu\"\n");
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  std::vector<Case> cases = {
      {{"--miner", "cpu"}, "--mysql is required"},
      {{"--mysql", "mysql://u@localhost/db", "--miner", "fast"}, "--miner must be"},
      {{"--mysql", "postgres://x/y"}, "mysql://"},
      {{"--config", dir + "/typo.toml"}, "typo.toml:2: minre: unknown key"},
      {{"--config", dir + "/missing.toml"}, "cannot read config file"},
      {{"--mysql", "mysql://u@localhost/db", "--chain", "mainnet-please"}, "neither a preset"},
      {{"--mysql", "mysql://u@localhost/db", "--devices", "0,x"}, "--devices"},
      {{"--mysql", "mysql://u@localhost/db", "--kafka-topic-prefix", "bad prefix"}, "not a Kafka topic name"},
      {{"--mysql", "mysql://u@localhost/db", "--kafka-ingest-topic", "in"}, "needs --kafka-brokers"},
      {{"--mysql", "mysql://u@localhost/db", "--peer-listen", "nowhere"}, "--peer-listen must be HOST:PORT or off"},
      {{"--mysql", "mysql://u@localhost/db", "--listen", "127.0.0.1:7400", "--peer-listen", "127.0.0.1:7400"},
       "must be different addresses"},
      {{"--mysql", "mysql://u@localhost/db", "--peer-secret", "short"}, "at least 16 characters"},
      {{"--mysql", "mysql://u@localhost/db", "--peer-timeout-s", "0"}, "--peer-timeout-s must be between"},
      {{"--mysql", "mysql://u@localhost/db", "--max-request-bytes", "10"}, "--max-request-bytes must be between"},
  };
  for (const Case& c : cases) {
    DaemonRun run = RunDaemonToExit(c.args);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find(c.expected), std::string::npos) << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  }
}

// Two nodes on one database used to mine into it together and corrupt its chain; two on one
// port used to share it (SO_REUSEPORT).
TEST_F(DaemonTest, ASecondNodeOnTheSameDatabaseOrPortExitsOneNamingWhy) {
  auto first = Start({"--miner", "off"});
  ASSERT_TRUE(first);
  DaemonRun same_db = RunDaemonToExit({"--mysql", m_db.text(), "--chain", "regtest", "--miner", "off", "--listen",
                                       "127.0.0.1:0"});
  EXPECT_EQ(same_db.exit_code, 1) << same_db.err;
  EXPECT_NE(same_db.err.find("is in use by another rowchain node"), std::string::npos) << same_db.err;
  EXPECT_NE(same_db.err.find("rowchaind: database "), std::string::npos) << "one line, not a log: " << same_db.err;

  TestDatabase other;
  DaemonRun same_port = RunDaemonToExit({"--mysql", other.text(), "--chain", "regtest", "--miner", "off", "--listen",
                                         first->address(), "--peer-listen", "127.0.0.1:0"});
  EXPECT_EQ(same_port.exit_code, 1) << same_port.err;
  EXPECT_NE(same_port.err.find("cannot listen on " + first->address()), std::string::npos) << same_port.err;
  DaemonRun same_peer_port = RunDaemonToExit({"--mysql", other.text(), "--chain", "regtest", "--miner", "off",
                                              "--listen", "127.0.0.1:0", "--peer-listen", first->peer_address()});
  EXPECT_EQ(same_peer_port.exit_code, 1) << same_peer_port.err;
  EXPECT_NE(same_peer_port.err.find("cannot listen on " + first->peer_address()), std::string::npos)
      << same_peer_port.err;

  // The lock goes with its holder: once the first node is gone (even killed), a node starts.
  ASSERT_EQ(first->Stop(SIGKILL), 128 + SIGKILL);
  auto successor = Start({"--miner", "off"});
  EXPECT_TRUE(successor);
}

// Watch streams that never read used to be unbounded in number and in what each held.
TEST_F(DaemonTest, AThousandWatchersThatNeverReadAreBoundedAndTheNodeKeepsSealing) {
  auto daemon = Start({"--miner", "cpu", "--threads", "1"});
  ASSERT_TRUE(daemon);
  auto channel = grpc::CreateChannel(daemon->address(), grpc::InsecureChannelCredentials());
  auto stub = pb::Ledger::NewStub(channel);
  constexpr int kWatchers = 1000;  // the node's bound (LedgerServiceOptions::max_block_watchers)
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<pb::BlockEvent>>> readers;
  pb::WatchBlocksRequest request;
  request.set_start_height(0);
  for (int i = 0; i < kWatchers; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    readers.push_back(stub->WatchBlocks(contexts.back().get(), request));
  }
  // One more than the bound is refused at once.
  ASSERT_TRUE(Eventually([&] {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    auto extra = stub->WatchBlocks(&context, request);
    pb::BlockEvent event;
    while (extra->Read(&event)) {
    }
    return extra->Finish().error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
  }, 30s, 100ms)) << daemon->Log();
  const int64_t rss_before = ResidentKib(daemon->pid());
  auto submit = RunCli(fmt::format("--node {} submit --table users --rows {} --batch-rows 100 --wait --timeout 60",
                                   daemon->address(), File("many.json", [] {
                                     nlohmann::json rows = nlohmann::json::array();
                                     for (int i = 1; i <= 2000; ++i) rows.push_back({{"id", i}, {"name", std::string(200, 'x')}, {"age", 1}});
                                     return rows.dump();
                                   }())));
  EXPECT_EQ(submit.exit_code, 0) << submit.err << daemon->Log();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), 2000);
  // Every block went to every watcher once (shared), and each stream's unsent bytes are bounded.
  const int64_t rss_after = ResidentKib(daemon->pid());
  EXPECT_LT(rss_after - rss_before, 512 * 1024) << rss_before << " -> " << rss_after << " KiB";
  for (auto& context : contexts) context->TryCancel();
  for (auto& reader : readers) (void)reader->Finish();
}


// A BIGINT UNSIGNED-sized number in a rows file used to be sent as -1.
TEST_F(DaemonTest, ARowsFileNumberPastInt64IsRefusedAndNothingIsStored) {
  auto daemon = Start({"--miner", "off"});
  ASSERT_TRUE(daemon);
  auto r = RunCli(fmt::format("--node {} submit --table users --rows {}", daemon->address(),
                              File("huge.json", R"([{"id": 18446744073709551615, "name": "x", "age": 1}])")));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("out of range of a 64-bit signed integer"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches"), 0);
}

// SIGTERM used to hang, rarely, under load: a watch stream whose write was in flight when the
// server cancelled it was never finished, so gRPC's Server::Shutdown waited for it forever.
// Fifty stops with writers and watchers at work: each ends within seconds, by itself (not by
// the daemon's last-resort exit), and every batch acknowledged before is sealed afterwards.
TEST_F(DaemonTest, FiftyStopsUnderLoadEachEndWithinSecondsAndLoseNoAcknowledgedBatch) {
  constexpr int kRounds = 50;
  std::atomic<int64_t> next_id{1};
  std::mutex acknowledged_mutex;
  std::vector<int64_t> acknowledged;  // the first row id of each acknowledged 5-row batch
  std::chrono::milliseconds slowest{0};
  for (int round = 0; round < kRounds; ++round) {
    auto daemon = Start({"--miner", "cpu", "--threads", "1"});
    ASSERT_TRUE(daemon);
    auto stub = Stub(*daemon);
    std::atomic<bool> done{false};
    std::atomic<int> acknowledged_this_round{0};
    std::vector<std::thread> load;
    for (int w = 0; w < 2; ++w) {
      load.emplace_back([&] {
        while (!done) {
          pb::SubmitBatchRequest request;
          request.set_table("users");
          const int64_t first = next_id.fetch_add(5);
          for (int64_t id = first; id < first + 5; ++id) *request.add_rows() = UserRow(id, "load", 1);
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() + 5s);
          pb::SubmitBatchResponse response;
          if (!stub->SubmitBatch(&context, request, &response).ok()) continue;
          std::lock_guard lock(acknowledged_mutex);
          acknowledged.push_back(first);
          ++acknowledged_this_round;
        }
      });
    }
    for (int w = 0; w < 3; ++w) {  // watchers replaying the chain, reading slowly
      load.emplace_back([&] {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + 30s);
        pb::WatchBlocksRequest request;
        request.set_start_height(0);
        auto reader = stub->WatchBlocks(&context, request);
        pb::BlockEvent event;
        while (!done && reader->Read(&event)) std::this_thread::sleep_for(2ms);
        context.TryCancel();
        (void)reader->Finish();
      });
    }
    EXPECT_TRUE(Eventually([&] { return acknowledged_this_round.load() >= 3; }, 10s, 5ms)) << "round " << round;
    const auto asked = std::chrono::steady_clock::now();
    const int code = daemon->Stop(SIGTERM, 20s);
    const auto took = std::chrono::steady_clock::now() - asked;
    done = true;
    for (std::thread& t : load) t.join();
    const std::string log = daemon->Log();
    ASSERT_EQ(code, 0) << "round " << round << "\n" << log;
    EXPECT_LT(took, 5s) << "round " << round << "\n" << log;
    slowest = std::max(slowest, std::chrono::duration_cast<std::chrono::milliseconds>(took));
    ASSERT_EQ(log.find("did not close within"), std::string::npos) << "round " << round << "\n" << log;
  }
  std::fprintf(stderr, "%d stops under load, the slowest in %lld ms\n", kRounds,
               static_cast<long long>(slowest.count()));
  auto daemon = Start({"--miner", "cpu", "--threads", "1"});
  ASSERT_TRUE(daemon);
  auto stub = Stub(*daemon);
  EXPECT_TRUE(Eventually(
      [&] {
        grpc::ClientContext context;
        pb::ChainInfo info;
        return stub->GetChainInfo(&context, {}, &info).ok() && info.pending_batches() == 0;
      },
      60s, 50ms));
  int64_t missing = 0;
  for (int64_t first : acknowledged) {
    missing += Count(fmt::format("SELECT 5 - COUNT(*) FROM users WHERE id BETWEEN {} AND {}", first, first + 4));
  }
  EXPECT_EQ(missing, 0) << "rows of acknowledged batches not sealed, of " << acknowledged.size() << " batches";
}

// A node database whose main-chain marks no longer agree with its blocks used to stop the node
// for good, with no hint how to recover. Now it names `--reindex`, which rebuilds the ledger
// from the stored blocks: the same tables as before the damage, also a row deleted behind the
// node's back, and a clean verify.
TEST_F(DaemonTest, ADamagedDatabaseNamesReindexAndReindexRebuildsTheSameTables) {
  auto daemon = Start({"--miner", "cpu", "--threads", "1"});
  ASSERT_TRUE(daemon);
  for (int batch = 0; batch < 4; ++batch) {
    auto r = RunCli(fmt::format("--node {} submit --table users --rows {} --wait", daemon->address(),
                                File(fmt::format("rows{}.json", batch), UsersJson(1 + 5 * batch, 5))));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  ASSERT_EQ(daemon->Stop(SIGTERM), 0);
  auto checksum = [&] { return (*m_db.admin().Query("CHECKSUM TABLE users"))[0][1].as_int(); };
  const int64_t before = checksum();
  const int64_t height = Count("SELECT MAX(height) FROM rowchain_blocks WHERE in_main = 1");
  ASSERT_GE(height, 2);
  ASSERT_TRUE(m_db.admin().Execute("UPDATE rowchain_blocks SET in_main = 0 WHERE height = 1").ok());
  ASSERT_TRUE(m_db.admin().Execute("DELETE FROM users WHERE id = 3").ok());

  DaemonRun damaged = RunDaemonToExit({"--mysql", m_db.text(), "--chain", "regtest", "--miner", "off", "--listen",
                                       "127.0.0.1:0", "--peer-listen", "off"});
  EXPECT_EQ(damaged.exit_code, 1) << damaged.err;
  EXPECT_NE(damaged.err.find("are not one chain"), std::string::npos) << damaged.err;
  EXPECT_NE(damaged.err.find("rowchaind --reindex"), std::string::npos) << damaged.err;

  auto repaired = Start({"--miner", "off", "--reindex"});
  ASSERT_TRUE(repaired);
  EXPECT_EQ(Count("SELECT MAX(height) FROM rowchain_blocks WHERE in_main = 1"), height);
  EXPECT_EQ(checksum(), before);
  ASSERT_EQ(repaired->Stop(SIGTERM), 0);
  auto verify = RunCli(fmt::format("verify --mysql '{}' --chain regtest", m_db.text()));
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace rowchain::testing
