#include "peer/peer_session.h"

#include <atomic>
#include <ctime>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "consensus/block_checks.h"
#include "consensus/pow.h"
#include "consensus/hash.h"
#include "peer/peer_wire.h"

namespace rowchain::peer {

namespace pb = ::rowchain::v1;
using consensus::Hash256;
using namespace wire;


static std::atomic<uint64_t> g_next_link_id{1};  // distinguishes the links in the download book

PeerSession::PeerSession(const PeerNetwork& network, PeerTransport& transport, std::string address, bool inbound)
    : m_node(network.node),
      m_transport(transport),
      m_bans(network.bans),
      m_downloads(network.downloads),
      m_config(network.config),
      m_link(network.links.Open(address, inbound)),
      m_link_id(g_next_link_id++),
      m_address(std::move(address)),
      m_inbound(inbound),
      m_peer_proven(network.config.network_secret.empty()) {
  m_challenge.resize(32);
  RAND_bytes(reinterpret_cast<unsigned char*>(m_challenge.data()), static_cast<int>(m_challenge.size()));
}

PeerSession::~PeerSession() {
  spdlog::info("peer {}: link closed after {} blocks received and {} sent", m_address, m_blocks_received,
               m_blocks_sent);
  if (m_subscription != 0) m_node.events().Unsubscribe(m_subscription);
  {
    std::lock_guard lock(m_out_mutex);
    m_closing = true;
  }
  m_out_ready.notify_all();
  if (m_writer.joinable()) m_writer.join();  // what is queued (a goodbye) still goes out
  {
    std::lock_guard lock(m_in_mutex);
    m_reader_stop = true;  // a reader waiting for room gives up
  }
  m_in_ready.notify_all();
  m_transport.Cancel();
  if (m_reader.joinable()) m_reader.join();
  m_downloads.ReleaseAll(m_link_id);
  SetSyncing(false);
}

void PeerSession::ReaderLoop() {
  pb::PeerMessage message;
  while (m_transport.Read(&message)) {
    m_link.Received(message.ByteSizeLong());
    std::unique_lock lock(m_in_mutex);
    // Bounded: a peer that sends faster than this node handles waits (TCP pushes back on it).
    m_in_ready.wait(lock, [&] { return m_in.size() < m_config.max_receive_queue || m_reader_stop; });
    if (m_reader_stop) break;
    m_in.push_back(std::move(message));
    m_in_ready.notify_all();
  }
  std::lock_guard lock(m_in_mutex);
  m_reader_done = true;
  m_in_ready.notify_all();
}

void PeerSession::Send(pb::PeerMessage message) {
  {
    std::lock_guard lock(m_out_mutex);
    if (m_closing) return;
    const size_t bytes = message.ByteSizeLong();
    // Bounded: a peer that asks and does not read is dropped (Run sees the overflow), and its
    // replies stop here rather than in memory. A goodbye always fits.
    if (m_out_bytes + bytes > m_config.max_send_queue_bytes && !message.has_goodbye()) {
      m_send_overflow = true;
      return;
    }
    m_out_bytes += bytes;
    m_out.push_back(std::move(message));
  }
  m_out_ready.notify_one();
}

void PeerSession::WriterLoop() {
  for (;;) {
    pb::PeerMessage message;
    {
      std::unique_lock lock(m_out_mutex);
      m_out_ready.wait(lock, [&] { return m_closing || !m_out.empty(); });
      if (m_out.empty()) return;
      message = std::move(m_out.front());
      m_out.pop_front();
      m_out_bytes -= std::min(m_out_bytes, message.ByteSizeLong());
    }
    if (!m_transport.Write(message)) {
      m_transport.Cancel();
      return;
    }
    m_link.Sent(message.ByteSizeLong());
    if (message.has_goodbye()) {
      m_transport.Cancel();
      return;
    }
  }
}

Status PeerSession::Run() {
  m_writer = std::thread([this] { WriterLoop(); });
  const store::TipInfo tip = m_node.Tip();
  pb::PeerMessage hello;
  hello.mutable_hello()->set_protocol_version(kProtocolVersion);
  hello.mutable_hello()->set_genesis_hash(consensus::ToDisplayHex(m_node.Genesis()));
  hello.mutable_hello()->set_node_id(m_node.node_id());
  hello.mutable_hello()->set_tip_height(tip.height);
  hello.mutable_hello()->set_tip_hash(consensus::ToDisplayHex(tip.hash));
  hello.mutable_hello()->set_chain_work(tip.chain_work.ToHex());
  hello.mutable_hello()->set_challenge(m_challenge);
  Send(std::move(hello));
  m_window_start = std::chrono::steady_clock::now();
  m_reader = std::thread([this] { ReaderLoop(); });
  for (;;) {
    pb::PeerMessage message;
    {
      std::unique_lock lock(m_in_mutex);
      m_in_ready.wait_for(lock, std::chrono::milliseconds(250), [&] { return m_reader_done || !m_in.empty(); });
      if (m_in.empty() && m_reader_done) break;
      if (m_in.empty()) {
        lock.unlock();
        ROWCHAIN_RETURN_IF_ERROR(CheckDeadlines());
        Tick();
        continue;
      }
      message = std::move(m_in.front());
      m_in.pop_front();
      m_in_ready.notify_all();  // room for the reader
    }
    ROWCHAIN_RETURN_IF_ERROR(CheckDeadlines());
    auto now = std::chrono::steady_clock::now();
    if (now - m_window_start > std::chrono::seconds(1)) {
      m_window_start = now;
      m_window_messages = 0;
    }
    if (++m_window_messages > kMaxMessagesPerSecond) {
      return Misbehaved("flood", fmt::format("more than {} messages a second", kMaxMessagesPerSecond));
    }
    Status handled = Handle(message);
    if (!handled.ok()) return handled;
  }
  (void)FlushReceived();  // what arrived before the link closed is still worth keeping
  return UnavailableError("the link closed");
}

Status PeerSession::Misbehaved(std::string_view reason_code, const std::string& detail) {
  spdlog::warn("peer {} ({}) disconnected and banned: {}: {}", m_address, m_peer_id.empty() ? "?" : m_peer_id,
               reason_code, detail);
  m_bans.Ban(m_peer_id, m_inbound ? BanKeyOfAddress(m_address) : m_address,  // an outbound link: the address dialled
             fmt::format("{}: {}", reason_code, detail));
  pb::PeerMessage goodbye;
  goodbye.mutable_goodbye()->set_reason(fmt::format("{}: {}", reason_code, detail));
  Send(std::move(goodbye));
  return PermissionDeniedError(fmt::format("{}: {}", reason_code, detail));
}

Status PeerSession::Disconnect(std::string_view reason_code, const std::string& detail, StatusCode code) {
  spdlog::warn("peer {} ({}) disconnected: {}: {}", m_address, m_peer_id.empty() ? "?" : m_peer_id, reason_code, detail);
  pb::PeerMessage goodbye;
  goodbye.mutable_goodbye()->set_reason(fmt::format("{}: {}", reason_code, detail));
  Send(std::move(goodbye));
  return Status(code, fmt::format("{}: {}", reason_code, detail));
}

Status PeerSession::CheckDeadlines() {
  {
    std::lock_guard lock(m_out_mutex);
    if (m_send_overflow) {
      return Disconnect("send-queue-full",
                        fmt::format("more than {} bytes of replies unread", m_config.max_send_queue_bytes),
                        StatusCode::kResourceExhausted);
    }
  }
  const auto now = std::chrono::steady_clock::now();
  const auto timeout = m_config.request_timeout;
  if (m_headers_pending && now - m_headers_asked_at > timeout) {
    return Disconnect("timeout", fmt::format("headers not sent within {} s", timeout.count()),
                      StatusCode::kDeadlineExceeded);
  }
  for (const auto& [hash, asked_at] : m_in_flight) {
    if (now - asked_at > timeout) {
      return Disconnect("timeout",
                        fmt::format("block {} not sent within {} s", consensus::ToDisplayHex(hash), timeout.count()),
                        StatusCode::kDeadlineExceeded);
    }
  }
  return OkStatus();
}

std::string PeerSession::ProofOver(const std::string& challenge, const std::string& prover_id) const {
  const Hash256 genesis = m_node.Genesis();
  std::string message = "rowchain-peer-v1" + challenge + std::string(genesis.begin(), genesis.end()) + prover_id;
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), m_config.network_secret.data(), static_cast<int>(m_config.network_secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(), &length);
  return std::string(reinterpret_cast<const char*>(mac.data()), length);
}

