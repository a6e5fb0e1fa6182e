// What every peer link of a node shares: the node, its bans, the download book that keeps two
// links from fetching one block, the open links, and the peer settings. Each outlives the links.
#pragma once

#include "node/node.h"
#include "util/ban_list.h"
#include "peer/download_book.h"
#include "peer/link_registry.h"
#include "peer/peer_config.h"

namespace rowchain::peer {

struct PeerNetwork {
  node::Node& node;
  BanList& bans;
  DownloadBook& downloads;
  LinkRegistry& links;
  const PeerConfig& config;
};

}  // namespace rowchain::peer
