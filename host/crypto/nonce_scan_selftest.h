// Start-up self-test of a scan path against known answers (Bitcoin's genesis block) and
// against OpenSSL, run before a path is ever used for mining. Internal to the crypto library.
#pragma once

#include <string_view>

#include "util/status.h"
#include "crypto/nonce_scan.h"

namespace rowchain::crypto {

Status SelfTestScanPath(NonceScanResult (*scan)(const NonceScanJob&, uint32_t, uint64_t),
                              std::string_view path_name);

// A job whose target no nonce meets in practice, for timing a path.
NonceScanJob SelfTestBenchJob();

}  // namespace rowchain::crypto
