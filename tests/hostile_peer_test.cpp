// The hostile-peer suite: peers scripted here, not with the node's own session code, that stay
// silent, flood, lie about headers, send junk bodies, come back after a ban, or hold no
// credentials. For each: the offender is dropped or banned, nothing is written, and the node
// goes on sealing.
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/hmac.h>

#include <map>

#include "consensus/compact.h"
#include "consensus/hash.h"
#include "consensus/pow.h"
#include "eventually.h"
#include "util/ban_list.h"
#include "peer_fixture.h"
#include "test_chain.h"
#include "test_vectors.h"

namespace rowchain::testing {
namespace {

// The hostile-peer suite: scripted peers written here, not with the node's own session code.
class HostilePeerTest : public PeerTest {
 protected:
  // A mining node whose peers must answer within two seconds.
  void StartMiner(NodeUnderTest& node, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--mysql",       node.db.text(),      "--chain",  "regtest", "--listen",
                                     node.address(),  "--peer-listen",     node.peer_address(),    "--miner",
                                     "cpu",           "--threads",         "1",        "--peer-timeout-s", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    node.process = DaemonProcess::Start(args);
    ASSERT_TRUE(node.process);
  }
  // Submits rows and waits for them to be sealed; the CLI's exit code. Whatever the test's
  // peer did, the node's memory stays within a stated bound (a quiet node holds about 30 MiB).
  int SubmitAndWait(const NodeUnderTest& node, int first_id, int seconds = 20) {
    const int exit_code = RunCli(fmt::format("--node {} submit --table users --rows {} --wait --timeout {}",
                                             node.address(), RowsFile(first_id, 3), seconds))
                              .exit_code;
    const int64_t resident_kib = ResidentKib(node.process->pid());
    EXPECT_LT(resident_kib, kMaxResidentKib) << "rowchaind's resident memory";
    std::fprintf(stderr, "rowchaind resident: %lld KiB\n", static_cast<long long>(resident_kib));
    return exit_code;
  }
  static constexpr int64_t kMaxResidentKib = 256 * 1024;
  std::string Genesis() { return consensus::ToDisplayHex(TestChain(RegtestParams()).genesis().Hash()); }
};

// A peer that says hello and then nothing used to mark the node "syncing" until the link
// closed: no block was mined meanwhile.
TEST_F(HostilePeerTest, APeerSilentAfterHelloNeitherStopsMiningNorStaysLinked) {
  NodeUnderTest a;
  StartMiner(a);
  FakePeer silent(a.peer_address());
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
  FakePeer liar(a.peer_address());
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
    FakePeer flooder(a.peer_address());
    flooder.Hello(Genesis());
    ASSERT_TRUE(flooder.ReadUntil(pb::PeerMessage::kGetHeaders).has_value());
    pb::PeerMessage empty_headers;
    empty_headers.mutable_headers();
    ASSERT_TRUE(flooder.Send(empty_headers));  // the answer
    ASSERT_TRUE(flooder.Send(empty_headers));  // and one nobody asked for
    EXPECT_TRUE(flooder.SaysGoodbyeWith("not asked for"));
  }
  {
    FakePeer greedy(a.peer_address());
    greedy.Hello(Genesis());
    pb::PeerMessage request;
    const consensus::Hash256 genesis = chain.genesis().Hash();
    for (int i = 0; i < 2; ++i) request.mutable_get_blocks()->add_hashes(std::string(genesis.begin(), genesis.end()));
    ASSERT_TRUE(greedy.Send(request));
    EXPECT_TRUE(greedy.SaysGoodbyeWith("asked for twice"));
  }
  // The same block asked for 1,000 times, one request each, and no answer read: the replies
  // queue up to the link's send bound, not without limit, and mining goes on meanwhile.
  FakePeer hoarder(a.peer_address());
  hoarder.Hello(Genesis());
  pb::PeerMessage request;
  const consensus::Hash256 genesis = chain.genesis().Hash();
  request.mutable_get_blocks()->add_hashes(std::string(genesis.begin(), genesis.end()));
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(hoarder.Send(request));
  EXPECT_EQ(SubmitAndWait(a, 1), 0) << a.process->Log();
}

// With writer tokens, the peer service used to hand every block and row to anyone.
TEST_F(HostilePeerTest, WithWriterTokensAnUnauthenticatedPeerReadsNothing) {
  NodeUnderTest a;
  std::string config = m_dir + "/tokens.toml";
  WriteFile(config, "[[tokens]]\nname = \"app\"\ntoken = \"app-token-0123456789\"\ntables = [\"*\"]\n");
  StartMiner(a, {"--config", config});
  FakePeer reader(a.peer_address());
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
  // Nor does it learn who the node's peers are.
  auto anonymous = RunCli(fmt::format("--node {} peers", a.address()));
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_NE(anonymous.err.find("UNAUTHENTICATED"), std::string::npos) << anonymous.err;
  EXPECT_EQ(RunCli(fmt::format("--node {} --token app-token-0123456789 peers", a.address())).exit_code, 0);
}

// A network secret: nodes that share it link and converge; a peer without it, or with a wrong
// proof, gets no further than its hello.
TEST_F(HostilePeerTest, NodesSharingANetworkSecretLinkAndOthersAreRefused) {
  NodeUnderTest a, b;
  const std::string secret = "--peer-secret=correct-horse-battery";
  StartMiner(a, {secret, "--peer", b.peer_address()});
  StartMiner(b, {secret, "--peer", a.peer_address()});
  ASSERT_EQ(SubmitAndWait(a, 1, 60), 0) << a.process->Log();
  EXPECT_TRUE(Converged({&a, &b})) << a.process->Log() << b.process->Log();
  EXPECT_EQ(Count(b, "SELECT COUNT(*) FROM users"), 3);
  auto listed = RunCli(fmt::format("--node {} peers --json", a.address()));
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const nlohmann::json peers = nlohmann::json::parse(listed.out);
  EXPECT_EQ(peers["peer_listen"], a.peer_address());
  // Each dials the other; one of the two links is kept.
  bool linked_to_b = false;
  for (const auto& link : peers["links"]) {
    linked_to_b |= (link["direction"] == "in" || link["address"] == b.peer_address()) &&
                   !link["node_id"].get<std::string>().empty() && link["bytes_in"].get<uint64_t>() > 0;
  }
  EXPECT_TRUE(linked_to_b) << listed.out;
  {
    FakePeer outsider(a.peer_address());
    outsider.Hello(Genesis());
    pb::PeerMessage ask;
    ask.mutable_get_headers();
    outsider.Send(ask);
    EXPECT_TRUE(outsider.SaysGoodbyeWith("unauthenticated"));
  }
  {
    FakePeer forger(a.peer_address());
    forger.Hello(Genesis());
    pb::PeerMessage proof;
    proof.mutable_proof()->set_mac(std::string(32, '\x42'));
    forger.Send(proof);
    EXPECT_TRUE(forger.SaysGoodbyeWith("proof of the network secret is wrong"));
  }
}

TEST_F(HostilePeerTest, ABanOutlivesARestartOfTheNode) {
  NodeUnderTest a;
  StartMiner(a);
  {
    FakePeer cheat(a.peer_address());
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
  FakePeer again(a.peer_address());
  again.HelloAs(Genesis(), "the-cheat");
  EXPECT_TRUE(again.SaysGoodbyeWith("banned"));
}

// Mines `header` again at its own bits after a test changed it.
void MineHeader(consensus::BlockHeader& header) {
  const consensus::U256 target = consensus::DecodeCompact(header.bits).target;
  while (!consensus::HashMeetsTarget(header.Hash(), target)) ++header.nonce;
}

pb::PeerMessage HeadersOf(const consensus::BlockHeader& header, uint64_t first_height) {
  pb::PeerMessage m;
  consensus::HeaderBytes raw = header.Serialize();
  m.mutable_headers()->add_headers(std::string(raw.begin(), raw.end()));
  m.mutable_headers()->set_first_height(first_height);
  return m;
}

pb::PeerMessage BlockMessageOf(const consensus::Block& block) {
  pb::PeerMessage m;
  std::vector<uint8_t> raw = consensus::SerializeBlock(block);
  m.mutable_block()->set_block(std::string(raw.begin(), raw.end()));
  return m;
}

// A header with valid work at the wrong difficulty, or dated at median time past, used to be
// asked for like any other: now its sender is banned before any block is requested.
TEST_F(HostilePeerTest, HeadersAgainstTheRetargetRuleOrMedianTimeAreRefusedBeforeTheirBlockIsAsked) {
  NodeUnderTest a;
  StartNode(a, {}, /*mining=*/false);
  TestChain chain(RegtestParams());
  consensus::Block harder = chain.Mine(chain.genesis(), 0, {});
  harder.header.bits = 0x207ffffe;  // enough work for its own bits, but regtest keeps genesis's
  MineHeader(harder.header);
  consensus::Block dated = chain.Mine(chain.genesis(), 0, {}, 3);
  dated.header.time = chain.genesis().header.time;  // not after the median of its ancestors
  MineHeader(dated.header);
  for (const auto& [header, reason] : {std::pair{&harder.header, "bad-diffbits"}, std::pair{&dated.header, "time-too-old"}}) {
    FakePeer liar(a.peer_address());
    liar.Hello(Genesis());
    ASSERT_TRUE(liar.ReadUntil(pb::PeerMessage::kGetHeaders).has_value());
    ASSERT_TRUE(liar.Send(HeadersOf(*header, 1)));
    std::optional<pb::PeerMessage> m;
    while ((m = liar.Next()) && !m->has_goodbye()) EXPECT_FALSE(m->has_get_blocks()) << reason << ": its block was asked for";
    ASSERT_TRUE(m.has_value()) << reason;
    EXPECT_NE(m->goodbye().reason().find(reason), std::string::npos) << m->goodbye().reason();
  }
  {  // The same through an announcement.
    FakePeer liar(a.peer_address());
    liar.Hello(Genesis());
    ASSERT_TRUE(liar.Send(AnnounceOf(harder.header, 1)));
    EXPECT_TRUE(liar.SaysGoodbyeWith("bad-diffbits"));
  }
  EXPECT_EQ(Count(a, "SELECT COUNT(*) FROM rowchain_blocks"), 1);
}

// One mined header replayed with junk bodies from ever new node ids: each costs the node a
// Merkle root and gets its sender banned; nothing is stored, memory stays flat, and the honest
// body, sent last, still connects.
TEST_F(HostilePeerTest, AHundredJunkBodiesForOneMinedHeaderWriteNothingAndTheHonestBodyStillConnects) {
  NodeUnderTest a;
  StartNode(a, {}, /*mining=*/false);
  TestChain chain(RegtestParams());
  const consensus::Block honest = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "honest", 1)});
  const int64_t rss_before = ResidentKib(a.process->pid());
  for (int i = 0; i < 100; ++i) {
    consensus::Block junk = honest;
    for (int copies = 0; copies <= i % 7; ++copies) junk.leaves.push_back(junk.leaves.back());
    FakePeer cheat(a.peer_address());
    cheat.Hello(Genesis());  // a fresh node id each time
    ASSERT_TRUE(cheat.Send(AnnounceOf(honest.header, 1)));
    ASSERT_TRUE(cheat.ReadUntil(pb::PeerMessage::kGetBlocks).has_value()) << "round " << i;
    ASSERT_TRUE(cheat.Send(BlockMessageOf(junk)));
    ASSERT_TRUE(cheat.SaysGoodbyeWith("bad-merkle")) << "round " << i;
  }
  const int64_t growth_kib = ResidentKib(a.process->pid()) - rss_before;
  EXPECT_LT(growth_kib, 64 * 1024) << "resident memory grew by " << growth_kib << " KiB";
  EXPECT_EQ(Count(a, "SELECT COUNT(*) FROM rowchain_blocks"), 1);
  EXPECT_EQ(Count(a, "SELECT COUNT(*) FROM users"), 0);

  FakePeer honest_peer(a.peer_address());
  honest_peer.Hello(Genesis());
  ASSERT_TRUE(honest_peer.Send(AnnounceOf(honest.header, 1)));
  ASSERT_TRUE(honest_peer.ReadUntil(pb::PeerMessage::kGetBlocks).has_value());
  ASSERT_TRUE(honest_peer.Send(BlockMessageOf(honest)));
  EXPECT_TRUE(Eventually([&] { return Info(a).tip_hash() == consensus::ToDisplayHex(honest.Hash()); }, 10s, 50ms));
  EXPECT_EQ(Count(a, "SELECT COUNT(*) FROM users"), 1);
}

