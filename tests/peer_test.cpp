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
#include "peer_fixture.h"

namespace rowchain::testing {
namespace {


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
                                     "--peer-listen", node.peer_address(), "--miner", "cpu", "--threads", "1",
                                     "--peer", peer->peer_address()};
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
    std::vector<std::string> args = {"--mysql", node.db.text(), "--chain", chain_file, "--listen", node.address(), "--peer-listen", node.peer_address(),
                                     "--miner", miner, "--threads", "1"};
    for (const NodeUnderTest* peer : peers) args.insert(args.end(), {"--peer", peer->peer_address()});
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

TEST_F(PeerTest, BadBlocksFromAPeerAreRefusedAndWriteNothing) {
  NodeUnderTest a;
  StartNode(a, {}, /*mining=*/false);
  TestChain chain(RegtestParams());
  const std::string genesis = consensus::ToDisplayHex(chain.genesis().Hash());
  const int64_t blocks_before = Count(a, "SELECT COUNT(*) FROM rowchain_blocks");

  {  // Another chain: refused at hello.
    FakePeer peer(a.peer_address());
    peer.Hello(std::string(64, 'a'));
    EXPECT_TRUE(peer.SaysGoodbyeWith("another chain"));
  }
  {  // Another protocol version: refused at hello.
    FakePeer peer(a.peer_address());
    pb::PeerMessage hello;
    hello.mutable_hello()->set_protocol_version(99);
    hello.mutable_hello()->set_genesis_hash(genesis);
    hello.mutable_hello()->set_node_id("fake-peer-old-version");
    ASSERT_TRUE(peer.Send(hello));
    EXPECT_TRUE(peer.SaysGoodbyeWith("protocol version 99"));
  }
  {  // A flood: thousands of messages a second.
    FakePeer peer(a.peer_address());
    peer.Hello(genesis);
    pb::PeerMessage noise;
    noise.mutable_not_found();  // harmless on its own, but counted
    for (int i = 0; i < 6000 && peer.Send(noise); ++i) {
    }
    EXPECT_TRUE(peer.SaysGoodbyeWith("flood"));
  }
  {  // A header that misses its target.
    consensus::Block block = chain.Mine(chain.genesis(), 0, {});
    consensus::U256 target = consensus::DecodeCompact(block.header.bits).target;
    while (consensus::HashMeetsTarget(block.header.Hash(), target)) ++block.header.nonce;
    FakePeer peer(a.peer_address());
    peer.Hello(genesis);
    ASSERT_TRUE(peer.Send(AnnounceOf(block.header, 1)));
    EXPECT_TRUE(peer.SaysGoodbyeWith("high-hash"));
  }
  // Valid headers whose bodies are wrong: fetched, checked, refused.
  consensus::Block wrong_root = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "a", 1)});
  wrong_root.leaves.push_back(wrong_root.leaves.back());  // the header's Merkle root no longer matches
  consensus::RowOperation bad = UserInsert(Batch(2), 0, 2, "b", 2);
  bad.values[2] = consensus::Value::Text("old");  // age is an INT
  consensus::Block bad_row = chain.Mine(chain.genesis(), 0, {bad}, 5);
  for (const auto& [block, reason] : {std::pair{&wrong_root, "bad-merkle"}, std::pair{&bad_row, "bad-row"}}) {
    FakePeer peer(a.peer_address());
    peer.Hello(genesis);
    ASSERT_TRUE(peer.Send(AnnounceOf(block->header, 1)));
    auto request = peer.ReadUntil(pb::PeerMessage::kGetBlocks);
    ASSERT_TRUE(request.has_value()) << reason;
    pb::PeerMessage reply;
    std::vector<uint8_t> raw = consensus::SerializeBlock(*block);
    reply.mutable_block()->set_block(std::string(raw.begin(), raw.end()));
    ASSERT_TRUE(peer.Send(reply));
    EXPECT_TRUE(peer.SaysGoodbyeWith(reason));
  }
  EXPECT_EQ(Count(a, "SELECT COUNT(*) FROM rowchain_blocks"), blocks_before);
  EXPECT_EQ(Count(a, "SELECT COUNT(*) FROM users"), 0);
  EXPECT_NE(a.process->Log().find("disconnected and banned: bad-merkle"), std::string::npos) << a.process->Log();
  // A good peer is unaffected: a valid block from a fresh link is taken.
  consensus::Block good = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(3), 0, 3, "c", 3)}, 9);
  FakePeer peer(a.peer_address());
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

}  // namespace
}  // namespace rowchain::testing
