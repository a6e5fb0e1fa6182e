#include "api/block_event_cache.h"

#include "api/proto_convert.h"
#include "util/hex.h"

namespace rowchain::api {

std::pair<std::shared_ptr<const v1::BlockEvent>, size_t> BlockEventCache::Get(const node::BlockView& view,
                                                                              bool connected, bool without_rows) {
  std::lock_guard lock(m_mutex);
  for (const Entry& e : m_entries) {
    if (e.hash == view.hash && e.connected == connected && e.without_rows == without_rows) return {e.event, e.bytes};
  }
  auto event = std::make_shared<v1::BlockEvent>();
  event->set_kind(connected ? v1::BlockEvent::KIND_CONNECTED : v1::BlockEvent::KIND_DISCONNECTED);
  BlockToProto(view, m_schema, without_rows, event->mutable_block());
  for (const consensus::BatchId& id : node::BatchesOf(view.block)) event->add_batch_ids(HexEncode(id));
  Entry entry{.hash = view.hash, .connected = connected, .without_rows = without_rows, .event = event,
              .bytes = event->ByteSizeLong()};
  if (m_entries.size() == kEntries) m_entries.pop_front();
  m_entries.push_back(entry);
  return {std::move(event), entry.bytes};
}

}  // namespace rowchain::api
