#include "farm/farm_admin_service.h"

#include "api/proto_convert.h"

namespace rowchain::farm {

namespace {

void Fill(const WorkerView& w, v1::WorkerInfo* out) {
  out->set_name(w.name);
  out->set_address(w.address);
  for (const std::string& d : w.devices) out->add_devices(d);
  out->set_connected(w.connected);
  out->set_extra_nonce_first(w.extra_nonce_first);
  out->set_extra_nonce_count(w.extra_nonce_count);
  out->set_hash_rate_10s(w.hash_rate_10s);
  out->set_hash_rate_60s(w.hash_rate_60s);
  out->set_hash_rate_15m(w.hash_rate_15m);
  out->set_accepted(w.accepted);
  out->set_rejected(w.rejected);
  out->set_stale(w.stale);
  out->set_blocks(w.blocks);
  out->set_last_share_unix_ms(w.last_share_unix_ms);
  out->set_hashes_per_share(w.hashes_per_share);
  if (w.lowest_extra_nonce) out->set_lowest_extra_nonce(*w.lowest_extra_nonce);
  if (w.highest_extra_nonce) out->set_highest_extra_nonce(*w.highest_extra_nonce);
}

}  // namespace

grpc::Status FarmAdminService::ListWorkers(grpc::ServerContext* context, const v1::ListWorkersRequest*,
                                           v1::WorkerList* reply) {
  if (Status s = m_authorize(*context); !s.ok()) return api::ToGrpcStatus(s);
  reply->set_mining_listen(m_mining_listen);
  if (m_server == nullptr) return grpc::Status::OK;
  for (const WorkerView& w : m_server->Workers()) Fill(w, reply->add_workers());
  for (auto latency : m_server->RecentSwitchLatencies()) reply->add_recent_switch_latency_us(latency.count());
  return grpc::Status::OK;
}

}  // namespace rowchain::farm
