// Who is banned, by node id and by address, until when. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "util/clock.h"

namespace rowchain {

// The ban key of a gRPC peer address ("ipv4:10.1.2.3:5555" -> "ipv4:10.1.2.3"): the port is
// the peer's to choose, the address is not. Empty for loopback addresses: one local cheat would
// otherwise lock out every local peer, so local peers are banned by node id only.
std::string BanKeyOfAddress(const std::string& grpc_peer);

struct BanInfo {
  std::string key;  // a node id, or an address without its port
  std::chrono::seconds remaining{0};
  std::string reason;
};

class BanList {
 public:
  // Called for every key banned, with the ban's length (to keep it across restarts).
  using Persist = std::function<void(const std::string& key, std::chrono::seconds duration, const std::string& reason)>;
  explicit BanList(std::chrono::seconds duration = std::chrono::minutes(10), SteadyClock clock = SystemSteadyClock(),
                   Persist persist = {})
      : m_duration(duration), m_clock(std::move(clock)), m_persist(std::move(persist)) {}
  void Ban(const std::string& node_id, const std::string& address, const std::string& reason = {});
  // A ban kept from before a restart, with what is left of it.
  void Restore(const std::string& key, std::chrono::seconds remaining, const std::string& reason = {});
  bool IsBanned(const std::string& node_id_or_address);
  // The bans in force, by key.
  std::vector<BanInfo> List();

 private:
  std::mutex m_mutex;
  const std::chrono::seconds m_duration;
  const SteadyClock m_clock;
  const Persist m_persist;
  struct Entry {
    std::chrono::steady_clock::time_point until;
    std::string reason;
  };
  std::map<std::string, Entry> m_bans;  // at most one entry per misbehaving link: two keys
};

}  // namespace rowchain
