#include "peer/ban_list.h"

namespace rowchain::peer {

std::string BanKeyOfAddress(const std::string& grpc_peer) {
  const size_t colon = grpc_peer.rfind(':');
  const size_t scheme = grpc_peer.find(':');
  if (colon == std::string::npos || colon == scheme) return grpc_peer;  // no port (a Unix socket)
  std::string host = grpc_peer.substr(0, colon);
  if (host.starts_with("ipv4:127.") || host == "ipv6:[::1]" || host.starts_with("ipv6:[::ffff:127.")) return {};
  return host;
}

void BanList::Ban(const std::string& node_id, const std::string& address, const std::string& reason) {
  {
    std::lock_guard lock(m_mutex);
    auto until = m_clock() + m_duration;
    if (!node_id.empty()) m_until[node_id] = until;
    if (!address.empty()) m_until[address] = until;
  }
  if (!m_persist) return;
  if (!node_id.empty()) m_persist(node_id, m_duration, reason);
  if (!address.empty()) m_persist(address, m_duration, reason);
}

void BanList::Restore(const std::string& key, std::chrono::seconds remaining) {
  std::lock_guard lock(m_mutex);
  if (!key.empty() && remaining.count() > 0) m_until[key] = m_clock() + remaining;
}

bool BanList::IsBanned(const std::string& key) {
  std::lock_guard lock(m_mutex);
  auto it = m_until.find(key);
  if (it == m_until.end()) return false;
  if (it->second < m_clock()) {
    m_until.erase(it);
    return false;
  }
  return true;
}

}  // namespace rowchain::peer