Status PeerSession::OnProof(const pb::Proof& proof) {
  if (m_config.network_secret.empty() || m_peer_proven) return Misbehaved("protocol", "an unexpected proof");
  const std::string expected = ProofOver(m_challenge, m_peer_id);
  if (proof.mac().size() != expected.size() ||
      CRYPTO_memcmp(proof.mac().data(), expected.data(), expected.size()) != 0) {
    return Disconnect("unauthenticated", "the proof of the network secret is wrong", StatusCode::kUnauthenticated);
  }
  m_peer_proven = true;
  spdlog::info("peer {} proved the network secret", m_address);
  AskForHeaders(nullptr);
  return OkStatus();
}

Status PeerSession::Handle(const pb::PeerMessage& message) {
  if (!m_hello_seen && !message.has_hello()) return Misbehaved("protocol", "the first message must be a hello");
  if (message.has_proof()) return OnProof(message.proof());
  if (!m_peer_proven && !message.has_hello() && !message.has_goodbye()) {
    return Disconnect("unauthenticated", "this network needs a proof of its secret first", StatusCode::kUnauthenticated);
  }
  switch (message.body_case()) {
    case pb::PeerMessage::kHello: return OnHello(message.hello());
    case pb::PeerMessage::kAnnounce: return OnAnnounce(message.announce());
    case pb::PeerMessage::kGetHeaders: return OnGetHeaders(message.get_headers());
    case pb::PeerMessage::kHeaders: return OnHeaders(message.headers());
    case pb::PeerMessage::kGetBlocks: return OnGetBlocks(message.get_blocks());
    case pb::PeerMessage::kBlock: return OnBlock(message.block());
    case pb::PeerMessage::kNotFound:
      for (const std::string& h : message.not_found().hashes()) {
        if (auto hash = HashFrom(h)) {
          m_in_flight.erase(*hash);
          m_downloads.Release(*hash, m_link_id);
        }
      }
      RequestBlocks();
      return OkStatus();
    case pb::PeerMessage::kProof: break;  // handled above
    case pb::PeerMessage::kGoodbye:
      spdlog::info("peer {} said goodbye: {}", m_address, message.goodbye().reason());
      return UnavailableError("the peer said goodbye: " + message.goodbye().reason());
    case pb::PeerMessage::BODY_NOT_SET: break;
  }
  return Misbehaved("protocol", "an empty or unknown message");
}

