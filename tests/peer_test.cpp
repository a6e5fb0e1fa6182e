// The peer network with real rowchaind processes on one private MariaDB (a database per node):
// concurrent mining converges, a restarted node catches up, a partition heals by reorg, and a
// bad peer is refused without anything being written.
#include <signal.h>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstring>
#include <sstream>
#include <thread>

#include "chain/chain_config.h"
#include "consensus/compact.h"
#include "consensus/hash.h"
#include "consensus/pow.h"
#include "rowchain/v1/ledger.grpc.pb.h"
#include "rowchain/v1/peer.grpc.pb.h"
#include "test_chain.h"
#include "test_daemon.h"
#include "test_mysql.h"
#include "test_vectors.h"
#include "eventually.h"
#include "peer/ban_list.h"

namespace rowchain::testing {
namespace {

namespace pb = ::rowchain::v1;
using namespace std::chrono_literals;

struct NodeUnderTest {
  TestDatabase db;
  int port = FreePort();
  std::unique_ptr<DaemonProcess> process;
  std::string address() const { return fmt::format("127.0.0.1:{}", port); }
};

class PeerTest : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = MakeTempDir("peer-test"); }

  void StartNode(NodeUnderTest& node, const std::vector<const NodeUnderTest*>& peers, bool mining = true) {
    std::vector<std::string> args = {"--mysql", node.db.text(), "--chain", "regtest", "--listen", node.address(),
                                     "--miner", mining ? "cpu" : "off", "--threads", "1"};
    for (const NodeUnderTest* peer : peers) args.insert(args.end(), {"--peer", peer->address()});
    node.process = DaemonProcess::Start(args);
    ASSERT_TRUE(node.process);
  }
  static pb::ChainInfo Info(const NodeUnderTest& node) {
    auto stub = pb::Ledger::NewStub(grpc::CreateChannel(node.address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    pb::ChainInfo info;
    (void)stub->GetChainInfo(&context, {}, &info);
    return info;
  }
  // Every node on one tip with nothing pending, twice in a row.
  static bool Converged(const std::vector<NodeUnderTest*>& nodes, std::chrono::seconds timeout = 120s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int stable = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      std::set<std::string> tips;
      uint64_t pending = 0;
      for (NodeUnderTest* n : nodes) {
        pb::ChainInfo info = Info(*n);
        tips.insert(info.tip_hash());
        pending += info.pending_batches();
      }
      stable = tips.size() == 1 && !tips.begin()->empty() && pending == 0 ? stable + 1 : 0;
      if (stable == 2) return true;
      std::this_thread::sleep_for(300ms);
    }
    return false;
  }
  static std::string Checksum(NodeUnderTest& node) {
    auto rows = node.db.admin().Query("CHECKSUM TABLE users");
    return (*rows)[0][1].kind() == consensus::Value::Kind::kInt ? std::to_string((*rows)[0][1].as_int())
                                                                : (*rows)[0][1].as_string();
  }
  static int64_t Count(NodeUnderTest& node, const std::string& sql) {
    return (*node.db.admin().Query(sql))[0][0].as_int();
  }
  std::string RowsFile(int first_id, int count) {
    nlohmann::json rows = nlohmann::json::array();
    for (int i = first_id; i < first_id + count; ++i) rows.push_back({{"id", i}, {"name", fmt::format("u{}", i)}, {"age", i % 90}});
    std::string path = fmt::format("{}/rows-{}.json", m_dir, first_id);
    WriteFile(path, rows.dump());
    return path;
  }
  std::string Logs(const std::vector<NodeUnderTest*>& nodes) {
    std::string all;
    for (NodeUnderTest* n : nodes) all += n->process ? n->process->Log() : std::string();
    return all;
  }

  std::string m_dir;
};

TEST_F(PeerTest, ThreeMiningNodesConvergeOnOneChainAndIdenticalTables) {
  NodeUnderTest a, b, c;
  StartNode(a, {&b, &c});
  StartNode(b, {&a, &c});
  StartNode(c, {&a, &b});
  // Writers send batches to different nodes at the same time.
  std::vector<std::thread> writers;
  std::vector<int> exits(3, -1);
  NodeUnderTest* nodes[] = {&a, &b, &c};
  for (int i = 0; i < 3; ++i) {
    std::string file = RowsFile(1000 * (i + 1), 60);
    writers.emplace_back([&, i, file] {
      exits[i] = RunCli(fmt::format("--node {} submit --table users --rows {} --batch-rows 10", nodes[i]->address(), file))
                     .exit_code;
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(exits, (std::vector<int>{0, 0, 0}));
  ASSERT_TRUE(Converged({&a, &b, &c})) << Logs({&a, &b, &c});

  const std::string checksum = Checksum(a);
  for (NodeUnderTest* n : nodes) {
    EXPECT_EQ(Checksum(*n), checksum);
    EXPECT_EQ(Count(*n, "SELECT COUNT(*) FROM users"), 180);  // every row once
    EXPECT_EQ(Count(*n, "SELECT COUNT(*) FROM rowchain_batches WHERE state = 1"), 18);  // every batch sealed
    n->process->Stop(SIGTERM);
    auto verify = RunCli(fmt::format("verify --mysql '{}' --chain regtest", n->db.text()));
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  }
}

TEST_F(PeerTest, ARestartedNodeCatchesUp) {
  NodeUnderTest a, b;
  StartNode(a, {&b});
  StartNode(b, {&a});
  ASSERT_EQ(RunCli(fmt::format("--node {} submit --table users --rows {} --wait", a.address(), RowsFile(1, 20))).exit_code, 0);
  ASSERT_TRUE(Converged({&a, &b}));
  ASSERT_EQ(b.process->Stop(SIGTERM), 0);
  // While b is down, a seals 30 more blocks.
  for (int i = 0; i < 30; ++i) {
    auto r = RunCli(fmt::format("--node {} submit --table users --rows {} --wait", a.address(), RowsFile(100 + 10 * i, 10)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  StartNode(b, {&a});
  ASSERT_TRUE(Converged({&a, &b})) << Logs({&a, &b});
  EXPECT_GE(Info(b).height(), 31u);
  EXPECT_EQ(Checksum(a), Checksum(b));
  EXPECT_EQ(Count(b, "SELECT COUNT(*) FROM users"), 320);
}

TEST_F(PeerTest, APartitionHealsByReorgAndNoRowIsLostOrDuplicated) {
  NodeUnderTest a, b;
  StartNode(a, {});
  StartNode(b, {});
  // Apart: a seals 2 blocks, b seals 4 (more work).
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(RunCli(fmt::format("--node {} submit --table users --rows {} --wait", a.address(), RowsFile(10 * i, 5))).exit_code, 0);
  }
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(RunCli(fmt::format("--node {} submit --table users --rows {} --wait", b.address(), RowsFile(500 + 10 * i, 5))).exit_code, 0);
  }
  ASSERT_EQ(Info(a).height(), 2u);
  ASSERT_EQ(Info(b).height(), 4u);
  // Joined: a learns of b's heavier branch, reorgs, and seals its own batches again on top.
  ASSERT_EQ(a.process->Stop(SIGTERM), 0);
  StartNode(a, {&b});
  ASSERT_TRUE(Converged({&a, &b})) << Logs({&a, &b});
  EXPECT_GE(Info(a).height(), 5u);
  EXPECT_EQ(Checksum(a), Checksum(b));
  EXPECT_EQ(Count(a, "SELECT COUNT(*) FROM users"), 30);
  EXPECT_EQ(Count(b, "SELECT COUNT(*) FROM users"), 30);
  EXPECT_NE(a.process->Log().find("reorg"), std::string::npos);
}

TEST_F(PeerTest, CompetingBlocksAtOneHeightSettleOnTheTieBreakAndTheLoserReseals) {
  NodeUnderTest a, b;
  StartNode(a, {});
  StartNode(b, {});
  ASSERT_EQ(RunCli(fmt::format("--node {} submit --table users --rows {} --wait", a.address(), RowsFile(1, 5))).exit_code, 0);
  ASSERT_EQ(RunCli(fmt::format("--node {} submit --table users --rows {} --wait", b.address(), RowsFile(100, 5))).exit_code, 0);
  const std::string tip_a = Info(a).tip_hash(), tip_b = Info(b).tip_hash();
  ASSERT_NE(tip_a, tip_b);
  // Link them with no further submissions: equal work, so the lower hash wins on both.
  ASSERT_EQ(a.process->Stop(SIGTERM), 0);
  StartNode(a, {&b});
  ASSERT_TRUE(Converged({&a, &b})) << Logs({&a, &b});
  EXPECT_EQ(Info(a).tip_hash(), Info(b).tip_hash());
  EXPECT_EQ(Info(a).height(), 2u);  // the loser's batch sealed again on top of the winner
  EXPECT_EQ(Count(a, "SELECT COUNT(*) FROM users"), 10);
  EXPECT_EQ(Checksum(a), Checksum(b));
  // The winner at height 1 is the lower hash of the two.
  auto stub = pb::Ledger::NewStub(grpc::CreateChannel(a.address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  pb::GetBlockRequest request;
  request.set_height(1);
  request.set_header_only(true);
  pb::Block block;
  ASSERT_TRUE(stub->GetBlock(&context, request, &block).ok());
  EXPECT_EQ(block.header().hash(), std::min(tip_a, tip_b));
}

TEST_F(PeerTest, WithTlsPeersNeedACertificateFromTheCaAndAnOutsiderGetsNoBlockForASecond) {
  std::string cert = m_dir + "/node.crt", key = m_dir + "/node.key";
  ASSERT_EQ(std::system(fmt::format("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext "
                                    "subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout {} -out {} >/dev/null 2>&1",
                                    key, cert).c_str()),
            0);
  NodeUnderTest a, b, outsider;
  auto start = [&](NodeUnderTest& node, const NodeUnderTest* peer, bool tls) {
    std::vector<std::string> args = {"--mysql", node.db.text(), "--chain", "regtest", "--listen", node.address(),
                                     "--miner", "cpu", "--threads", "1", "--peer", peer->address()};
    if (tls) args.insert(args.end(), {"--tls-cert", cert, "--tls-key", key, "--tls-ca", cert});
    node.process = DaemonProcess::Start(args);
    ASSERT_TRUE(node.process);
  };
  start(a, &b, true);
  start(b, &a, true);
  start(outsider, &a, false);  // no certificate: its link to a never opens
  std::string tls_flags = fmt::format("--tls-ca {} --tls-cert {} --tls-key {}", cert, cert, key);
  auto r = RunCli(fmt::format("--node {} {} submit --table users --rows {} --wait", a.address(), tls_flags, RowsFile(1, 5)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Eventually(
      [&] {
        auto tip = RunCli(fmt::format("--node {} {} tip --json", b.address(), tls_flags));
        return tip.exit_code == 0 && nlohmann::json::parse(tip.out)["height"] == 1;
      },
      60s, 200ms));
  EXPECT_EQ(Count(b, "SELECT COUNT(*) FROM users"), 5);
  // The outsider dials a every 250 ms or so: a second is several refused handshakes.
  EXPECT_TRUE(HoldsThroughout([&] { return Count(outsider, "SELECT COUNT(*) FROM rowchain_blocks") == 1; }, 1s, 100ms));
}

TEST_F(PeerTest, AFreshNodeSyncsFromTwoPeersWithoutFetchingABlockTwice) {
  // One row per block, so 300 rows make 300 blocks.
  std::string chain_text(chain::PresetToml("regtest"));
  chain_text.replace(chain_text.find("max_block_rows = 10000"), 22, "max_block_rows = 1");
  std::string chain_file = m_dir + "/one-row.toml";
  WriteFile(chain_file, chain_text);
  NodeUnderTest a, b, c;
  auto start = [&](NodeUnderTest& node, const std::vector<const NodeUnderTest*>& peers, const char* miner) {
    std::vector<std::string> args = {"--mysql", node.db.text(), "--chain", chain_file, "--listen", node.address(),
                                     "--miner", miner, "--threads", "1"};
    for (const NodeUnderTest* peer : peers) args.insert(args.end(), {"--peer", peer->address()});
    node.process = DaemonProcess::Start(args);
    ASSERT_TRUE(node.process);
  };
  start(a, {}, "cpu");
  start(b, {&a}, "off");
  auto submitted = RunCli(fmt::format("--node {} submit --table users --rows {} --batch-rows 1 --wait",
                                      a.address(), RowsFile(1, 300)));
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  ASSERT_TRUE(Converged({&a, &b})) << Logs({&a, &b});
  ASSERT_EQ(Info(a).height(), 300u);

  start(c, {&a, &b}, "off");
  ASSERT_TRUE(Converged({&a, &b, &c})) << Logs({&a, &b, &c});
  EXPECT_EQ(Checksum(c), Checksum(a));
  ASSERT_EQ(c.process->Stop(SIGTERM), 0);
  // Every block came over exactly one of the two links.
  uint64_t received = 0;
  std::istringstream log(c.process ? c.process->Log() : std::string());
  for (std::string line; std::getline(log, line);) {
    if (auto at = line.find("link closed after "); at != std::string::npos) {
      received += std::stoull(line.substr(at + std::strlen("link closed after ")));
    }
  }
  EXPECT_EQ(received, 300u) << c.process->Log();
}

// A test acting as a peer over the real protocol.
class FakePeer {
 public:
  explicit FakePeer(const std::string& address)
      : m_stub(pb::Peer::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))) {
    m_context.set_deadline(std::chrono::system_clock::now() + 30s);
    m_stream = m_stub->Link(&m_context);
  }
  ~FakePeer() {
    m_context.TryCancel();
    if (!m_finished) (void)m_stream->Finish();
  }
  void Hello(const std::string& genesis_hex) {
    static std::atomic<int> next_id{0};
    HelloAs(genesis_hex, "fake-peer-" + std::to_string(next_id++));  // loopback bans are per node id
  }
  void HelloAs(const std::string& genesis_hex, const std::string& node_id) {
    pb::PeerMessage hello;
    hello.mutable_hello()->set_protocol_version(1);
    hello.mutable_hello()->set_genesis_hash(genesis_hex);
    hello.mutable_hello()->set_node_id(node_id);
    ASSERT_TRUE(m_stream->Write(hello));
  }
  bool Send(const pb::PeerMessage& m) { return m_stream->Write(m); }
  // Reads everything until the node ends the link; how it ended it.
  grpc::Status Closed() {
    pb::PeerMessage m;
    while (m_stream->Read(&m)) {
    }
    m_finished = true;
    return m_stream->Finish();
  }
  // Reads until a message of `kind` comes (answering nothing); nullopt when the stream ends.
  std::optional<pb::PeerMessage> ReadUntil(pb::PeerMessage::BodyCase kind) {
    pb::PeerMessage m;
    while (m_stream->Read(&m)) {
      if (m.body_case() == kind) return m;
    }
    return std::nullopt;
  }

 private:
  std::unique_ptr<pb::Peer::Stub> m_stub;
  grpc::ClientContext m_context;
  std::unique_ptr<grpc::ClientReaderWriter<pb::PeerMessage, pb::PeerMessage>> m_stream;
  bool m_finished = false;
};

pb::PeerMessage AnnounceOf(const consensus::BlockHeader& header, uint64_t height) {
  pb::PeerMessage m;
  consensus::HeaderBytes raw = header.Serialize();
  m.mutable_announce()->set_header(std::string(raw.begin(), raw.end()));
  m.mutable_announce()->set_height(height);
  return m;
}

TEST_F(PeerTest, BadBlocksFromAPeerAreRefusedAndWriteNothing) {
  NodeUnderTest a;
  StartNode(a, {}, /*mining=*/false);
  TestChain chain(RegtestParams());
  const std::string genesis = consensus::ToDisplayHex(chain.genesis().Hash());
  const int64_t blocks_before = Count(a, "SELECT COUNT(*) FROM rowchain_blocks");

  {  // Another chain: refused at hello.
    FakePeer peer(a.address());
    peer.Hello(std::string(64, 'a'));
    auto bye = peer.ReadUntil(pb::PeerMessage::kGoodbye);
    ASSERT_TRUE(bye.has_value());
    EXPECT_NE(bye->goodbye().reason().find("another chain"), std::string::npos) << bye->goodbye().reason();
  }
  {  // Another protocol version: refused at hello.
    FakePeer peer(a.address());
    pb::PeerMessage hello;
    hello.mutable_hello()->set_protocol_version(99);
    hello.mutable_hello()->set_genesis_hash(genesis);
    hello.mutable_hello()->set_node_id("fake-peer-old-version");
    ASSERT_TRUE(peer.Send(hello));
    auto bye = peer.ReadUntil(pb::PeerMessage::kGoodbye);
    ASSERT_TRUE(bye.has_value());
    EXPECT_NE(bye->goodbye().reason().find("protocol version 99"), std::string::npos) << bye->goodbye().reason();
  }
  {  // A flood: thousands of messages a second.
    FakePeer peer(a.address());
    peer.Hello(genesis);
    pb::PeerMessage noise;
    noise.mutable_not_found();  // harmless on its own, but counted
    for (int i = 0; i < 6000 && peer.Send(noise); ++i) {
    }
    auto bye = peer.ReadUntil(pb::PeerMessage::kGoodbye);
    ASSERT_TRUE(bye.has_value());
    EXPECT_NE(bye->goodbye().reason().find("flood"), std::string::npos) << bye->goodbye().reason();
  }
  {  // A header that misses its target.
    consensus::Block block = chain.Mine(chain.genesis(), 0, {});
    consensus::U256 target = consensus::DecodeCompact(block.header.bits).target;
    while (consensus::HashMeetsTarget(block.header.Hash(), target)) ++block.header.nonce;
    FakePeer peer(a.address());
    peer.Hello(genesis);
    ASSERT_TRUE(peer.Send(AnnounceOf(block.header, 1)));
    auto bye = peer.ReadUntil(pb::PeerMessage::kGoodbye);
    ASSERT_TRUE(bye.has_value());
    EXPECT_NE(bye->goodbye().reason().find("high-hash"), std::string::npos) << bye->goodbye().reason();
  }
  // Valid headers whose bodies are wrong: fetched, checked, refused.
  consensus::Block wrong_root = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "a", 1)});
  wrong_root.leaves.push_back(wrong_root.leaves.back());  // the header's Merkle root no longer matches
  consensus::RowOperation bad = UserInsert(Batch(2), 0, 2, "b", 2);
  bad.values[2] = consensus::Value::Text("old");  // age is an INT
  consensus::Block bad_row = chain.Mine(chain.genesis(), 0, {bad}, 5);
  for (const auto& [block, reason] : {std::pair{&wrong_root, "bad-merkle"}, std::pair{&bad_row, "bad-row"}}) {
    FakePeer peer(a.address());
    peer.Hello(genesis);
    ASSERT_TRUE(peer.Send(AnnounceOf(block->header, 1)));
    auto request = peer.ReadUntil(pb::PeerMessage::kGetBlocks);
    ASSERT_TRUE(request.has_value()) << reason;
    pb::PeerMessage reply;
    std::vector<uint8_t> raw = consensus::SerializeBlock(*block);
    reply.mutable_block()->set_block(std::string(raw.begin(), raw.end()));
    ASSERT_TRUE(peer.Send(reply));
    auto bye = peer.ReadUntil(pb::PeerMessage::kGoodbye);
    ASSERT_TRUE(bye.has_value()) << reason;
    EXPECT_NE(bye->goodbye().reason().find(reason), std::string::npos) << bye->goodbye().reason();
  }
  EXPECT_EQ(Count(a, "SELECT COUNT(*) FROM rowchain_blocks"), blocks_before);
  EXPECT_EQ(Count(a, "SELECT COUNT(*) FROM users"), 0);
  EXPECT_NE(a.process->Log().find("disconnected and banned: bad-merkle"), std::string::npos) << a.process->Log();
  // A good peer is unaffected: a valid block from a fresh link is taken.
  consensus::Block good = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(3), 0, 3, "c", 3)}, 9);
  FakePeer peer(a.address());
  peer.Hello(genesis);
  ASSERT_TRUE(peer.Send(AnnounceOf(good.header, 1)));
  ASSERT_TRUE(peer.ReadUntil(pb::PeerMessage::kGetBlocks).has_value());
  pb::PeerMessage reply;
  std::vector<uint8_t> raw = consensus::SerializeBlock(good);
  reply.mutable_block()->set_block(std::string(raw.begin(), raw.end()));
  ASSERT_TRUE(peer.Send(reply));
  auto announced = peer.ReadUntil(pb::PeerMessage::kAnnounce);  // the node relays what it connected
  ASSERT_TRUE(announced.has_value());
  EXPECT_EQ(Info(a).tip_hash(), consensus::ToDisplayHex(good.Hash()));
  EXPECT_EQ(Count(a, "SELECT COUNT(*) FROM users"), 1);
}


