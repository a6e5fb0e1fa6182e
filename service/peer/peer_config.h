// How this node's peer links behave: deadlines, bounds and authentication (docs/peers.md,
// docs/security.md). One value shared by the listener's and the dialer's sessions.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace rowchain::peer {

struct PeerConfig {
  // A peer that does not answer a request for headers or blocks within this is disconnected,
  // and what it was asked for goes to another peer.
  std::chrono::seconds request_timeout{10};
  // Shared by the nodes of one network: a link proves it with a challenge-response in the
  // handshake (never sent). Empty: none.
  std::string network_secret;
  // Inbound links must authenticate (the network secret, or a client certificate the listener's
  // CA signed): set unless the listener is on loopback with no secret, no CA and no writer tokens.
  bool require_authentication = false;
  // Mutual TLS is on: gRPC checked the client's certificate before the link opened.
  bool mutual_tls = false;

  // Bounds per link (each named where it is used, in peer_session.cpp).
  size_t max_send_queue_bytes = 64u << 20;  // replies and announcements not yet written
  size_t max_receive_queue = 1024;          // messages read and not yet handled (the reader waits)
  size_t max_wanted_blocks = 100'000;       // block hashes known from headers, not yet asked for
  size_t max_unproven_headers = 20'000;     // headers past this node's blocks with less work than its tip
};

}  // namespace rowchain::peer