Status PeerSession::OnHello(const pb::Hello& hello) {
  if (m_hello_seen) return Misbehaved("protocol", "a second hello");
  m_hello_seen = true;
  m_peer_id = hello.node_id();
  m_link.SetNodeId(m_peer_id);
  if (hello.node_id() == m_node.node_id()) return FailedPreconditionError("a link to this node itself");
  if (m_bans.IsBanned(hello.node_id())) {
    pb::PeerMessage goodbye;
    goodbye.mutable_goodbye()->set_reason("banned");
    Send(std::move(goodbye));
    return PermissionDeniedError("the peer is banned");
  }
  if (hello.protocol_version() != kProtocolVersion || hello.genesis_hash() != consensus::ToDisplayHex(m_node.Genesis())) {
    std::string why = hello.protocol_version() != kProtocolVersion
                          ? fmt::format("protocol version {} (this node speaks {})", hello.protocol_version(), kProtocolVersion)
                          : fmt::format("another chain (genesis {})", hello.genesis_hash());
    spdlog::warn("peer {} refused: {}", m_address, why);
    pb::PeerMessage goodbye;
    goodbye.mutable_goodbye()->set_reason(why);
    Send(std::move(goodbye));
    return FailedPreconditionError("peer refused: " + why);
  }
  spdlog::info("peer {} connected: node {}, tip height {} {}", m_address, hello.node_id(), hello.tip_height(),
               hello.tip_hash());
  if (!m_config.network_secret.empty()) {  // prove the secret over the peer's challenge
    pb::PeerMessage proof;
    proof.mutable_proof()->set_mac(ProofOver(hello.challenge(), m_node.node_id()));
    Send(std::move(proof));
  }
  // From now on every block this node connects is announced to the peer.
  m_subscription = m_node.events().Subscribe([this](const node::NodeEvent& event) {
    const auto* block = std::get_if<node::BlockEvent>(&event);
    if (block == nullptr || !block->connected) return;
    pb::PeerMessage announce;
    announce.mutable_announce()->set_header(HeaderBytes(block->block->block.header));
    announce.mutable_announce()->set_height(block->block->height);
    Send(std::move(announce));
  });
  if (m_peer_proven) AskForHeaders(nullptr);  // else once it proved the secret (OnProof)
  return OkStatus();
}

void PeerSession::AskForHeaders(const Hash256* newest_known) {
  if (m_headers_pending) return;
  m_headers_pending = true;
  // Not syncing yet: a peer that never answers must not stop this node mining (it is dropped
  // at the deadline). Only blocks of a chain with at least the tip's work are.
  m_headers_asked_at = std::chrono::steady_clock::now();
  pb::PeerMessage request;
  if (newest_known != nullptr) request.mutable_get_headers()->add_locator(Bytes(*newest_known));
  for (const Hash256& h : m_node.Locator()) {
    if (static_cast<size_t>(request.get_headers().locator_size()) >= kMaxLocator) break;
    request.mutable_get_headers()->add_locator(Bytes(h));
  }
  Send(std::move(request));
}