// The hostile-peer suite: scripted peers written here, not with the node's own session code.
class HostilePeerTest : public PeerTest {
 protected:
  // A mining node whose peers must answer within two seconds.
  void StartMiner(NodeUnderTest& node, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--mysql", node.db.text(), "--chain", "regtest", "--listen", node.address(),
                                     "--miner", "cpu", "--threads", "1", "--peer-timeout-s", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    node.process = DaemonProcess::Start(args);
    ASSERT_TRUE(node.process);
  }
  // Submits rows and waits for them to be sealed; the CLI's exit code.
  int SubmitAndWait(const NodeUnderTest& node, int first_id, int seconds = 20) {
    return RunCli(fmt::format("--node {} submit --table users --rows {} --wait --timeout {}", node.address(),
                              RowsFile(first_id, 3), seconds))
        .exit_code;
  }
  std::string Genesis() { return consensus::ToDisplayHex(TestChain(RegtestParams()).genesis().Hash()); }
};

// A peer that says hello and then nothing used to mark the node "syncing" until the link
// closed: no block was mined meanwhile.
TEST_F(HostilePeerTest, APeerSilentAfterHelloNeitherStopsMiningNorStaysLinked) {
  NodeUnderTest a;
  StartMiner(a);
  FakePeer silent(a.address());
  silent.Hello(Genesis());
  EXPECT_EQ(SubmitAndWait(a, 1), 0) << a.process->Log();
  grpc::Status closed = silent.Closed();  // dropped at the deadline for the headers it was asked
  EXPECT_NE(a.process->Log().find("timeout: headers not sent within 2 s"), std::string::npos) << a.process->Log();
}

