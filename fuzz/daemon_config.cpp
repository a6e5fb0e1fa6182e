// rowchaind's config file: settings or one error line, then the same validation rowchaind
// runs; never a throw or a crash.
#include "daemon/daemon_config.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  daemon::DaemonConfig config;
  if (daemon::ParseDaemonConfig(fuzz::Text(data, size), "fuzz.toml", &config).ok()) {
    (void)daemon::ValidateDaemonConfig(config);
  }
  return 0;
}
