// Where a node's MySQL/MariaDB database lives, from a URI:
//   mysql://user:password@host:port/database
//   mysql://user@localhost/database?socket=/path/to/mysqld.sock
// Query options: socket, ssl-mode (disabled|required|verify-ca|verify-identity),
// ssl-ca, ssl-cert, ssl-key. User and password are percent-decoded. Value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace rowchain::store {

// disabled: plain (the default; loopback and sockets); required: TLS, any certificate;
// verify-ca: TLS, the server's certificate signed by ssl-ca; verify-identity: also its name.
enum class SslMode { kDisabled, kRequired, kVerifyCa, kVerifyIdentity };

struct MysqlUri {
  std::string user;
  std::string password;
  std::string host = "localhost";
  uint16_t port = 3306;
  std::string database;
  std::string socket;  // set: connect through this Unix socket instead of TCP
  SslMode ssl_mode = SslMode::kDisabled;
  std::string ssl_ca, ssl_cert, ssl_key;

  // The URI with the password replaced by "***": safe for logs and messages.
  std::string Redacted() const;
};

// INVALID_ARGUMENT naming the part that is wrong; the message never contains the password.
StatusOr<MysqlUri> ParseMysqlUri(std::string_view uri);

}  // namespace rowchain::store