// A heavier header announced and its block never sent: the node waits for it at most the
// timeout, then drops the peer and mines on.
TEST_F(HostilePeerTest, ABlockAnnouncedAndNeverSentHoldsMiningNoLongerThanTheTimeout) {
  NodeUnderTest a;
  StartMiner(a);
  TestChain chain(RegtestParams());
  consensus::Block heavier = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(9), 0, 900, "x", 1)});
  FakePeer liar(a.address());
  liar.Hello(Genesis());
  ASSERT_TRUE(liar.ReadUntil(pb::PeerMessage::kGetHeaders).has_value());
  pb::PeerMessage headers;
  consensus::HeaderBytes raw = heavier.header.Serialize();
  headers.mutable_headers()->add_headers(std::string(raw.begin(), raw.end()));
  headers.mutable_headers()->set_first_height(1);
  ASSERT_TRUE(liar.Send(headers));
  // The node may have mined past genesis already: then the header is lighter and not asked for.
  auto asked = liar.ReadUntil(pb::PeerMessage::kGetBlocks);
  grpc::Status closed = liar.Closed();
  EXPECT_EQ(SubmitAndWait(a, 1), 0) << a.process->Log();
  if (asked) {
    EXPECT_NE(a.process->Log().find("timeout: block"), std::string::npos) << a.process->Log();
  }
}

