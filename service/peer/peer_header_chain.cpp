// The header chain a link learns from its peer: headers checked in context (retarget rule,
// median time past) against the link's ChainTail before any block is asked for, and wanted
// once their chain has at least the tip's work (peer_session.h).
#include <ctime>

#include <fmt/format.h>

#include "consensus/block_checks.h"
#include "consensus/pow.h"
#include "peer/peer_session.h"
#include "peer/peer_wire.h"

namespace rowchain::peer {

namespace pb = ::rowchain::v1;
using consensus::Hash256;
using namespace wire;

Status PeerSession::OnHeaders(const pb::Headers& message) {
  if (!m_headers_pending) return Misbehaved("protocol", "headers that were not asked for");
  m_headers_pending = false;
  if (static_cast<size_t>(message.headers_size()) > kMaxHeadersPerMessage) {
    return Misbehaved("protocol", "too many headers in one message");
  }
  std::vector<consensus::BlockHeader> headers;
  headers.reserve(message.headers_size());
  for (const std::string& bytes : message.headers()) {
    auto header = HeaderFrom(bytes);
    if (!header) return Misbehaved("protocol", "a header is not 80 bytes");
    if (!headers.empty() && header->prev_hash != headers.back().Hash()) {
      return Misbehaved("bad-prevblk", "headers do not link up");
    }
    if (consensus::Verdict v = consensus::CheckBlockHeader(*header, m_node.params()); !v.ok()) {
      return Misbehaved(v.reason(), "header: " + v.detail());
    }
    headers.push_back(*header);
  }
  ROWCHAIN_RETURN_IF_ERROR(NoteHeaderChain(headers));
  if (message.more() && !headers.empty()) {
    const Hash256 last = headers.back().Hash();
    AskForHeaders(&last);
  }
  RequestBlocks();
  return OkStatus();
}

Status PeerSession::NoteHeaderChain(const std::vector<consensus::BlockHeader>& headers) {
  if (headers.empty()) return OkStatus();
  HeaderChain& chain = m_header_chain;
  if (auto parent_work = m_node.ChainWorkOf(headers.front().prev_hash)) {
    chain = HeaderChain{.tail = m_node.ChainTailOf(headers.front().prev_hash), .work = *parent_work, .unproven = {}};
  } else if (!chain.tail || headers.front().prev_hash != chain.tail->hash()) {
    return Misbehaved("bad-prevblk", "headers that connect to no block and to no header sent before");
  }
  for (const consensus::BlockHeader& header : headers) ROWCHAIN_RETURN_IF_ERROR(ExtendHeaderChain(header));
  // Anti-DoS in the spirit of Bitcoin Core's presync: blocks are fetched (and mining waits for
  // them) only once their chain is at least as heavy as the tip.
  if (!(chain.work < m_node.Tip().chain_work)) {
    for (const Hash256& hash : chain.unproven) Want(hash);
    chain.unproven.clear();
  } else if (chain.unproven.size() > m_config.max_unproven_headers) {
    return Disconnect("light-headers",
                      fmt::format("more than {} headers with less work than this node's tip", m_config.max_unproven_headers),
                      StatusCode::kResourceExhausted);
  }
  return OkStatus();
}

Status PeerSession::CheckAfter(const consensus::ChainTail& tail, const consensus::BlockHeader& header) {
  const consensus::Verdict verdict = consensus::ContextualCheckBlockHeader(
      header, tail.Context(m_node.params()), m_node.params(), static_cast<int64_t>(std::time(nullptr)));
  if (verdict.reason() == "time-too-new") {  // may be this node's clock, not a cheat: no ban
    return Disconnect(verdict.reason(), "header: " + verdict.detail(), StatusCode::kFailedPrecondition);
  }
  if (!verdict.ok()) return Misbehaved(verdict.reason(), "header: " + verdict.detail());
  return OkStatus();
}

Status PeerSession::ExtendHeaderChain(const consensus::BlockHeader& header) {
  HeaderChain& chain = m_header_chain;
  if (!chain.tail) return Misbehaved("bad-prevblk", "a header past a block this node no longer holds");
  const Hash256 hash = header.Hash();
  if (auto work = m_node.ChainWorkOf(hash)) {  // stored, so checked when it was
    chain.tail->Append(header);
    chain.work = *work;
    return OkStatus();
  }
  ROWCHAIN_RETURN_IF_ERROR(CheckAfter(*chain.tail, header));
  chain.tail->Append(header);
  chain.work = chain.work + consensus::BlockWork(header.bits);
  chain.unproven.push_back(hash);
  return OkStatus();
}

}  // namespace rowchain::peer
