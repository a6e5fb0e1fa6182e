// A MySQL URI (--mysql): parsed or refused, and the redacted form never shows the password.
#include "fuzz.h"
#include "store/mysql_uri.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  auto uri = store::ParseMysqlUri(fuzz::Text(data, size));
  if (!uri.ok()) return 0;
  if (uri->password.size() >= 4) {
    fuzz::Require(uri->Redacted().find(uri->password) == std::string::npos, "the redacted URI hides the password");
  }
  return 0;
}