TEST_F(HostilePeerTest, UnaskedHeadersAndABlockAskedForTwiceInOneRequestGetTheSenderBanned) {
  NodeUnderTest a;
  StartMiner(a);
  TestChain chain(RegtestParams());
  {
    FakePeer flooder(a.address());
    flooder.Hello(Genesis());
    ASSERT_TRUE(flooder.ReadUntil(pb::PeerMessage::kGetHeaders).has_value());
    pb::PeerMessage empty_headers;
    empty_headers.mutable_headers();
    ASSERT_TRUE(flooder.Send(empty_headers));  // the answer
    ASSERT_TRUE(flooder.Send(empty_headers));  // and one nobody asked for
    auto bye = flooder.ReadUntil(pb::PeerMessage::kGoodbye);
    ASSERT_TRUE(bye.has_value());
    EXPECT_NE(bye->goodbye().reason().find("not asked for"), std::string::npos) << bye->goodbye().reason();
  }
  {
    FakePeer greedy(a.address());
    greedy.Hello(Genesis());
    pb::PeerMessage request;
    const consensus::Hash256 genesis = chain.genesis().Hash();
    for (int i = 0; i < 2; ++i) request.mutable_get_blocks()->add_hashes(std::string(genesis.begin(), genesis.end()));
    ASSERT_TRUE(greedy.Send(request));
    auto bye = greedy.ReadUntil(pb::PeerMessage::kGoodbye);
    ASSERT_TRUE(bye.has_value());
    EXPECT_NE(bye->goodbye().reason().find("asked for twice"), std::string::npos) << bye->goodbye().reason();
  }
  EXPECT_EQ(SubmitAndWait(a, 1), 0) << a.process->Log();
}