Status PeerSession::OnAnnounce(const pb::Announce& announce) {
  auto header = HeaderFrom(announce.header());
  if (!header) return Misbehaved("protocol", "an announced header is not 80 bytes");
  if (consensus::Verdict v = consensus::CheckBlockHeader(*header, m_node.params()); !v.ok()) {
    return Misbehaved(v.reason(), "announced header: " + v.detail());
  }
  const Hash256 hash = header->Hash();
  if (m_node.HasBlock(hash) || m_in_flight.contains(hash) || m_wanted_index.contains(hash)) return OkStatus();
  if (auto parent_work = m_node.ChainWorkOf(header->prev_hash)) {
    // Only a block that would make a chain at least as heavy as the tip is worth fetching.
    if (*parent_work + consensus::BlockWork(header->bits) < m_node.Tip().chain_work) return OkStatus();
    if (auto tail = m_node.ChainTailOf(header->prev_hash)) ROWCHAIN_RETURN_IF_ERROR(CheckAfter(*tail, *header));
    Want(hash);
    RequestBlocks();
  } else if (m_in_flight.contains(header->prev_hash)) {
    Want(hash);
    RequestBlocks();
  } else {
    AskForHeaders(nullptr);  // its ancestors are missing: the headers from the fork point first
  }
  return OkStatus();
}

Status PeerSession::OnGetHeaders(const pb::GetHeaders& request) {
  if (static_cast<size_t>(request.locator_size()) > kMaxLocator) return Misbehaved("protocol", "locator too long");
  std::vector<Hash256> locator;
  for (const std::string& h : request.locator()) {
    auto hash = HashFrom(h);
    if (!hash) return Misbehaved("protocol", "a locator hash is not 32 bytes");
    locator.push_back(*hash);
  }
  node::Node::HeaderRun run = m_node.HeadersAfter(locator, kHeadersPerReply);
  pb::PeerMessage reply;
  reply.mutable_headers()->set_first_height(run.first_height);
  reply.mutable_headers()->set_more(run.more);
  for (const consensus::BlockHeader& header : run.headers) reply.mutable_headers()->add_headers(HeaderBytes(header));
  Send(std::move(reply));
  return OkStatus();
}

void PeerSession::Want(const Hash256& hash) {
  const bool received = std::any_of(m_received.begin(), m_received.end(),
                                    [&](const consensus::Block& b) { return b.Hash() == hash; });
  if (received || m_node.HasBlock(hash) || m_in_flight.contains(hash) || m_wanted_index.contains(hash)) return;
  if (m_wanted.size() >= m_config.max_wanted_blocks) return;  // asked for again by a later headers round
  m_wanted.push_back(hash);  // fetched unless another link already has it coming
  m_wanted_index.insert(hash);
}

void PeerSession::RequestBlocks() {
  pb::PeerMessage request;
  auto send = [&] {
    if (request.get_blocks().hashes_size() > 0) Send(std::move(request));
    request = pb::PeerMessage();
  };
  // Oldest first; blocks another link is fetching are left to it (and looked at again later).
  for (auto it = m_wanted.begin(); it != m_wanted.end() && m_in_flight.size() < kMaxBlocksInFlight;) {
    if (m_node.HasBlock(*it)) {
      m_wanted_index.erase(*it);
      it = m_wanted.erase(it);
    } else if (m_downloads.TryClaim(*it, m_link_id)) {
      m_in_flight.emplace(*it, std::chrono::steady_clock::now());
      m_wanted_index.erase(*it);
      request.mutable_get_blocks()->add_hashes(Bytes(*it));
      if (request.get_blocks().hashes_size() == static_cast<int>(kBlocksPerRequest)) send();
      it = m_wanted.erase(it);
    } else {
      ++it;
    }
  }
  send();
  NoteSyncing();
}

void PeerSession::Tick() {
  if (!m_hello_seen) return;
  RequestBlocks();
}

