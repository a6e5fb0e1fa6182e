#include "util/ban_list.h"

#include "metrics/metrics.h"

namespace rowchain {

std::string BanKeyOfAddress(const std::string& grpc_peer) {
  const size_t colon = grpc_peer.rfind(':');
  const size_t scheme = grpc_peer.find(':');
  if (colon == std::string::npos || colon == scheme) return grpc_peer;  // no port (a Unix socket)
  std::string host = grpc_peer.substr(0, colon);
  if (host.starts_with("ipv4:127.") || host == "ipv6:[::1]" || host.starts_with("ipv6:[::ffff:127.")) return {};
  return host;
}

void BanList::Ban(const std::string& node_id, const std::string& address, const std::string& reason) {
  // By reason code only ("flood" of "flood: 5000 messages in a second"): a label takes few values.
  metrics::Get().peer_bans.Add({{"reason", reason.substr(0, reason.find(':'))}}).Increment();
  {
    std::lock_guard lock(m_mutex);
    const Entry ban{m_clock() + m_duration, reason};
    if (!node_id.empty()) m_bans[node_id] = ban;
    if (!address.empty()) m_bans[address] = ban;
  }
  if (!m_persist) return;
  if (!node_id.empty()) m_persist(node_id, m_duration, reason);
  if (!address.empty()) m_persist(address, m_duration, reason);
}

void BanList::Restore(const std::string& key, std::chrono::seconds remaining, const std::string& reason) {
  std::lock_guard lock(m_mutex);
  if (!key.empty() && remaining.count() > 0) m_bans[key] = Entry{m_clock() + remaining, reason};
}

bool BanList::IsBanned(const std::string& key) {
  std::lock_guard lock(m_mutex);
  auto it = m_bans.find(key);
  if (it == m_bans.end()) return false;
  if (it->second.until < m_clock()) {
    m_bans.erase(it);
    return false;
  }
  return true;
}

std::vector<BanInfo> BanList::List() {
  std::lock_guard lock(m_mutex);
  const auto now = m_clock();
  std::erase_if(m_bans, [&](const auto& entry) { return entry.second.until < now; });
  std::vector<BanInfo> bans;
  for (const auto& [key, ban] : m_bans) {
    bans.push_back({key, std::chrono::ceil<std::chrono::seconds>(ban.until - now), ban.reason});
  }
  return bans;
}

}  // namespace rowchain
