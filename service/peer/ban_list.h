// Who is banned, by node id and by address, until when. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "util/clock.h"

namespace rowchain::peer {

// The ban key of a gRPC peer address ("ipv4:10.1.2.3:5555" -> "ipv4:10.1.2.3"): the port is
// the peer's to choose, the address is not. Empty for loopback addresses: one local cheat would
// otherwise lock out every local peer, so local peers are banned by node id only.
std::string BanKeyOfAddress(const std::string& grpc_peer);

class BanList {
 public:
  explicit BanList(std::chrono::seconds duration = std::chrono::minutes(10), SteadyClock clock = SystemSteadyClock())
      : m_duration(duration), m_clock(std::move(clock)) {}
  void Ban(const std::string& node_id, const std::string& address);
  bool IsBanned(const std::string& node_id_or_address);

 private:
  std::mutex m_mutex;
  const std::chrono::seconds m_duration;
  const SteadyClock m_clock;
  std::map<std::string, std::chrono::steady_clock::time_point> m_until;
};

}  // namespace rowchain::peer
