// rowchain.v1.PeerAdmin: the links open now and the bans in force, for operators (`rowchain
// peers`). Served on the writer API; `authorize` says who may ask (the writer tokens).
#pragma once

#include <functional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "util/ban_list.h"
#include "peer/link_registry.h"
#include "rowchain/v1/peer.grpc.pb.h"
#include "util/status.h"

namespace rowchain::peer {

class PeerAdminService final : public v1::PeerAdmin::Service {
 public:
  using Authorize = std::function<Status(const grpc::ServerContext& context)>;
  PeerAdminService(LinkRegistry& links, BanList& bans, std::string peer_listen, Authorize authorize)
      : m_links(links), m_bans(bans), m_peer_listen(std::move(peer_listen)), m_authorize(std::move(authorize)) {}
  grpc::Status ListPeers(grpc::ServerContext* context, const v1::ListPeersRequest* request, v1::PeerList* reply) override;

 private:
  LinkRegistry& m_links;
  BanList& m_bans;
  const std::string m_peer_listen;
  const Authorize m_authorize;
};

}  // namespace rowchain::peer
