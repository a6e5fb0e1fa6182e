// What the peer tests share: a node under test (a database, its ports, its process), the
// fixture that starts and inspects nodes, and FakePeer, a peer scripted by the test over the
// real protocol (not the node's own session code).
#pragma once

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "consensus/block.h"
#include "rowchain/v1/ledger.grpc.pb.h"
#include "rowchain/v1/peer.grpc.pb.h"
#include "test_daemon.h"
#include "test_mysql.h"

namespace rowchain::testing {

namespace pb = ::rowchain::v1;
using namespace std::chrono_literals;

struct NodeUnderTest {
  TestDatabase db;
  int port = FreePort();
  int peer_port = FreePort();
  std::string peer_host = "127.0.0.1";
  std::unique_ptr<DaemonProcess> process;
  std::string address() const { return fmt::format("127.0.0.1:{}", port); }
  std::string peer_address() const { return fmt::format("{}:{}", peer_host, peer_port); }
};

class PeerTest : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = MakeTempDir("peer-test"); }

  void StartNode(NodeUnderTest& node, const std::vector<const NodeUnderTest*>& peers, bool mining = true) {
    std::vector<std::string> args = {"--mysql", node.db.text(), "--chain", "regtest", "--listen", node.address(), "--peer-listen", node.peer_address(),
                                     "--miner", mining ? "cpu" : "off", "--threads", "1"};
    for (const NodeUnderTest* peer : peers) args.insert(args.end(), {"--peer", peer->peer_address()});
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
  // The next message from the node; nullopt when the stream ends.
  std::optional<pb::PeerMessage> Next() {
    pb::PeerMessage m;
    if (m_stream->Read(&m)) return m;
    return std::nullopt;
  }
  // Reads until the node's goodbye; success when its reason holds `expected`.
  ::testing::AssertionResult SaysGoodbyeWith(std::string_view expected) {
    std::optional<pb::PeerMessage> bye = ReadUntil(pb::PeerMessage::kGoodbye);
    if (!bye) return ::testing::AssertionFailure() << "the link ended without a goodbye";
    if (bye->goodbye().reason().find(expected) == std::string::npos) {
      return ::testing::AssertionFailure() << "goodbye: " << bye->goodbye().reason();
    }
    return ::testing::AssertionSuccess();
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

inline pb::PeerMessage AnnounceOf(const consensus::BlockHeader& header, uint64_t height) {
  pb::PeerMessage m;
  consensus::HeaderBytes raw = header.Serialize();
  m.mutable_announce()->set_header(std::string(raw.begin(), raw.end()));
  m.mutable_announce()->set_height(height);
  return m;
}

}  // namespace rowchain::testing
