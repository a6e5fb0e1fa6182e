// rowchain peers: the links a node has open (which side dialled, since when, what passed) and
// the peers it has banned (for how long, why), from rowchain.v1.PeerAdmin on the writer API.
#include <cstdio>
#include <ctime>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "node_client.h"
#include "rowchain/v1/peer.grpc.pb.h"

namespace rowchain::cli {

namespace {

namespace pb = ::rowchain::v1;

nlohmann::json JsonOf(const pb::PeerList& list) {
  nlohmann::json out{{"peer_listen", list.peer_listen()}, {"links", nlohmann::json::array()},
                     {"bans", nlohmann::json::array()}};
  for (const pb::PeerLink& link : list.links()) {
    out["links"].push_back({{"address", link.address()}, {"node_id", link.node_id()},
                            {"direction", link.inbound() ? "in" : "out"}, {"since_unix", link.since_unix()},
                            {"messages_in", link.messages_in()}, {"messages_out", link.messages_out()},
                            {"bytes_in", link.bytes_in()}, {"bytes_out", link.bytes_out()}});
  }
  for (const pb::PeerBan& ban : list.bans()) {
    out["bans"].push_back({{"key", ban.key()}, {"seconds_left", ban.seconds_left()}, {"reason", ban.reason()}});
  }
  return out;
}

void PrintTable(const pb::PeerList& list) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::printf("peers dial in on %s; %d links, %d bans\n", list.peer_listen().c_str(), list.links_size(),
              list.bans_size());
  if (list.links_size() > 0) std::printf("%-4s %-28s %-24s %8s %10s %10s\n", "dir", "address", "node id", "age s", "KiB in", "KiB out");
  for (const pb::PeerLink& link : list.links()) {
    std::printf("%-4s %-28s %-24s %8lld %10llu %10llu\n", link.inbound() ? "in" : "out", link.address().c_str(),
                link.node_id().empty() ? "-" : link.node_id().c_str(), static_cast<long long>(now - link.since_unix()),
                static_cast<unsigned long long>(link.bytes_in() / 1024),
                static_cast<unsigned long long>(link.bytes_out() / 1024));
  }
  for (const pb::PeerBan& ban : list.bans()) {
    std::printf("banned %s for %llds more: %s\n", ban.key().c_str(), static_cast<long long>(ban.seconds_left()),
                ban.reason().c_str());
  }
}

int RunPeers(const NodeFlags& node, bool json) {
  auto client = NodeClient::Connect(node);
  if (!client.ok()) return ReportError(kExitUsage, "peers: " + client.status().message());
  auto stub = pb::PeerAdmin::NewStub(client->channel());
  pb::PeerList list;
  if (grpc::Status s = stub->ListPeers(client->Context().get(), {}, &list); !s.ok()) return client->ReportRpcError("peers", s);
  if (json) {
    std::printf("%s\n", JsonOf(list).dump().c_str());
  } else {
    PrintTable(list);
  }
  return kExitOk;
}

}  // namespace

void AddPeersCommand(CLI::App& app, const NodeFlags* node, int* exit_code) {
  auto json = std::make_shared<bool>(false);
  CLI::App* peers = app.add_subcommand("peers", "The node's peer links and the peers it has banned");
  peers->add_flag("--json", *json, "links and bans as JSON");
  peers->callback([=] { *exit_code = RunPeers(*node, *json); });
}

}  // namespace rowchain::cli
