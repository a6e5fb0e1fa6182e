// A MySQL URI (--mysql): parsed or refused; the redacted form shows the user and `***` where the
// password was, never the password (which may, legitimately, also occur in other fields).
#include "fuzz.h"
#include "store/mysql_uri.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  auto uri = store::ParseMysqlUri(fuzz::Text(data, size));
  if (!uri.ok()) return 0;
  const std::string redacted = uri->Redacted();
  const std::string userinfo = "mysql://" + uri->user + (uri->password.empty() ? "" : ":***") + "@";
  fuzz::Require(redacted.starts_with(userinfo), "the redacted URI shows the user and *** for the password");
  if (!uri->password.empty()) {
    fuzz::Require(redacted.find(":" + uri->password + "@") == std::string::npos, "the redacted URI hides the password");
  }
  return 0;
}
