#include "peer/peer_admin_service.h"

namespace rowchain::peer {

grpc::Status PeerAdminService::ListPeers(grpc::ServerContext* context, const v1::ListPeersRequest* /*request*/,
                                         v1::PeerList* reply) {
  if (Status allowed = m_authorize(*context); !allowed.ok()) {
    return grpc::Status(static_cast<grpc::StatusCode>(allowed.code()), allowed.message());
  }
  reply->set_peer_listen(m_peer_listen);
  for (const LinkInfo& link : m_links.Links()) {
    v1::PeerLink* out = reply->add_links();
    out->set_address(link.address);
    out->set_node_id(link.node_id);
    out->set_inbound(link.inbound);
    out->set_since_unix(link.since_unix);
    out->set_messages_in(link.messages_in);
    out->set_messages_out(link.messages_out);
    out->set_bytes_in(link.bytes_in);
    out->set_bytes_out(link.bytes_out);
  }
  for (const BanInfo& ban : m_bans.List()) {
    v1::PeerBan* out = reply->add_bans();
    out->set_key(ban.key);
    out->set_seconds_left(ban.remaining.count());
    out->set_reason(ban.reason);
  }
  return grpc::Status::OK;
}

}  // namespace rowchain::peer
