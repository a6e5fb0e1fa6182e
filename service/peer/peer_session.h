// One link to one peer, the same whichever side dialled: hello (same chain, same protocol),
// headers-first catch-up from a locator, blocks fetched with a bounded number in flight and
// handed to Node::SubmitBlock (the node's own validation), announcements of every block the
// node connects, and the peer's requests answered. A peer that breaks the rules (an invalid
// block or header, malformed or oversized messages, a flood) is told why, disconnected and
// banned for a while. Thread-safe: Run on one thread; announcements arrive from the node's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "util/ban_list.h"
#include "peer/download_book.h"
#include "peer/peer_config.h"
#include "peer/peer_network.h"
#include "node/node.h"
#include "rowchain/v1/peer.pb.h"
#include "util/status.h"

namespace rowchain::peer {

inline constexpr uint32_t kProtocolVersion = 1;

// Both ends of a link (a gRPC bidirectional stream): one reader thread, one writer thread.
class PeerTransport {
 public:
  virtual ~PeerTransport() = default;
  virtual bool Read(v1::PeerMessage* message) = 0;
  virtual bool Write(const v1::PeerMessage& message) = 0;
  virtual void Cancel() = 0;
};

class PeerSession {
 public:
  // `inbound`: the peer dialled this node.
  PeerSession(const PeerNetwork& network, PeerTransport& transport, std::string address, bool inbound);
  ~PeerSession();
  // Runs the link until either side ends it; the reason.
  Status Run();
  const std::string& peer_node_id() const { return m_peer_id; }

 private:
  void Send(v1::PeerMessage message);
  void WriterLoop();
  void ReaderLoop();
  // Every quarter second without a message: claims that lapsed, blocks others fetched.
  void Tick();
  // A request the peer left unanswered past the deadline ends the link (DEADLINE_EXCEEDED).
  Status CheckDeadlines();
  Status OnProof(const v1::Proof& proof);
  // The network secret's MAC over `challenge` by the node `prover_id`.
  std::string ProofOver(const std::string& challenge, const std::string& prover_id) const;
  // Headers past the node's blocks: wanted once their chain has at least the tip's work.
  Status NoteHeaderChain(const std::vector<consensus::BlockHeader>& headers);
  // The retarget rule and median time past of `header`, the child of the tail's last block.
  Status CheckAfter(const consensus::ChainTail& tail, const consensus::BlockHeader& header);
  // A header past the chain's tail, checked against the retarget rule and median time past.
  Status ExtendHeaderChain(const consensus::BlockHeader& header);
  void Want(const consensus::Hash256& hash);
  // Ends the link without a ban (a slow or overloaded peer, not a cheat).
  Status Disconnect(std::string_view reason_code, const std::string& detail, StatusCode code);
  // Connects a run of blocks, then any parked blocks that were waiting for them.
  Status Submit(std::vector<consensus::Block> blocks);
  Status Handle(const v1::PeerMessage& message);
  Status OnHello(const v1::Hello& hello);
  Status OnAnnounce(const v1::Announce& announce);
  Status OnGetHeaders(const v1::GetHeaders& request);
  Status OnHeaders(const v1::Headers& headers);
  Status OnGetBlocks(const v1::GetBlocks& request);
  Status OnBlock(const v1::BlockData& data);
  // Hands the blocks received so far to the node in one go.
  Status FlushReceived();
  void AskForHeaders(const consensus::Hash256* newest_known);
  void RequestBlocks();
  void SetSyncing(bool syncing);
  // SetSyncing from what the link is fetching.
  void NoteSyncing();
  // Ends the link: tells the peer why, bans it when it broke the rules.
  Status Misbehaved(std::string_view reason_code, const std::string& detail);

  node::Node& m_node;
  PeerTransport& m_transport;
  BanList& m_bans;
  DownloadBook& m_downloads;
  const PeerConfig& m_config;
  LinkRegistry::Handle m_link;  // what `rowchain peers` shows of this link
  const uint64_t m_link_id;
  const std::string m_address;
  const bool m_inbound;
  std::string m_challenge;      // sent in this side's hello
  bool m_peer_proven = false;   // the peer proved the network secret (or none is needed)
  std::string m_peer_id;
  bool m_hello_seen = false;
  uint64_t m_subscription = 0;

  std::mutex m_out_mutex;
  std::condition_variable m_out_ready;
  std::deque<v1::PeerMessage> m_out;
  size_t m_out_bytes = 0;
  bool m_send_overflow = false;  // a message was dropped: the peer does not read
  bool m_closing = false;
  std::thread m_writer;

  // Messages read from the link, handled on Run's thread.
  std::mutex m_in_mutex;
  std::condition_variable m_in_ready;
  std::deque<v1::PeerMessage> m_in;
  bool m_reader_done = false;
  bool m_reader_stop = false;  // the session ends: a reader waiting for room gives up
  std::thread m_reader;

  // Blocks the peer has that this node lacks: wanted in order, then in flight (since when).
  std::deque<consensus::Hash256> m_wanted;
  std::set<consensus::Hash256> m_wanted_index;
  std::map<consensus::Hash256, std::chrono::steady_clock::time_point> m_in_flight;
  // The header chain being learnt from the peer, past this node's blocks.
  struct HeaderChain {
    std::optional<consensus::ChainTail> tail;  // the context of the next header
    consensus::U256 work;
    std::vector<consensus::Hash256> unproven;  // less work than the tip so far: not fetched
  } m_header_chain;
  std::chrono::steady_clock::time_point m_headers_asked_at;
  std::vector<consensus::Block> m_received;  // consecutive, not yet handed to the node
  bool m_headers_pending = false;
  bool m_syncing = false;

  uint64_t m_blocks_received = 0;
  uint64_t m_blocks_sent = 0;

  // Flood control: messages in the current one-second window.
  std::chrono::steady_clock::time_point m_window_start;
  uint32_t m_window_messages = 0;
};

}  // namespace rowchain::peer
