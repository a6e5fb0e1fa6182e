#include "peer/download_book.h"

#include <algorithm>

namespace rowchain::peer {

namespace {

uint64_t ParkedBytes(const consensus::Block& block) { return consensus::kBlockHeaderSize + consensus::BodySize(block.leaves); }

}  // namespace

bool DownloadBook::LiveLocked(const consensus::Hash256& hash, uint64_t* owner) {
  auto it = m_claims.find(hash);
  if (it == m_claims.end()) return false;
  if (m_clock() - it->second.at > m_lifetime) {
    m_claims.erase(it);
    return false;
  }
  *owner = it->second.link;
  return true;
}

bool DownloadBook::ParkedLocked(const consensus::Hash256& hash) const {
  return std::find(m_parked_order.begin(), m_parked_order.end(), hash) != m_parked_order.end();
}

bool DownloadBook::TryClaim(const consensus::Hash256& hash, uint64_t link) {
  std::lock_guard lock(m_mutex);
  uint64_t owner = 0;
  if (LiveLocked(hash, &owner) || ParkedLocked(hash)) return false;
  m_claims[hash] = Claim{link, m_clock()};
  return true;
}

bool DownloadBook::Expected(const consensus::Hash256& hash) {
  std::lock_guard lock(m_mutex);
  uint64_t owner = 0;
  return LiveLocked(hash, &owner) || ParkedLocked(hash);
}

void DownloadBook::Release(const consensus::Hash256& hash, uint64_t link) {
  std::lock_guard lock(m_mutex);
  auto it = m_claims.find(hash);
  if (it != m_claims.end() && it->second.link == link) m_claims.erase(it);
}

void DownloadBook::Forget(const consensus::Hash256& hash) {
  std::lock_guard lock(m_mutex);
  m_claims.erase(hash);
}

void DownloadBook::ReleaseAll(uint64_t link) {
  std::lock_guard lock(m_mutex);
  std::erase_if(m_claims, [&](const auto& entry) { return entry.second.link == link; });
}

void DownloadBook::Park(consensus::Block block) {
  std::lock_guard lock(m_mutex);
  const consensus::Hash256 hash = block.Hash();
  for (auto [it, end] = m_parked.equal_range(block.header.prev_hash); it != end; ++it) {
    if (it->second.Hash() == hash) return;
  }
  const uint64_t bytes = ParkedBytes(block);
  if (bytes > m_max_parked_bytes) return;
  while (m_parked_bytes + bytes > m_max_parked_bytes && !m_parked_order.empty()) {
    const consensus::Hash256 oldest = m_parked_order.front();
    m_parked_order.pop_front();
    std::erase_if(m_parked, [&](const auto& entry) {
      if (entry.second.Hash() != oldest) return false;
      m_parked_bytes -= ParkedBytes(entry.second);
      return true;
    });
  }
  m_parked_order.push_back(hash);
  m_parked_bytes += bytes;
  m_parked.emplace(block.header.prev_hash, std::move(block));
}

std::vector<consensus::Block> DownloadBook::TakeChildren(const consensus::Hash256& parent) {
  std::lock_guard lock(m_mutex);
  std::vector<consensus::Block> children;
  auto [it, end] = m_parked.equal_range(parent);
  for (auto i = it; i != end; ++i) {
    const consensus::Hash256 hash = i->second.Hash();
    std::erase(m_parked_order, hash);
    m_parked_bytes -= ParkedBytes(i->second);
    children.push_back(std::move(i->second));
  }
  m_parked.erase(it, end);
  return children;
}

}  // namespace rowchain::peer
