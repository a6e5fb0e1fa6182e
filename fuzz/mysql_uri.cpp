// A MySQL URI (--mysql): parsed or refused. The redacted form shows the user and `***` where the
// password was, and does not depend on the password at all: with any other password it is the
// same string, so nothing of the password can leak through it.
#include "fuzz.h"
#include "store/mysql_uri.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  auto uri = store::ParseMysqlUri(fuzz::Text(data, size));
  if (!uri.ok()) return 0;
  const std::string redacted = uri->Redacted();
  const std::string userinfo = "mysql://" + uri->user + (uri->password.empty() ? "" : ":***") + "@";
  fuzz::Require(redacted.starts_with(userinfo), "the redacted URI shows the user and *** for the password");
  if (uri->password.empty()) return 0;
  store::MysqlUri other = *uri;
  other.password = "another " + uri->password;
  fuzz::Require(other.Redacted() == redacted, "the redacted URI does not depend on the password");
  return 0;
}
