#include "peer/link_registry.h"

#include <ctime>

#include "metrics/metrics.h"

namespace rowchain::peer {

LinkRegistry::Handle::~Handle() {
  if (m_registry != nullptr && m_record) m_registry->Close(m_record->id);
}

void LinkRegistry::Handle::SetNodeId(const std::string& node_id) {
  if (m_registry == nullptr || !m_record) return;
  std::lock_guard lock(m_registry->m_mutex);
  m_record->fixed.node_id = node_id;
}

void LinkRegistry::Handle::Received(size_t bytes) {
  if (!m_record) return;
  m_record->messages_in.fetch_add(1, std::memory_order_relaxed);
  m_record->bytes_in.fetch_add(bytes, std::memory_order_relaxed);
  static metrics::Counter& messages = metrics::Get().peer_messages.Add({{"direction", "in"}});
  static metrics::Counter& total = metrics::Get().peer_bytes.Add({{"direction", "in"}});
  messages.Increment();
  total.Increment(static_cast<double>(bytes));
}

void LinkRegistry::Handle::Sent(size_t bytes) {
  if (!m_record) return;
  m_record->messages_out.fetch_add(1, std::memory_order_relaxed);
  m_record->bytes_out.fetch_add(bytes, std::memory_order_relaxed);
  static metrics::Counter& messages = metrics::Get().peer_messages.Add({{"direction", "out"}});
  static metrics::Counter& total = metrics::Get().peer_bytes.Add({{"direction", "out"}});
  messages.Increment();
  total.Increment(static_cast<double>(bytes));
}

LinkRegistry::Handle LinkRegistry::Open(const std::string& address, bool inbound) {
  auto record = std::make_shared<Record>();
  record->fixed.address = address;
  record->fixed.inbound = inbound;
  record->fixed.since_unix = static_cast<int64_t>(std::time(nullptr));
  std::lock_guard lock(m_mutex);
  record->id = m_next_id++;
  m_records[record->id] = record;
  metrics::Get().peers.Set(static_cast<double>(m_records.size()));
  return Handle(this, std::move(record));
}

std::vector<LinkInfo> LinkRegistry::Links() const {
  std::lock_guard lock(m_mutex);
  std::vector<LinkInfo> links;
  links.reserve(m_records.size());
  for (const auto& [id, record] : m_records) {
    LinkInfo info = record->fixed;
    info.messages_in = record->messages_in.load(std::memory_order_relaxed);
    info.messages_out = record->messages_out.load(std::memory_order_relaxed);
    info.bytes_in = record->bytes_in.load(std::memory_order_relaxed);
    info.bytes_out = record->bytes_out.load(std::memory_order_relaxed);
    links.push_back(std::move(info));
  }
  return links;
}

void LinkRegistry::Close(uint64_t id) {
  std::lock_guard lock(m_mutex);
  m_records.erase(id);
  metrics::Get().peers.Set(static_cast<double>(m_records.size()));
}

}  // namespace rowchain::peer
