// The links of the peer network: PeerService takes links other nodes dial (rowchain.v1.Peer,
// on the node's peer listener), PeerDialer keeps one link open to every configured peer and
// dials again with backoff when it drops. Both run a PeerSession per link. Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "node/node.h"
#include "util/tls_files.h"
#include "peer/peer_network.h"
#include "peer/peer_session.h"
#include "rowchain/v1/peer.grpc.pb.h"

namespace rowchain::peer {

class PeerService final : public v1::Peer::Service {
 public:
  explicit PeerService(const PeerNetwork& network) : m_network(network) {}
  grpc::Status Link(grpc::ServerContext* context,
                    grpc::ServerReaderWriter<v1::PeerMessage, v1::PeerMessage>* stream) override;

 private:
  const PeerNetwork m_network;
};

class PeerDialer {
 public:
  PeerDialer(const PeerNetwork& network, std::vector<std::string> addresses,
             std::optional<TlsFiles> tls);  // this node's certificate for mutual TLS, and the CA it trusts
  ~PeerDialer();  // Stop()
  void Stop();

 private:
  void Keep(const std::string& address);

  const PeerNetwork m_network;
  std::optional<TlsFiles> m_tls;
  std::atomic<bool> m_stopping{false};
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::vector<std::shared_ptr<grpc::ClientContext>> m_open;  // to cancel on Stop
  std::vector<std::thread> m_threads;
};

}  // namespace rowchain::peer