// An IPv4 address of this machine that is not loopback (loopback peers are banned by node id
// only); nullopt when it has none.
std::optional<std::string> NonLoopbackIpv4() {
  ifaddrs* all = nullptr;
  if (getifaddrs(&all) != 0) return std::nullopt;
  std::optional<std::string> found;
  for (ifaddrs* i = all; i != nullptr && !found; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET || (i->ifa_flags & IFF_LOOPBACK) ||
        !(i->ifa_flags & IFF_UP)) {
      continue;
    }
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text, sizeof text);
    found = text;
  }
  freeifaddrs(all);
  return found;
}

// The proof of the network secret, computed here from docs/peers.md, not by the node's code.
std::string ProofOf(const std::string& secret, const std::string& challenge, const std::string& prover_id) {
  const consensus::Hash256 genesis = TestChain(RegtestParams()).genesis().Hash();
  const std::string message = "rowchain-peer-v1" + challenge + std::string(genesis.begin(), genesis.end()) + prover_id;
  unsigned char mac[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), mac, &length);
  return std::string(reinterpret_cast<char*>(mac), length);
}

// A ban used to be keyed by the node id the cheat chose: it came back at once under another.
TEST_F(HostilePeerTest, APeerBannedByItsAddressCannotComeBackUnderANewNodeId) {
  const std::optional<std::string> ip = NonLoopbackIpv4();
  if (!ip) GTEST_SKIP() << "no IPv4 address besides loopback, and loopback peers are banned by node id only";
  NodeUnderTest a;
  a.peer_host = *ip;  // off loopback a link must authenticate: the network secret
  const std::string secret = "correct-horse-battery";
  StartMiner(a, {"--peer-secret", secret});
  {
    FakePeer cheat(a.peer_address());
    cheat.HelloAs(Genesis(), "cheat-1");
    auto hello = cheat.ReadUntil(pb::PeerMessage::kHello);
    ASSERT_TRUE(hello.has_value());
    pb::PeerMessage proof;
    proof.mutable_proof()->set_mac(ProofOf(secret, hello->hello().challenge(), "cheat-1"));
    ASSERT_TRUE(cheat.Send(proof));
    ASSERT_TRUE(cheat.ReadUntil(pb::PeerMessage::kGetHeaders).has_value()) << a.process->Log();
    pb::PeerMessage headers;
    headers.mutable_headers();
    ASSERT_TRUE(cheat.Send(headers));  // the answer
    ASSERT_TRUE(cheat.Send(headers));  // and one nobody asked for
    EXPECT_TRUE(cheat.SaysGoodbyeWith("not asked for"));
  }
  auto listed = RunCli(fmt::format("--node {} peers --json", a.address()));
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  std::map<std::string, std::string> bans;
  const nlohmann::json listing = nlohmann::json::parse(listed.out);
  for (const auto& ban : listing["bans"]) {
    bans[ban["key"].get<std::string>()] = ban["reason"].get<std::string>();
  }
  EXPECT_NE(bans["ipv4:" + *ip].find("not asked for"), std::string::npos) << listed.out;
  EXPECT_NE(bans["cheat-1"].find("not asked for"), std::string::npos) << listed.out;

  FakePeer again(a.peer_address());
  again.HelloAs(Genesis(), "cheat-2");
  const grpc::Status refused = again.Closed();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED) << refused.error_message();
  EXPECT_EQ(refused.error_message(), "banned");
  EXPECT_EQ(SubmitAndWait(a, 1), 0) << a.process->Log();
}

TEST(BanKeyTest, TheAddressWithoutItsPortAndNothingForLoopback) {
  EXPECT_EQ(BanKeyOfAddress("ipv4:10.1.2.3:5555"), "ipv4:10.1.2.3");
  EXPECT_EQ(BanKeyOfAddress("ipv4:10.1.2.3:6666"), "ipv4:10.1.2.3");
  EXPECT_EQ(BanKeyOfAddress("ipv6:[2001:db8::1]:443"), "ipv6:[2001:db8::1]");
  EXPECT_EQ(BanKeyOfAddress("ipv4:127.0.0.1:5555"), "");
  EXPECT_EQ(BanKeyOfAddress("ipv6:[::1]:5555"), "");
}

}  // namespace
}  // namespace rowchain::testing
