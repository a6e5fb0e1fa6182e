// The mining farm as an operator runs it: a real rowchaind with --mining-listen and real
// rowchain-worker processes on loopback; a hostile worker scripted here over the real protocol
// (not the worker's own code); tokens; a peer's new tip and every worker's switch to it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <atomic>
#include <mutex>
#include <thread>

#include "consensus/block_template.h"
#include "consensus/pow.h"
#include "eventually.h"
#include "farm/farm_wire.h"
#include "rowchain/v1/ledger.grpc.pb.h"
#include "rowchain/v1/mining.grpc.pb.h"
#include "test_daemon.h"
#include "test_mysql.h"
#include "test_vectors.h"

namespace rowchain::testing {
namespace {

namespace pb = ::rowchain::v1;
using namespace std::chrono_literals;

class FarmTest : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = MakeTempDir("farm-test"); }

  // A pure job server on the dev chain (about 2^26 hashes a block): workers find shares
  // every quarter second and a block every second or two.
  std::unique_ptr<DaemonProcess> StartNode(TestDatabase& db, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--mysql", db.text(), "--chain", "dev", "--miner", "off",
                                     "--mining-listen", "127.0.0.1:0", "--worker-share-interval-ms", "250"};
    args.insert(args.end(), extra.begin(), extra.end());
    return DaemonProcess::Start(args);
  }
  std::unique_ptr<BackgroundProcess> StartWorker(const DaemonProcess& node, const std::string& name,
                                                 std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--node", node.mining_address(), "--backend", "cpu",
                                     "--threads", "1", "--name", name, "--report-s", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<BackgroundProcess>(ROWCHAIN_WORKER_PATH, args);
  }
  static pb::WorkerList Workers(const DaemonProcess& node) {
    auto stub = pb::FarmAdmin::NewStub(grpc::CreateChannel(node.address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    pb::WorkerList list;
    EXPECT_TRUE(stub->ListWorkers(&context, {}, &list).ok());
    return list;
  }
  static const pb::WorkerInfo* Find(const pb::WorkerList& list, const std::string& name) {
    for (const auto& w : list.workers()) {
      if (w.name() == name) return &w;
    }
    return nullptr;
  }
  static uint64_t Accepted(const DaemonProcess& node, const std::string& name) {
    pb::WorkerList list = Workers(node);
    const pb::WorkerInfo* w = Find(list, name);
    return w ? w->accepted() : 0;
  }
  static pb::ChainInfo Info(const DaemonProcess& node) {
    auto stub = pb::Ledger::NewStub(grpc::CreateChannel(node.address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    pb::ChainInfo info;
    EXPECT_TRUE(stub->GetChainInfo(&context, {}, &info).ok());
    return info;
  }
  CommandResult Submit(const DaemonProcess& node, int from, int count, bool wait) {
    const std::string file = fmt::format("{}/rows-{}.json", m_dir, from);
    WriteFile(file, UsersJson(from, count));
    return RunCliFor(fmt::format("--node {} submit --table users --rows {}{}", node.address(), file, wait ? " --wait" : ""),
                     120);
  }

  // Keeps a batch pending on `node` (one row every 200 ms from `first_id`), so its workers
  // always hold a job: shares come only while a job is searched.
  class Feeder {
   public:
    Feeder(FarmTest& test, const DaemonProcess& node, int first_id)
        : m_thread([&test, &node, first_id](std::stop_token stop) {
            for (int i = 0; !stop.stop_requested() && i < 1000; ++i) {
              test.Submit(node, first_id + i, 1, false);
              std::this_thread::sleep_for(200ms);
            }
          }) {}

   private:
    std::jthread m_thread;
  };

  TestDatabase m_db;
  std::string m_dir;
};

TEST_F(FarmTest, ThreeCpuWorkersSealBatchesWithVerifiedSharesFromRangesThatNeverMeet) {
  auto node = StartNode(m_db);
  ASSERT_TRUE(node);
  ASSERT_NE(node->mining_address(), "off");
  std::vector<std::unique_ptr<BackgroundProcess>> workers;
  for (const char* name : {"w1", "w2", "w3"}) workers.push_back(StartWorker(*node, name));
  for (int i = 0; i < 3; ++i) {
    auto submitted = Submit(*node, 1 + i * 10, 10, true);
    ASSERT_EQ(submitted.exit_code, 0) << submitted.err << node->Log();
  }
  EXPECT_EQ((*m_db.admin().Query("SELECT COUNT(*) FROM users WHERE id <= 30"))[0][0].as_int(), 30);
  // Every worker shows verified work (its hash rate comes from shares the node re-hashed).
  {
    Feeder feeder(*this, *node, 1000);
    ASSERT_TRUE(Eventually([&] {
      for (const char* name : {"w1", "w2", "w3"}) {
        if (Accepted(*node, name) < 3) return false;
      }
      return true;
    }, 90s)) << node->Log() << workers[0]->Log();
  }
  pb::WorkerList list = Workers(*node);
  ASSERT_EQ(list.workers_size(), 3);
  uint64_t blocks = 0;
  for (const auto& w : list.workers()) {
    EXPECT_TRUE(w.connected()) << w.name();
    EXPECT_EQ(w.rejected(), 0u) << w.name();
    EXPECT_GT(w.hash_rate_60s(), 0) << w.name();
    // What the node accepted from each lies inside that worker's own range ...
    ASSERT_TRUE(w.has_lowest_extra_nonce() && w.has_highest_extra_nonce()) << w.name();
    EXPECT_GE(w.lowest_extra_nonce(), w.extra_nonce_first()) << w.name();
    EXPECT_LT(w.highest_extra_nonce() - w.extra_nonce_first(), w.extra_nonce_count()) << w.name();
    blocks += w.blocks();
    // ... and no two ranges meet.
    for (const auto& other : list.workers()) {
      if (&other == &w) continue;
      EXPECT_TRUE(w.extra_nonce_first() + w.extra_nonce_count() <= other.extra_nonce_first() ||
                  other.extra_nonce_first() + other.extra_nonce_count() <= w.extra_nonce_first());
    }
  }
  EXPECT_GE(blocks, 1u);
  EXPECT_GE(Info(*node).height(), blocks);
  // The same through the CLI, as an operator reads it.
  auto cli = RunCli(fmt::format("--node {} workers --json", node->address()));
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  auto json = nlohmann::json::parse(cli.out);
  EXPECT_EQ(json["workers"].size(), 3u);
  EXPECT_EQ(json["mining_listen"], node->mining_address());
  auto table = RunCli(fmt::format("--node {} workers", node->address()));
  EXPECT_NE(table.out.find("w2"), std::string::npos) << table.out;
  EXPECT_NE(workers[0]->Log().find("MH/s"), std::string::npos);  // the worker shows its rate
}

TEST_F(FarmTest, WithoutWorkersNothingIsSealedAndOneWorkerResumesSealingWithinSeconds) {
  auto node = StartNode(m_db);
  ASSERT_TRUE(node);
  auto worker = StartWorker(*node, "only");
  ASSERT_EQ(Submit(*node, 1, 5, true).exit_code, 0) << node->Log();
  const uint64_t height = Info(*node).height();
  worker->Stop(SIGKILL);
  ASSERT_TRUE(Eventually([&] { return !Find(Workers(*node), "only")->connected(); }, 30s));
  ASSERT_EQ(Submit(*node, 100, 5, false).exit_code, 0);
  // Held for 3 s: long enough for a worker to have sealed twice.
  EXPECT_TRUE(HoldsThroughout([&] {
    pb::ChainInfo info = Info(*node);
    return info.height() == height && info.pending_batches() == 1;
  }, 3s));
  auto back = StartWorker(*node, "back");
  const auto restarted = std::chrono::steady_clock::now();
  ASSERT_TRUE(Eventually([&] { return Info(*node).pending_batches() == 0; }, 60s)) << node->Log() << back->Log();
  std::printf("sealing resumed %.1f s after a worker started\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - restarted).count());
  EXPECT_GT(Info(*node).height(), height);
  // SIGTERM: the worker stops hashing and exits cleanly.
  EXPECT_EQ(back->Stop(SIGTERM, 10s), 0) << back->Log();
}

// A hostile worker, scripted here over the real protocol.
class HostileWorker {
 public:
  HostileWorker(const std::string& address, const std::string& name, const std::string& token = "") {
    m_stub = pb::Mining::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    if (!token.empty()) m_context.AddMetadata("authorization", "Bearer " + token);
    m_stream = m_stub->Work(&m_context);
    pb::WorkerMessage hello;
    hello.mutable_hello()->set_protocol_version(1);
    hello.mutable_hello()->set_name(name);
    hello.mutable_hello()->set_nominal_hash_rate(1);  // the smallest share target there is
    m_stream->Write(hello);
  }
  // The next message of this kind (others are kept in order), within 30 s.
  std::optional<pb::NodeMessage> Next(pb::NodeMessage::KindCase kind) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    pb::NodeMessage m;
    while (std::chrono::steady_clock::now() < deadline && m_stream->Read(&m)) {
      if (m.has_job()) m_job = *farm::JobFromProto(m.job());
      if (m.has_share_target() && m_job) m_job->share_target = *farm::TargetFromBytes(m.share_target().target(), "t");
      if (m.kind_case() == kind) return m;
    }
    return std::nullopt;
  }
  bool Share(uint64_t job_id, uint64_t extra_nonce, uint32_t nonce) {
    pb::WorkerMessage m;
    m.mutable_share()->set_job_id(job_id);
    m.mutable_share()->set_extra_nonce(extra_nonce);
    m.mutable_share()->set_nonce(nonce);
    return m_stream->Write(m);
  }
  std::string Outcome() {
    auto result = Next(pb::NodeMessage::kShareResult);
    return result ? result->share_result().outcome() : "(none)";
  }
  // A nonce whose hash meets (or misses) the job's share target, found by hashing here.
  uint32_t Nonce(uint64_t extra_nonce, bool meets) const {
    consensus::BlockHeader h = m_job->Template().HeaderForExtraNonce(extra_nonce);
    for (uint32_t n = 0;; ++n) {
      h.nonce = n;
      if (consensus::HashMeetsTarget(h.Hash(), m_job->share_target) == meets) return n;
    }
  }
  grpc::Status Finish() {
    pb::NodeMessage m;
    while (m_stream->Read(&m)) {
    }
    return m_stream->Finish();
  }
  grpc::ClientReaderWriter<pb::WorkerMessage, pb::NodeMessage>& stream() { return *m_stream; }
  std::optional<farm::WorkerJob> m_job;

 private:
  std::unique_ptr<pb::Mining::Stub> m_stub;
  grpc::ClientContext m_context;
  std::unique_ptr<grpc::ClientReaderWriter<pb::WorkerMessage, pb::NodeMessage>> m_stream;
};

TEST_F(FarmTest, AHostileWorkersBadSharesAreRefusedCountedAndCutOffWhileOthersMineOn) {
  auto node = StartNode(m_db);
  ASSERT_TRUE(node);
  ASSERT_EQ(Submit(*node, 1, 3, false).exit_code, 0);
  HostileWorker hostile(node->mining_address(), "hostile");
  ASSERT_TRUE(hostile.Next(pb::NodeMessage::kJob)) << node->Log();
  const farm::WorkerJob job = *hostile.m_job;
  const uint64_t e = job.extra_nonce_first;
  const uint32_t good = hostile.Nonce(e, true);
  hostile.Share(job.id, e, good);
  EXPECT_EQ(hostile.Outcome(), "accepted");
  hostile.Share(job.id, e, good);
  EXPECT_EQ(hostile.Outcome(), "duplicate");
  hostile.Share(job.id + 1000, e, good);
  EXPECT_EQ(hostile.Outcome(), "unknown-job");
  hostile.Share(job.id, e, hostile.Nonce(e, false));
  EXPECT_EQ(hostile.Outcome(), "high-hash");
  hostile.Share(job.id, job.extra_nonce_first + job.extra_nonce_count, good);
  EXPECT_EQ(hostile.Outcome(), "out-of-range");

  // An honest worker seals the block: the hostile one hears of the new tip at once, and its
  // solution for the old prev hash is worth nothing.
  auto honest = StartWorker(*node, "honest");
  ASSERT_TRUE(hostile.Next(pb::NodeMessage::kNewPrevHash)) << node->Log();
  hostile.Share(job.id, e, hostile.Nonce(e + 1, true));
  const std::string old_job = hostile.Outcome();
  EXPECT_TRUE(old_job == "stale" || old_job == "unknown-job") << old_job;
  ASSERT_TRUE(Eventually([&] { return Info(*node).pending_batches() == 0; }, 60s));

  // A flood ends the hostile stream; the honest worker mines on.
  const uint64_t honest_before = Accepted(*node, "honest");
  pb::WorkerMessage started;
  started.mutable_job_started()->set_job_id(1);
  for (int i = 0; i < 2000 && hostile.stream().Write(started); ++i) {
  }
  grpc::Status flood = hostile.Finish();
  EXPECT_EQ(flood.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << flood.error_message();
  ASSERT_EQ(Submit(*node, 100, 3, true).exit_code, 0) << node->Log();
  EXPECT_TRUE(Eventually([&] { return Accepted(*node, "honest") > honest_before; }, 30s));
  pb::WorkerList list = Workers(*node);
  const pb::WorkerInfo* h = Find(list, "hostile");
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->connected());
  EXPECT_EQ(h->accepted(), 1u);
  EXPECT_GE(h->rejected(), 4u);
  EXPECT_EQ(Find(list, "honest")->rejected(), 0u);

  // Past the allowance of bad shares: disconnected with the reason.
  ASSERT_EQ(Submit(*node, 200, 3, false).exit_code, 0);
  HostileWorker liar(node->mining_address(), "liar");
  ASSERT_TRUE(liar.Next(pb::NodeMessage::kJob));
  for (int i = 0; i < 11; ++i) liar.Share(liar.m_job->id, 0, i);  // out of its range
  grpc::Status cut = liar.Finish();
  EXPECT_EQ(cut.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << cut.error_message();
  EXPECT_NE(cut.error_message().find("bad shares"), std::string::npos) << cut.error_message();
}

TEST_F(FarmTest, ASilentOrMalformedWorkerIsCutOffWithAPreciseStatus) {
  auto node = StartNode(m_db);
  ASSERT_TRUE(node);
  {
    auto stub = pb::Mining::NewStub(grpc::CreateChannel(node->mining_address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    auto stream = stub->Work(&context);  // and says nothing
    pb::NodeMessage m;
    const auto start = std::chrono::steady_clock::now();
    while (stream->Read(&m)) {
    }
    // Disconnected at the hello deadline (the sync server can only cancel a blocked read).
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
    EXPECT_NE(node->Log().find("said no hello within 10000 ms"), std::string::npos);
  }
  auto stub = pb::Mining::NewStub(grpc::CreateChannel(node->mining_address(), grpc::InsecureChannelCredentials()));
  auto refused = [&](pb::WorkerMessage first) {
    grpc::ClientContext context;
    auto stream = stub->Work(&context);
    stream->Write(first);
    pb::NodeMessage m;
    while (stream->Read(&m)) {
    }
    return stream->Finish();
  };
  pb::WorkerMessage share_first;
  share_first.mutable_share()->set_job_id(1);
  EXPECT_EQ(refused(share_first).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  pb::WorkerMessage bad_name;
  bad_name.mutable_hello()->set_protocol_version(1);
  bad_name.mutable_hello()->set_name("two words\n");
  EXPECT_EQ(refused(bad_name).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  pb::WorkerMessage old_version = bad_name;
  old_version.mutable_hello()->set_name("ok");
  old_version.mutable_hello()->set_protocol_version(99);
  EXPECT_EQ(refused(old_version).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  pb::WorkerMessage oversized = old_version;
  oversized.mutable_hello()->set_name(std::string(100'000, 'x'));
  EXPECT_EQ(refused(oversized).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // The node is unharmed.
  EXPECT_EQ(Info(*node).height(), 0u);
  EXPECT_EQ(Workers(*node).workers_size(), 0);
}

TEST_F(FarmTest, WithWorkerTokensAWorkerWithoutTheRightOneIsUnauthenticated) {
  const std::string config = m_dir + "/rowchaind.toml";
  WriteFile(config, "[[workers]]\nname = \"rig1\"\ntoken = \"rig1-secret-token-0001\"\n");
  auto node = StartNode(m_db, {"--config", config});
  ASSERT_TRUE(node);
  EXPECT_EQ(HostileWorker(node->mining_address(), "x").Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(HostileWorker(node->mining_address(), "x", "wrong").Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto wrong = StartWorker(*node, "rig1", {"--token", "rig1-secret-token-0002"});
  ASSERT_TRUE(Eventually([&] { return wrong->ExitedWith().has_value(); }, 30s));
  EXPECT_NE(wrong->Log().find("credentials"), std::string::npos) << wrong->Log();
  auto right = StartWorker(*node, "ignored", {"--token", "rig1-secret-token-0001"});
  ASSERT_TRUE(Eventually([&] { return Find(Workers(*node), "rig1") != nullptr; }, 30s)) << right->Log();
  EXPECT_EQ(Find(Workers(*node), "ignored"), nullptr);  // the token names the worker
  EXPECT_EQ(node->Log().find("rig1-secret-token"), std::string::npos);
  // Reachable from other hosts without tokens or client certificates: refused at start.
  auto open = RunDaemonToExit({"--mysql", m_db.text(), "--chain", "dev", "--mining-listen", "0.0.0.0:0"});
  EXPECT_EQ(open.exit_code, 2);
  EXPECT_NE(open.err.find("--mining-listen"), std::string::npos) << open.err;
}

TEST_F(FarmTest, WithMutualTlsTheCertificatesCommonNameNamesTheWorker) {
  const std::string cert = m_dir + "/node.crt", key = m_dir + "/node.key";
  ASSERT_EQ(std::system(fmt::format("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext "
                                    "subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout {} -out {} >/dev/null 2>&1",
                                    key, cert).c_str()),
            0);
  auto node = StartNode(m_db, {"--tls-cert", cert, "--tls-key", key, "--tls-ca", cert});
  ASSERT_TRUE(node);
  auto with_cert = StartWorker(*node, "ignored", {"--tls-ca", cert, "--tls-cert", cert, "--tls-key", key});
  auto without = StartWorker(*node, "no-cert", {"--tls-ca", cert});
  const std::string tls = fmt::format("--tls-ca {} --tls-cert {} --tls-key {}", cert, cert, key);
  std::string last_error;
  auto names = [&] {
    auto r = RunCli(fmt::format("--node {} {} workers --json", node->address(), tls));
    std::set<std::string> out;
    last_error = fmt::format("exit {}: {}{}", r.exit_code, r.err, r.out);
    if (r.exit_code != 0) return out;
    const nlohmann::json list = nlohmann::json::parse(r.out);  // kept: the loop reads into it
    for (const auto& w : list["workers"]) out.insert(w["name"].get<std::string>());
    return out;
  };
  ASSERT_TRUE(Eventually([&] { return names().contains("localhost"); }, 30s)) << last_error << with_cert->Log();
  EXPECT_EQ(names(), std::set<std::string>{"localhost"});  // the one without a certificate never got in
  EXPECT_NE(without->Log().find("retrying"), std::string::npos) << without->Log();
}

TEST_F(FarmTest, TheNodesOwnMinerAndItsWorkersSearchTheSameTemplatesTogether) {
  auto node = DaemonProcess::Start({"--mysql", m_db.text(), "--chain", "dev", "--miner", "cpu", "--threads", "1",
                                    "--mining-listen", "127.0.0.1:0", "--worker-share-interval-ms", "250"});
  ASSERT_TRUE(node);
  auto worker = StartWorker(*node, "helper");
  {
    Feeder feeder(*this, *node, 1);
    ASSERT_TRUE(Eventually([&] { return Accepted(*node, "helper") >= 3 && Info(*node).height() >= 3; }, 90s))
        << node->Log();
  }
  EXPECT_NE(Info(*node).miner().find("remote workers"), std::string::npos) << Info(*node).miner();
  EXPECT_EQ(Find(Workers(*node), "helper")->rejected(), 0u);
}

// A TCP relay on loopback that the test can cut: Cut closes every connection through it and
// refuses new ones until Restore. Stands between a worker and its node.
class CuttableRelay {
 public:
  explicit CuttableRelay(const std::string& target) : m_target_port(std::stoi(target.substr(target.rfind(':') + 1))) {
    m_listen = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(m_listen, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    listen(m_listen, 16);
    m_acceptor = std::jthread([this](std::stop_token stop) { Accept(stop); });
  }
  ~CuttableRelay() {
    m_acceptor.request_stop();
    shutdown(m_listen, SHUT_RDWR);
    close(m_listen);
    Cut();
    m_acceptor = {};
    m_pumps.clear();
  }
  std::string address() const { return fmt::format("127.0.0.1:{}", m_port); }
  void Cut() {
    std::lock_guard lock(m_mutex);
    m_down = true;
    for (int fd : m_open) shutdown(fd, SHUT_RDWR);
  }
  void Restore() {
    std::lock_guard lock(m_mutex);
    m_down = false;
  }

 private:
  void Accept(std::stop_token stop) {
    while (!stop.stop_requested()) {
      int client = accept(m_listen, nullptr, nullptr);
      if (client < 0) return;
      std::lock_guard lock(m_mutex);
      if (m_down) {
        close(client);
        continue;
      }
      int upstream = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(m_target_port));
      if (connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        close(client);
        close(upstream);
        continue;
      }
      m_open.insert(m_open.end(), {client, upstream});
      m_pumps.emplace_back([client, upstream] { Pump(client, upstream); });
    }
  }
  // Both directions until either side closes.
  static void Pump(int a, int b) {
    pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    char buffer[16384];
    while (poll(fds, 2, 200) >= 0) {
      bool done = false;
      for (int i = 0; i < 2 && !done; ++i) {
        if (fds[i].revents == 0) continue;
        const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
        done = n <= 0 || write(fds[1 - i].fd, buffer, static_cast<size_t>(n)) != n;
      }
      if (done) break;
    }
    close(a);
    close(b);
  }

  int m_target_port;
  int m_listen = -1;
  int m_port = 0;
  std::mutex m_mutex;
  bool m_down = false;
  std::vector<int> m_open;
  std::vector<std::jthread> m_pumps;
  std::jthread m_acceptor;
};

TEST_F(FarmTest, AWorkerKeepsHashingItsJobThroughAShortDisconnectionAndItsSharesCountAfter) {
  auto node = StartNode(m_db);
  ASSERT_TRUE(node);
  ASSERT_EQ(Submit(*node, 1, 1, false).exit_code, 0);  // one job, and no block ends it quickly:
  CuttableRelay relay(node->mining_address());         // the node's chain is 2^26 hashes a block
  std::vector<std::string> args = {"--node", relay.address(), "--backend", "cpu", "--threads", "1", "--name", "roamer",
                                   "--report-s", "1"};
  BackgroundProcess worker(ROWCHAIN_WORKER_PATH, args);
  ASSERT_TRUE(Eventually([&] { return Accepted(*node, "roamer") >= 1; }, 60s)) << worker.Log();
  if (Info(*node).pending_batches() == 0) GTEST_SKIP() << "the worker sealed the batch before the cut";
  relay.Cut();
  ASSERT_TRUE(Eventually([&] { return worker.Log().find("retrying") != std::string::npos; }, 30s)) << worker.Log();
  const size_t cut_at = worker.Log().find("retrying");
  // Two report lines while cut off: still hashing the job it holds.
  ASSERT_TRUE(Eventually([&] {
    const std::string after = worker.Log().substr(cut_at);
    size_t lines = 0;
    for (size_t at = after.find("total "); at != std::string::npos; at = after.find("total ", at + 1)) ++lines;
    return lines >= 2;
  }, 30s)) << worker.Log();
  const std::string during = worker.Log().substr(cut_at);
  EXPECT_EQ(during.find("total 0.00 MH/s"), std::string::npos) << during;
  EXPECT_EQ(during.find("no job"), std::string::npos) << during;
  const uint64_t before = Accepted(*node, "roamer");
  relay.Restore();
  ASSERT_TRUE(Eventually([&] { return Accepted(*node, "roamer") > before || Info(*node).pending_batches() == 0; }, 60s))
      << worker.Log();
  EXPECT_EQ(Find(Workers(*node), "roamer")->rejected(), 0u);  // nothing it sent after was refused
}

TEST_F(FarmTest, ANewTipFromAPeerSwitchesEveryWorkerToTheNextJob) {
  TestDatabase peer_db;
  auto peer = DaemonProcess::Start({"--mysql", peer_db.text(), "--chain", "dev", "--miner", "cpu", "--threads", "1"});
  ASSERT_TRUE(peer);
  auto node = StartNode(m_db, {"--peer", peer->peer_address()});
  ASSERT_TRUE(node);
  auto w1 = StartWorker(*node, "w1");
  auto w2 = StartWorker(*node, "w2");
  // Both keep a pool, so the farm holds a job when the peer's blocks arrive.
  bool switched = false;
  {
    Feeder farm_feed(*this, *node, 10'000);
    Feeder peer_feed(*this, *peer, 20'000);
    switched = Eventually([&] { return Workers(*node).recent_switch_latency_us_size() >= 4; }, 120s);
  }
  ASSERT_TRUE(switched) << node->Log();
  auto list = Workers(*node);
  std::vector<uint64_t> us(list.recent_switch_latency_us().begin(), list.recent_switch_latency_us().end());
  std::sort(us.begin(), us.end());
  std::printf("switch latency over %zu switches: p50 %llu us, max %llu us\n", us.size(),
              static_cast<unsigned long long>(us[us.size() / 2]), static_cast<unsigned long long>(us.back()));
  // A generous bound for a shared 2-core machine; BENCHMARKS.md has the measured figures.
  EXPECT_LT(us[us.size() / 2], 500'000u);
}

}  // namespace
}  // namespace rowchain::testing
