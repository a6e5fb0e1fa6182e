// Peer bans kept in MySQL (rowchain_bans), so a restart does not free a peer that cheated.
// Keys are what service/peer bans by: node ids and addresses without their port. Functions on
// the caller's connection; thread safety as its.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/mysql_connection.h"

namespace rowchain::store {

struct PeerBan {
  std::string key;
  int64_t until_unix = 0;  // seconds since the Unix epoch
  std::string reason;
};

// Records or extends a ban.
Status SavePeerBan(MysqlConnection& db, const PeerBan& ban);
// The bans still running at `now_unix`; expired ones are deleted on the way.
StatusOr<std::vector<PeerBan>> LoadPeerBans(MysqlConnection& db, int64_t now_unix);

}  // namespace rowchain::store