// With writer tokens, the peer service used to hand every block and row to anyone.
TEST_F(HostilePeerTest, WithWriterTokensAnUnauthenticatedPeerReadsNothing) {
  NodeUnderTest a;
  std::string config = m_dir + "/tokens.toml";
  WriteFile(config, "[[tokens]]\nname = \"app\"\ntoken = \"app-token-0123456789\"\ntables = [\"*\"]\n");
  StartMiner(a, {"--config", config});
  FakePeer reader(a.address());
  // The node may refuse the link before the hello is even written: no write is asserted.
  pb::PeerMessage hello;
  hello.mutable_hello()->set_protocol_version(1);
  hello.mutable_hello()->set_genesis_hash(Genesis());
  hello.mutable_hello()->set_node_id("reader");
  reader.Send(hello);
  pb::PeerMessage request;
  const consensus::Hash256 genesis = TestChain(RegtestParams()).genesis().Hash();
  request.mutable_get_blocks()->add_hashes(std::string(genesis.begin(), genesis.end()));
  reader.Send(request);
  EXPECT_FALSE(reader.ReadUntil(pb::PeerMessage::kBlock).has_value());
  EXPECT_EQ(reader.Closed().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// A network secret: nodes that share it link and converge; a peer without it, or with a wrong
// proof, gets no further than its hello.
TEST_F(HostilePeerTest, NodesSharingANetworkSecretLinkAndOthersAreRefused) {
  NodeUnderTest a, b;
  const std::string secret = "--peer-secret=correct-horse-battery";
  StartMiner(a, {secret, "--peer", b.address()});
  StartMiner(b, {secret, "--peer", a.address()});
  ASSERT_EQ(SubmitAndWait(a, 1, 60), 0) << a.process->Log();
  EXPECT_TRUE(Converged({&a, &b})) << a.process->Log() << b.process->Log();
  EXPECT_EQ(Count(b, "SELECT COUNT(*) FROM users"), 3);
  {
    FakePeer outsider(a.address());
    outsider.Hello(Genesis());
    pb::PeerMessage ask;
    ask.mutable_get_headers();
    outsider.Send(ask);
    auto bye = outsider.ReadUntil(pb::PeerMessage::kGoodbye);
    ASSERT_TRUE(bye.has_value());
    EXPECT_NE(bye->goodbye().reason().find("unauthenticated"), std::string::npos) << bye->goodbye().reason();
  }
  {
    FakePeer forger(a.address());
    forger.Hello(Genesis());
    pb::PeerMessage proof;
    proof.mutable_proof()->set_mac(std::string(32, '\x42'));
    forger.Send(proof);
    auto bye = forger.ReadUntil(pb::PeerMessage::kGoodbye);
    ASSERT_TRUE(bye.has_value());
    EXPECT_NE(bye->goodbye().reason().find("proof of the network secret is wrong"), std::string::npos)
        << bye->goodbye().reason();
  }
}

TEST_F(HostilePeerTest, ABanOutlivesARestartOfTheNode) {
  NodeUnderTest a;
  StartMiner(a);
  {
    FakePeer cheat(a.address());
    cheat.HelloAs(Genesis(), "the-cheat");
    pb::PeerMessage headers;
    headers.mutable_headers();
    ASSERT_TRUE(cheat.Send(headers));  // the answer to the node's request
    ASSERT_TRUE(cheat.Send(headers));  // and one nobody asked for
    ASSERT_TRUE(cheat.ReadUntil(pb::PeerMessage::kGoodbye).has_value());
  }
  ASSERT_EQ(a.process->Stop(SIGTERM), 0);
  StartMiner(a);
  EXPECT_NE(a.process->Log().find("peer bans kept from before the restart"), std::string::npos) << a.process->Log();
  FakePeer again(a.address());
  again.HelloAs(Genesis(), "the-cheat");
  auto bye = again.ReadUntil(pb::PeerMessage::kGoodbye);
  ASSERT_TRUE(bye.has_value());
  EXPECT_EQ(bye->goodbye().reason(), "banned");
}

TEST(BanKeyTest, TheAddressWithoutItsPortAndNothingForLoopback) {
  EXPECT_EQ(peer::BanKeyOfAddress("ipv4:10.1.2.3:5555"), "ipv4:10.1.2.3");
  EXPECT_EQ(peer::BanKeyOfAddress("ipv4:10.1.2.3:6666"), "ipv4:10.1.2.3");
  EXPECT_EQ(peer::BanKeyOfAddress("ipv6:[2001:db8::1]:443"), "ipv6:[2001:db8::1]");
  EXPECT_EQ(peer::BanKeyOfAddress("ipv4:127.0.0.1:5555"), "");
  EXPECT_EQ(peer::BanKeyOfAddress("ipv6:[::1]:5555"), "");
}

}  // namespace
}  // namespace rowchain::testing
