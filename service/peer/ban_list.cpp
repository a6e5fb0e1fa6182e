#include "peer/ban_list.h"

namespace rowchain::peer {

void BanList::Ban(const std::string& node_id, const std::string& address) {
  std::lock_guard lock(m_mutex);
  auto until = m_clock() + m_duration;
  if (!node_id.empty()) m_until[node_id] = until;
  if (!address.empty()) m_until[address] = until;
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