Status PeerSession::OnGetBlocks(const pb::GetBlocks& request) {
  if (static_cast<size_t>(request.hashes_size()) > kMaxHashesPerRequest) {
    return Misbehaved("protocol", "too many blocks asked for at once");
  }
  pb::PeerMessage not_found;
  std::set<Hash256> asked;
  for (const std::string& bytes : request.hashes()) {
    auto hash = HashFrom(bytes);
    if (!hash) return Misbehaved("protocol", "a block hash is not 32 bytes");
    if (!asked.insert(*hash).second) return Misbehaved("protocol", "a block asked for twice in one request");
    auto view = m_node.BlockByHash(*hash);
    if (!view.ok()) return view.status();
    if (!*view) {
      not_found.mutable_not_found()->add_hashes(bytes);
      continue;
    }
    std::vector<uint8_t> raw = consensus::SerializeBlock((*view)->block);
    pb::PeerMessage reply;
    reply.mutable_block()->set_block(std::string(raw.begin(), raw.end()));
    Send(std::move(reply));
    ++m_blocks_sent;
  }
  if (not_found.not_found().hashes_size() > 0) Send(std::move(not_found));
  return OkStatus();
}

Status PeerSession::OnBlock(const pb::BlockData& data) {
  auto block = consensus::ParseBlock(
      std::span(reinterpret_cast<const uint8_t*>(data.block().data()), data.block().size()));
  if (!block.ok()) return Misbehaved("bad-block-encoding", block.status().message());
  const Hash256 hash = block->Hash();
  if (!m_in_flight.erase(hash)) return Misbehaved("protocol", "a block that was not asked for");
  ++m_blocks_received;
  const bool extends_received = !m_received.empty() && block->header.prev_hash == m_received.back().Hash();
  if (!extends_received) {
    ROWCHAIN_RETURN_IF_ERROR(FlushReceived());
    const Hash256& parent = block->header.prev_hash;
    if (!m_node.HasBlock(parent)) {
      const bool parent_coming = m_in_flight.contains(parent) || m_downloads.Expected(parent) ||
                                 m_wanted_index.contains(parent);
      if (parent_coming) {
        m_downloads.Park(std::move(*block));  // connected when its parent is
      } else {
        AskForHeaders(nullptr);  // not kept: the ancestors come first
      }
      RequestBlocks();
      return OkStatus();
    }
  }
  m_received.push_back(std::move(*block));
  RequestBlocks();
  // A run of blocks is connected in one transaction; a lone block (relay) at once.
  if (m_received.size() >= kMaxBlocksPerGroup || m_in_flight.empty()) ROWCHAIN_RETURN_IF_ERROR(FlushReceived());
  NoteSyncing();
  return OkStatus();
}

Status PeerSession::FlushReceived() {
  if (m_received.empty()) return OkStatus();
  std::vector<consensus::Block> blocks = std::move(m_received);
  m_received.clear();
  return Submit(std::move(blocks));
}

Status PeerSession::Submit(std::vector<consensus::Block> blocks) {
  auto results = m_node.SubmitBlocks(blocks);
  if (!results.ok()) {
    spdlog::error("{} blocks from peer {} not stored: {}", blocks.size(), m_address, results.status().message());
    return results.status();
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    const consensus::Verdict& verdict = (*results)[i].verdict;
    if (!verdict.ok() && verdict.reason() != "time-too-new") {
      return Misbehaved(verdict.reason(),
                        fmt::format("block {}: {}", consensus::ToDisplayHex(blocks[i].Hash()), verdict.detail()));
    }
    m_downloads.Forget(blocks[i].Hash());
  }
  // Blocks another link fetched ahead of these were parked; they follow now, as one run.
  std::vector<consensus::Block> waiting;
  for (const consensus::Block& block : blocks) {
    Hash256 parent = block.Hash();
    for (std::vector<consensus::Block> children = m_downloads.TakeChildren(parent); !children.empty();
         children = m_downloads.TakeChildren(parent)) {
      for (size_t c = 1; c < children.size(); ++c) m_downloads.Park(std::move(children[c]));  // a fork: later
      parent = children[0].Hash();
      waiting.push_back(std::move(children[0]));
      if (waiting.size() >= kMaxBlocksPerGroup) break;
    }
  }
  if (!waiting.empty()) return Submit(std::move(waiting));
  return OkStatus();
}

void PeerSession::NoteSyncing() {
  // Blocks wanted, asked for or received: all of a chain at least as heavy as the tip. A pending
  // header request does not count: a peer that never answers must not stop this node mining.
  SetSyncing(!m_wanted.empty() || !m_in_flight.empty() || !m_received.empty());
}

void PeerSession::SetSyncing(bool syncing) {
  if (syncing == m_syncing) return;
  m_syncing = syncing;
  if (syncing) {
    m_node.BeginSync();
  } else {
    m_node.EndSync();
  }
}

}  // namespace rowchain::peer
