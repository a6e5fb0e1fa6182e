#include "store/mysql_uri.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "util/hex.h"

namespace rowchain::store {
namespace {

// Letters, digits, '.', '-' and '_' (host names and IPv4); hex digits, ':' and '.' in brackets.
bool IsHostName(std::string_view host, bool bracketed) {
  return std::all_of(host.begin(), host.end(), [bracketed](char c) {
    const bool alnum = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (bracketed) return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
    return alnum || c == '.' || c == '-' || c == '_';
  });
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    auto byte = HexDecode(s.substr(i + 1, 2));
    if (!byte.ok() || byte->size() != 1) return std::nullopt;
    out.push_back(static_cast<char>((*byte)[0]));
    i += 2;
  }
  return out;
}

std::optional<SslMode> ParseSslMode(std::string_view s) {
  if (s == "disabled") return SslMode::kDisabled;
  if (s == "required") return SslMode::kRequired;
  if (s == "verify-ca") return SslMode::kVerifyCa;
  if (s == "verify-identity") return SslMode::kVerifyIdentity;
  return std::nullopt;
}

Status ApplyQueryOption(std::string_view key, std::string value, MysqlUri* uri) {
  if (key == "socket") {
    uri->socket = std::move(value);
  } else if (key == "ssl-mode") {
    auto mode = ParseSslMode(value);
    if (!mode) {
      return InvalidArgumentError(fmt::format(
          "mysql URI: ssl-mode '{}' is not one of disabled, required, verify-ca, verify-identity", value));
    }
    uri->ssl_mode = *mode;
  } else if (key == "ssl-ca") {
    uri->ssl_ca = std::move(value);
  } else if (key == "ssl-cert") {
    uri->ssl_cert = std::move(value);
  } else if (key == "ssl-key") {
    uri->ssl_key = std::move(value);
  } else {
    return InvalidArgumentError(fmt::format(
        "mysql URI: unknown option '{}' (known: socket, ssl-mode, ssl-ca, ssl-cert, ssl-key)", key));
  }
  return OkStatus();
}

}  // namespace

std::string MysqlUri::Redacted() const {
  std::string out = fmt::format("mysql://{}{}@", user, password.empty() ? "" : ":***");
  out += host;
  if (socket.empty()) out += fmt::format(":{}", port);
  out += "/" + database;
  if (!socket.empty()) out += "?socket=" + socket;
  return out;
}

StatusOr<MysqlUri> ParseMysqlUri(std::string_view text) {
  constexpr std::string_view kScheme = "mysql://";
  if (!text.starts_with(kScheme)) {
    return InvalidArgumentError("mysql URI must start with mysql:// (mysql://user:password@host:port/database)");
  }
  std::string_view rest = text.substr(kScheme.size());
  MysqlUri uri;

  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return InvalidArgumentError("mysql URI names no database (…/database)");
  std::string_view authority = rest.substr(0, slash);
  auto database = PercentDecode(rest.substr(slash + 1));
  if (!database || database->empty()) return InvalidArgumentError("mysql URI names no database (…/database)");
  // Names reach the server's handshake: no control characters (a percent-encoded NUL would cut
  // them short there, and the audit trail would name another database than the one used).
  auto printable = [](std::string_view name) {
    return std::none_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
  };
  if (!printable(*database)) return InvalidArgumentError("mysql URI: the database name has a control character");
  if (database->find('/') != std::string::npos) return InvalidArgumentError("mysql URI: the database name has a '/'");
  uri.database = std::move(*database);

  // The password may contain '@' when percent-encoded only; the last '@' ends the user info.
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    auto user = PercentDecode(userinfo.substr(0, colon));
    if (!user) return InvalidArgumentError("mysql URI: bad percent-encoding in the user name");
    if (!printable(*user)) return InvalidArgumentError("mysql URI: the user name has a control character");
    uri.user = std::move(*user);
    if (colon != std::string_view::npos) {
      auto password = PercentDecode(userinfo.substr(colon + 1));
      if (!password) return InvalidArgumentError("mysql URI: bad percent-encoding in the password");
      uri.password = std::move(*password);
    }
  }
  if (uri.user.empty()) return InvalidArgumentError("mysql URI names no user (mysql://user@host/database)");

  std::string_view host = authority;
  // A port follows the last ':' unless that ':' is inside an IPv6 literal "[...]".
  size_t bracket = authority.find(']');
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    std::string_view port = authority.substr(colon + 1);
    host = authority.substr(0, colon);
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      return InvalidArgumentError(fmt::format("mysql URI: port '{}' is not 1..65535", port));
    }
    uri.port = static_cast<uint16_t>(value);
  }
  const bool bracketed = host.starts_with('[') && host.ends_with(']');
  if (bracketed) host = host.substr(1, host.size() - 2);
  if (host.empty()) return InvalidArgumentError("mysql URI names no host");
  // Not quoted in the error: a malformed URI may have put part of the password here.
  if (!IsHostName(host, bracketed)) {
    return InvalidArgumentError("mysql URI: the host is not a host name, an IPv4 address or an [IPv6] address");
  }
  uri.host = std::string(host);

  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return InvalidArgumentError(fmt::format("mysql URI: option '{}' has no value", pair));
    auto value = PercentDecode(pair.substr(eq + 1));
    if (!value) return InvalidArgumentError("mysql URI: bad percent-encoding in an option");
    ROWCHAIN_RETURN_IF_ERROR(ApplyQueryOption(pair.substr(0, eq), std::move(*value), &uri));
  }
  return uri;
}

}  // namespace rowchain::store
