#include "store/peer_bans.h"

#include <array>

#include "util/utf8.h"

namespace rowchain::store {

Status SavePeerBan(MysqlConnection& db, const PeerBan& ban) {
  std::array<Value, 3> params = {Value::Bytes(ban.key.substr(0, 255)), Value::Int(ban.until_unix),
                                 Value::Text(Utf8Prefix(ban.reason, 255))};
  return db
      .Update("INSERT INTO rowchain_bans (ban_key, until_unix, reason) VALUES (?, ?, ?) "
              "ON DUPLICATE KEY UPDATE until_unix = GREATEST(until_unix, VALUES(until_unix)), reason = VALUES(reason)",
              params)
      .status();
}

StatusOr<std::vector<PeerBan>> LoadPeerBans(MysqlConnection& db, int64_t now_unix) {
  std::array<Value, 1> now = {Value::Int(now_unix)};
  ROWCHAIN_RETURN_IF_ERROR(db.Update("DELETE FROM rowchain_bans WHERE until_unix <= ?", now).status());
  std::vector<PeerBan> bans;
  ROWCHAIN_RETURN_IF_ERROR(db.QueryEach("SELECT ban_key, until_unix, reason FROM rowchain_bans", {},
                                        [&](std::span<const Value> r) {
                                          bans.push_back({r[0].as_string(), r[1].as_int(), r[2].as_string()});
                                          return OkStatus();
                                        }));
  return bans;
}

}  // namespace rowchain::store
